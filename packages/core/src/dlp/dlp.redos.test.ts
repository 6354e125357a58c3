import { isSafePattern } from 'redos-detector';
import { describe, expect, it } from 'vitest';
import { unboundedQuantifier } from '../rules/regex-shape.js';
import { detectSensitiveData } from './detect.js';
import { DLP_PATTERNS } from './patterns.js';

/**
 * Every DLP regex must run in linear time, by the same three checks as the rule catalog
 * (rules/rules.redos.test.ts):
 * 1. redos-detector on the pattern anchored with `^` (one start position) must not report it
 *    unsafe (`hitMaxScore`);
 * 2. no unbounded quantifier, so the work per start position is bounded by a constant — except
 *    the two run scanners (`TOKEN_RUN`, `ENTROPY_RUN`): a lone greedy character class (plus a
 *    bounded suffix) that matches at every position it starts, so the engine consumes each run
 *    once and never retries inside it;
 * 3. the scanner runs to the end over megabyte inputs built to make a backtracking pattern
 *    explode. No wall-clock assertion: a catastrophic pattern would run into the test timeout.
 * The few regexes in the detectors' code run anchored on candidates of bounded length.
 */
const RUN_SCANNERS = new Set(['TOKEN_RUN', 'ENTROPY_RUN']);

describe('ReDoS safety of the DLP patterns', () => {
  it('has patterns to check', () => {
    expect(Object.keys(DLP_PATTERNS).length).toBeGreaterThanOrEqual(15);
  });

  for (const [name, re] of Object.entries(DLP_PATTERNS)) {
    it(`${name} is linear-time`, () => {
      const result = isSafePattern(`^(?:${re.source})`, {
        caseInsensitive: re.flags.includes('i'),
        maxSteps: 20_000,
        timeout: 5_000,
      });
      expect({ name, error: result.error === 'hitMaxScore' ? 'hitMaxScore' : 'ok' }).toEqual({
        name,
        error: 'ok',
      });
      if (RUN_SCANNERS.has(name)) expect(re.source).toMatch(/^\[[^\]]+\]\+(?:=\{0,2\})?$/);
      else expect(unboundedQuantifier(re.source), name).toBeUndefined();
    });
  }

  it('the detector itself rejects a catastrophic pattern', () => {
    const r = isSafePattern('^(?:(a+)+$)', { maxSteps: 2000, timeout: 1000 });
    expect(r.safe).toBe(false);
    expect(unboundedQuantifier('[a-z]{2,}x')).toBe('{2,} at 5');
    expect(unboundedQuantifier('[+*]\\+a{1,3}')).toBeUndefined();
  });

  const MB = 1 << 20;
  const hostile: Record<string, string> = {
    'one letter': 'a'.repeat(MB),
    'token characters and dashes': 'eyJ-'.repeat(MB / 4),
    'JWT dots': 'eyJa.'.repeat(MB / 5),
    'digits and spaces': '1 '.repeat(MB / 2),
    'digits and dashes': '12-'.repeat(MB / 3),
    'at signs': 'a@'.repeat(MB / 2),
    'dotted labels': 'a@b.'.repeat(MB / 4),
    'password keys': 'password: '.repeat(MB / 10),
    'IBAN prefixes': 'DE89 '.repeat(MB / 5),
    'PEM headers': '-----BEGIN PRIVATE KEY-----\n'.repeat(MB / 28),
    'PEM BEGIN, no key': '-----BEGIN '.repeat(MB / 11),
    'secret words and base64': 'token ab12CD34ef56GH78ij90KL '.repeat(MB / 28),
    parentheses: '(1)'.repeat(MB / 3),
  };
  for (const [name, input] of Object.entries(hostile)) {
    it(`scans 1 MB of ${name} to the end`, () => {
      const found = detectSensitiveData(input);
      expect(Array.isArray(found)).toBe(true);
    });
  }
});
