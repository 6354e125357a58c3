import { describe, expect, it } from 'vitest';
import { atLeast, decisionForScore, PROFILES } from './profiles.js';

describe('policy profiles', () => {
  it('orders thresholds within each profile and from strict to permissive', () => {
    for (const t of Object.values(PROFILES)) {
      expect(t.humanReview).toBeLessThan(t.quarantine);
      expect(t.quarantine).toBeLessThan(t.block);
    }
    expect(PROFILES.strict.block).toBeLessThan(PROFILES.balanced.block);
    expect(PROFILES.balanced.block).toBeLessThan(PROFILES.permissive.block);
  });

  it('maps scores at and around each threshold', () => {
    const t = PROFILES.balanced;
    expect(decisionForScore(t.humanReview - 0.1, t)).toBe('allow');
    expect(decisionForScore(t.humanReview, t)).toBe('human_review');
    expect(decisionForScore(t.quarantine, t)).toBe('quarantine');
    expect(decisionForScore(t.block, t)).toBe('block');
    expect(decisionForScore(100, t)).toBe('block');
  });

  it('ranks decisions with sanitize between allow and human_review', () => {
    expect(atLeast('sanitize', 'allow')).toBe(true);
    expect(atLeast('sanitize', 'human_review')).toBe(false);
    expect(atLeast('block', 'quarantine')).toBe(true);
    expect(atLeast('allow', 'allow')).toBe(true);
  });
});
