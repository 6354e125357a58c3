import { isSafePattern } from 'redos-detector';
import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES, BUILTIN_SIGNALS } from './catalog/index.js';
import { unboundedQuantifier } from './regex-shape.js';

/**
 * Every built-in regex must run in linear time. The engine runs a regex only on windows around
 * keyword hits, trying each start position in the window, so linearity needs a bounded amount of
 * work per start position. Three checks:
 * 1. redos-detector on the pattern anchored with `^` (one start position): it must not report a
 *    score above its default maximum (`hitMaxScore`, i.e. unsafe). For large alternation-heavy
 *    patterns the detector may run out of analysis steps before a verdict (`hitMaxSteps`,
 *    `timedOut`); those are accepted only with checks 2 and 3.
 * 2. No unbounded quantifier (`*`, `+`, `{n,}`): every repetition has an upper bound, so the work
 *    per start position is bounded by a constant.
 * 3. Hostile input: the pattern's own keywords repeated into 64 KB with and without spaces and
 *    sentence punctuation; scanning all matches must stay fast.
 */
interface Checked {
  id: string;
  source: string;
  keywords: readonly string[];
}

const checked: Checked[] = [
  ...BUILTIN_RULES.flatMap((r): Checked[] =>
    r.kind === 'pattern' ? [{ id: r.id, source: r.pattern, keywords: r.keywords }] : [],
  ),
  ...BUILTIN_RULES.flatMap((r): Checked[] =>
    r.kind === 'pattern' && r.screen !== undefined
      ? [{ id: `${r.id} (screen)`, source: r.screen.pattern, keywords: r.keywords }]
      : [],
  ),
  ...BUILTIN_SIGNALS.flatMap((s): Checked[] =>
    s.pattern === undefined ? [] : [{ id: `signal:${s.id}`, source: s.pattern, keywords: s.keywords }],
  ),
];

function hostile(keywords: readonly string[], sep: string): string {
  const unit = keywords.map((k) => k.replace(/\*$/, '')).join(sep) + sep;
  return unit.repeat(Math.ceil(65_536 / unit.length)).slice(0, 65_536);
}

describe('ReDoS safety of the built-in catalog', () => {
  it('checks every pattern rule and signal regex', () => {
    expect(checked.length).toBe(
      BUILTIN_RULES.filter((r) => r.kind === 'pattern').length +
        BUILTIN_RULES.filter((r) => r.kind === 'pattern' && r.screen !== undefined).length +
        BUILTIN_SIGNALS.filter((s) => s.pattern !== undefined).length,
    );
    expect(checked.length).toBeGreaterThan(30);
  });

  it('the checks reject catastrophic patterns', () => {
    const r = isSafePattern('^(?:(a+)+$)', { unicode: true, maxSteps: 2000, timeout: 1000 });
    expect(r.safe).toBe(false);
    expect(r.error).toBe('hitMaxScore');
    expect(unboundedQuantifier('(a+)+$')).toBe('+ at 2');
    expect(unboundedQuantifier('a[+*]b{1,3}\\+')).toBeUndefined();
    expect(unboundedQuantifier('x{2,}')).toBe('{2,} at 1');
  });

  for (const { id, source, keywords } of checked) {
    it(`${id} is linear-time`, () => {
      const result = isSafePattern(`^(?:${source})`, { unicode: true, maxSteps: 2000, timeout: 1000 });
      expect({ id, error: result.error === 'hitMaxScore' ? 'hitMaxScore' : 'ok' }).toEqual({
        id,
        error: 'ok',
      });
      expect(unboundedQuantifier(source), id).toBeUndefined();
      const re = new RegExp(source, 'gu');
      for (const sep of [' ', '', '. ', ' the ']) {
        // Runs to the end on a hostile input built from the rule's own keywords (a catastrophic
        // pattern would run into the test timeout); the time itself is the benchmark's business.
        const input = hostile(keywords, sep);
        let n = 0;
        re.lastIndex = 0;
        for (let m = re.exec(input); m !== null && n < 100_000; m = re.exec(input)) {
          n++;
          if (m[0].length === 0) re.lastIndex++;
        }
        expect(n, `${id} sep=${JSON.stringify(sep)}`).toBeLessThan(100_000);
      }
    });
  }
});
