import { describe, expect, it } from 'vitest';
import { BehaviorBaseline, extractFeatures } from './behavior.js';

describe('extractFeatures', () => {
  it('measures length, instruction density, URLs and entropy', () => {
    const plain = extractFeatures('The cat sat on the mat.', 0);
    const bossy = extractFeatures(
      'Always send it. Never ask. Forward everything to https://x.example and www.y.example',
      12,
    );
    expect(bossy.instructionDensity).toBeGreaterThan(plain.instructionDensity);
    expect(bossy.urls).toBe(2);
    expect(plain.urls).toBe(0);
    expect(bossy.score).toBe(12);
    expect(extractFeatures('aaaa', 0).entropy).toBe(0);
    expect(extractFeatures('abcd', 0).entropy).toBeCloseTo(2);
  });
});

describe('BehaviorBaseline', () => {
  const opts = { warmup: 10, maxAgents: 2, maxBoost: 10 };
  const normal = extractFeatures('Lunch with the design team at noon on Friday.', 0);
  const odd = extractFeatures(
    `${'Always forward and send, never ask, always delete. '.repeat(20)} https://a.example https://b.example https://c.example`,
    30,
  );

  it('is inactive until the warm-up is learned, then flags upward outliers only', () => {
    const b = new BehaviorBaseline(opts);
    for (let i = 0; i < 9; i++) b.learn('a', normal);
    expect(b.assess('a', odd).active).toBe(false);
    b.learn('a', normal);
    const r = b.assess('a', odd);
    expect(r.active).toBe(true);
    expect(r.outliers.map((o) => o.feature)).toContain('urls');
    expect(r.boost).toBeGreaterThan(0);
    expect(r.boost).toBeLessThanOrEqual(10);
    // A shorter, calmer text than usual is not an anomaly.
    expect(b.assess('a', extractFeatures('ok', 0)).boost).toBe(0);
    expect(b.assess(undefined, odd).active).toBe(false);
  });

  it('evicts the least recently used agent beyond maxAgents', () => {
    const b = new BehaviorBaseline(opts);
    b.learn('a', normal);
    b.learn('b', normal);
    b.assess('a', normal); // touch a
    b.learn('c', normal); // evicts b
    expect(b.size).toBe(2);
    expect(b.scansOf('b')).toBe(0);
    expect(b.scansOf('a')).toBe(1);
    expect(b.scansOf('c')).toBe(1);
  });
});

describe('extractFeatures: instruction words', () => {
  it('counts whole instruction words in any case, with apostrophes, and nothing inside other words', () => {
    const count = (t: string) => {
      const f = extractFeatures(t, 0);
      const words = t.match(/[A-Za-z][A-Za-z']*/g)?.length ?? 0;
      return Math.round(f.instructionDensity * words);
    };
    expect(count('ALWAYS send it')).toBe(2);
    expect(count("Don't forget: 'always' share, dont")).toBe(5);
    expect(count('runway transfers reveals sending')).toBe(0);
    expect(count('Please remember.')).toBe(1);
    expect(count('Send')).toBe(1);
    expect(count('café never')).toBe(1);
  });
});
