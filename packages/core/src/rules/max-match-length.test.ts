import { describe, expect, it } from 'vitest';
import { normalize } from '../normalize/index.js';
import { BUILTIN_RULES, BUILTIN_SIGNALS } from './catalog/index.js';
import { maxMatchLength } from './max-match-length.js';

describe('maxMatchLength', () => {
  it('bounds literals, classes, groups, alternations and counted repeats', () => {
    expect(maxMatchLength('abc')).toBe(3);
    expect(maxMatchLength('a{2,5}')).toBe(5);
    expect(maxMatchLength('a{3}')).toBe(3);
    expect(maxMatchLength('(?:ab|cde)?x')).toBe(4);
    expect(maxMatchLength('\\bfoo\\b')).toBe(3);
    expect(maxMatchLength('^foo$')).toBe(3);
    expect(maxMatchLength('[a-z]{0,4}?')).toBe(4);
    expect(maxMatchLength('(?<name>ab)c')).toBe(3);
    expect(maxMatchLength('\\x41\\u0042\\n')).toBe(3);
  });

  it('counts two units for anything that may match an astral character', () => {
    expect(maxMatchLength('[^.]{0,30}')).toBe(60);
    expect(maxMatchLength('.')).toBe(2);
    expect(maxMatchLength('\\S\\W\\D\\s\\w\\d')).toBe(9);
    expect(maxMatchLength('\\u{1F600}')).toBe(2);
    expect(maxMatchLength('[\\u{1F600}a]')).toBe(2);
    expect(maxMatchLength('\\p{L}')).toBe(2);
  });

  it('counts look-arounds as consumed, so a window includes what they inspect', () => {
    expect(maxMatchLength('(?<=[a-z])@')).toBe(2);
    expect(maxMatchLength('x(?=abc)')).toBe(4);
    expect(maxMatchLength('(?<!ab)x(?!cd)')).toBe(5);
  });

  it('is infinite for unbounded repeats and constructs it cannot bound', () => {
    expect(maxMatchLength('a+')).toBe(Number.POSITIVE_INFINITY);
    expect(maxMatchLength('a*b')).toBe(Number.POSITIVE_INFINITY);
    expect(maxMatchLength('a{2,}')).toBe(Number.POSITIVE_INFINITY);
    expect(maxMatchLength('(a)\\1')).toBe(Number.POSITIVE_INFINITY);
    expect(maxMatchLength('(?<n>a)\\k<n>')).toBe(Number.POSITIVE_INFINITY);
    expect(maxMatchLength('(ab')).toBe(Number.POSITIVE_INFINITY);
    expect(maxMatchLength('[ab')).toBe(Number.POSITIVE_INFINITY);
  });

  it('is never below a real match: every built-in pattern on every positive example', () => {
    let checked = 0;
    const patterns: [string, string, readonly string[]][] = [];
    for (const r of BUILTIN_RULES) {
      if (r.kind === 'pattern') patterns.push([r.id, r.pattern, r.examples.positive]);
    }
    const rulePositives = BUILTIN_RULES.flatMap((r) => r.examples.positive);
    for (const s of BUILTIN_SIGNALS) {
      if (s.pattern !== undefined) patterns.push([s.id, s.pattern, rulePositives]);
    }
    for (const [id, pattern, texts] of patterns) {
      const bound = maxMatchLength(pattern);
      const re = new RegExp(pattern, 'gu');
      for (const t of texts) {
        for (const view of normalize(t).views) {
          for (const m of view.text.matchAll(re)) {
            expect(m[0].length, `${id} on ${JSON.stringify(t)}`).toBeLessThanOrEqual(bound);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});
