import { describe, expect, it } from 'vitest';
import { InvalidOptionError, InvalidPatternError } from '../errors/index.js';
import { normalize } from '../normalize/index.js';
import { compileCustomPattern } from './custom-patterns.js';
import { RuleEngine } from './rule-engine.js';

describe('custom patterns', () => {
  it('match each view and use the documented defaults', () => {
    const engine = new RuleEngine({
      rules: [],
      signals: [],
      customPatterns: [{ id: 'acme-codename', pattern: 'project\\s+nightjar' }],
    });
    const text = 'Status of PROJECT   Nightjar: green.';
    const [f, ...rest] = engine.scan(normalize(text));
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      ruleId: 'acme-codename',
      title: 'acme-codename',
      category: 'custom',
      severity: 'medium',
      weight: 0.5,
      layer: 'rules',
    });
    expect(f?.evidence).toEqual({ text: 'PROJECT   Nightjar', start: 10, end: 28, view: 'text' });
    expect(engine.list()).toEqual([expect.objectContaining({ id: 'acme-codename', kind: 'custom' })]);
  });

  it('take category, severity, weight and title from the record', () => {
    const engine = new RuleEngine({
      rules: [],
      signals: [],
      customPatterns: [
        {
          id: 'c1',
          pattern: 'wire\\b',
          category: 'financial_fraud',
          severity: 'high',
          weight: 0.9,
          title: 'Wire',
        },
      ],
    });
    expect(engine.scan(normalize('please wire it'))[0]).toMatchObject({
      category: 'financial_fraud',
      severity: 'high',
      weight: 0.9,
      title: 'Wire',
    });
    expect(engine.scan(normalize('wireless mouse'))).toEqual([]);
  });

  it('run in linear time on the catastrophic (a+)+$', () => {
    const engine = new RuleEngine({
      rules: [],
      signals: [],
      customPatterns: [{ id: 'evil', pattern: '(a+)+$' }],
    });
    const input = `${'a'.repeat(100_000)}b`;
    expect(engine.scan(normalize(input))).toEqual([]);
    expect(engine.scan(normalize('xaaa'))[0]?.evidence.start).toBe(1);
  });

  it('refuse backreferences, lookaround and syntax errors with a message naming the id', () => {
    const cases: [string, RegExp][] = [
      ['(a)\\1', /"br".*backreferences/],
      ['(?=a)b', /"br".*lookahead/],
      ['(?<!a)b', /"br".*lookahead\/lookbehind/],
      ['(a', /"br" is not valid RE2 syntax/],
    ];
    for (const [pattern, message] of cases) {
      let caught: unknown;
      try {
        compileCustomPattern({ id: 'br', pattern });
      } catch (e) {
        caught = e;
      }
      expect(InvalidPatternError.isInstance(caught), pattern).toBe(true);
      expect((caught as InvalidPatternError).patternId).toBe('br');
      expect((caught as InvalidPatternError).pattern).toBe(pattern);
      expect((caught as Error).message).toMatch(message);
    }
    expect(() => new RuleEngine({ customPatterns: [{ id: 'x', pattern: '(a)\\1' }] })).toThrow(
      InvalidPatternError,
    );
  });

  it('refuse an out-of-range weight or a duplicate id', () => {
    expect(() => compileCustomPattern({ id: 'w', pattern: 'a', weight: 2 })).toThrow(InvalidOptionError);
    expect(() => new RuleEngine({ customPatterns: [{ id: 'MG-OVR-001', pattern: 'a' }] })).toThrow(
      /already used/,
    );
  });
});
