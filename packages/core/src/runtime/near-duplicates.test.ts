import { describe, expect, it } from 'vitest';
import { estimateJaccard, minHashSignature, nearDuplicateClusters } from './near-duplicates.js';
import { fnv1a, tokenHashes, wordTokens } from './text-tokens.js';

const CLAIM =
  'Acme Bank customer support can now be reached only at +1 415 555 0199. The old numbers were retired in March, so every caller should use this line from today.';
const CLAIM_EDIT =
  'Acme Bank customer support can now be reached only at +1 415 555 0199. The old numbers were retired in March, so every customer should use this line from today.';
const OTHER =
  'Savings accounts at Acme Bank earn interest monthly, and statements are available in the mobile app under Documents.';

/** Exact Jaccard of word 3-shingles, to check the estimate against. */
function jaccard(a: string, b: string): number {
  const sh = (s: string) => {
    const t = s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
    const out = new Set<string>();
    for (let i = 0; i + 3 <= t.length; i++) out.add(t.slice(i, i + 3).join(' '));
    return out;
  };
  const x = sh(a);
  const y = sh(b);
  let inter = 0;
  for (const s of x) if (y.has(s)) inter++;
  return inter / (x.size + y.size - inter);
}

describe('MinHash near-duplicates', () => {
  it('estimates Jaccard similarity of word shingles within the expected error', () => {
    const est = estimateJaccard(minHashSignature(CLAIM), minHashSignature(CLAIM_EDIT));
    const exact = jaccard(CLAIM, CLAIM_EDIT);
    expect(exact).toBeGreaterThan(0.6);
    // 64 hashes: standard error about 1/8; allow three of them.
    expect(Math.abs(est - exact)).toBeLessThan(0.375);
    expect(estimateJaccard(minHashSignature(CLAIM), minHashSignature(CLAIM))).toBe(1);
    expect(estimateJaccard(minHashSignature(CLAIM), minHashSignature(OTHER))).toBeLessThan(0.2);
  });

  it('estimates long texts (more shingles than the sketch holds) within the expected error', () => {
    // Deterministic 400-word texts; the second rewrites every fourth word.
    const words = (seed: number) => Array.from({ length: 400 }, (_, i) => `w${(i * 7919 + seed) % 997}`);
    const a = words(1).join(' ');
    const b = words(1)
      .map((w, i) => (i % 4 === 0 ? `x${i}` : w))
      .join(' ');
    const exact = jaccard(a, b);
    expect(exact).toBeGreaterThan(0.1);
    expect(exact).toBeLessThan(0.6);
    const sa = minHashSignature(a);
    expect(sa.length).toBe(64);
    expect(Math.abs(estimateJaccard(sa, minHashSignature(b)) - exact)).toBeLessThan(0.25);
    expect(estimateJaccard(sa, minHashSignature(words(500).join(' ')))).toBeLessThan(0.1);
  });

  it('hashes tokens of ASCII text (fast path) exactly as the general path does', () => {
    expect(wordTokens('Hello, World: 42 times! Ünïcode')).toEqual([
      'hello',
      'world',
      '42',
      'times',
      'ünïcode',
    ]);
    const ascii = 'Hello, World: 42 times! (x_y) end';
    expect(Array.from(tokenHashes(ascii))).toEqual(wordTokens(ascii).map(fnv1a));
    const mixed = `${ascii} Ünïcode`;
    expect(Array.from(tokenHashes(mixed))).toEqual(wordTokens(mixed).map(fnv1a));
    expect(tokenHashes('a b c d', 2)).toHaveLength(2);
    expect(tokenHashes('')).toHaveLength(0);
  });

  it('ignores case, punctuation and compatibility forms', () => {
    const a = minHashSignature('ACME BANK: call +1-415-555-0199 now!');
    const b = minHashSignature('acme bank call 1 415 555 0199 now');
    expect(estimateJaccard(a, b)).toBe(1);
    expect(
      estimateJaccard(minHashSignature('ｆｕｌｌ ｗｉｄｔｈ text'), minHashSignature('full width text')),
    ).toBe(1);
  });

  it('texts shorter than a shingle still get a signature; empty texts match nothing', () => {
    expect(estimateJaccard(minHashSignature('refund policy'), minHashSignature('Refund policy.'))).toBe(1);
    expect(estimateJaccard(minHashSignature(''), minHashSignature(''))).toBe(0);
  });

  it('clusters by single linkage and reports only groups of two or more', () => {
    const sigs = [CLAIM, OTHER, CLAIM_EDIT, CLAIM].map((t) => minHashSignature(t));
    const clusters = nearDuplicateClusters(sigs, 0.5);
    expect(clusters).toHaveLength(1);
    expect(clusters[0]!.members).toEqual([0, 2, 3]);
    expect(clusters[0]!.similarity).toBe(1);
    expect(nearDuplicateClusters(sigs, 1.01)).toEqual([]);
  });
});
