import { describe, expect, it } from 'vitest';
import { RULE_CATEGORIES } from '../../analyzer/types.js';
import { normalize } from '../../normalize/index.js';
import { RuleEngine } from '../rule-engine.js';
import { BUILTIN_RULES, BUILTIN_SIGNALS } from './index.js';

const engine = new RuleEngine();
const ids = (text: string): string[] => engine.scan(normalize(text)).map((f) => f.ruleId);

describe('built-in catalog', () => {
  it('has well-formed records', () => {
    const seen = new Set<string>();
    for (const r of BUILTIN_RULES) {
      expect(r.id).toMatch(/^MG-[A-Z]+-\d{3}$/);
      expect(seen.has(r.id)).toBe(false);
      seen.add(r.id);
      expect(r.examples.positive.length).toBeGreaterThanOrEqual(2);
      expect(r.examples.negative.length).toBeGreaterThanOrEqual(2);
      expect(r.mitre.atlas.length + r.mitre.attack.length).toBeGreaterThan(0);
      expect(r.description.length).toBeGreaterThan(10);
    }
    expect(engine.size).toBe(BUILTIN_RULES.length);
    expect(BUILTIN_SIGNALS.length).toBeGreaterThanOrEqual(15);
  });

  it('covers every threat category except the behavioural layer and custom', () => {
    const covered = new Set(BUILTIN_RULES.map((r) => r.category));
    for (const c of RULE_CATEGORIES) {
      if (c === 'behavioral_anomaly' || c === 'custom') continue;
      expect(covered.has(c), c).toBe(true);
    }
  });

  for (const rule of BUILTIN_RULES) {
    describe(rule.id, () => {
      for (const text of rule.examples.positive) {
        it(`fires on: ${text}`, () => {
          expect(ids(text)).toContain(rule.id);
        });
      }
      for (const text of rule.examples.negative) {
        it(`stays quiet on: ${text}`, () => {
          expect(ids(text)).not.toContain(rule.id);
        });
      }
    });
  }
});
