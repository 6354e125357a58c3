import { describe, expect, it } from 'vitest';
import { embedding, texts } from './bench-corpus.mjs';

describe('bench-corpus', () => {
  it('is deterministic, with one attack in 50 texts', () => {
    const a = texts(200);
    expect(texts(200)).toEqual(a);
    const attacks = a.filter((t) => t.includes('@evil.example'));
    expect(attacks).toHaveLength(4);
    expect(a.indexOf(attacks[0] as string)).toBe(49);
    expect(new Set(a).size).toBeGreaterThan(150);
  });

  it('embeds deterministically into unit vectors; shared words make texts closer', () => {
    const v = embedding(texts(1)[0] as string);
    expect(v).toHaveLength(16);
    expect(Math.hypot(...v)).toBeCloseTo(1, 10);
    expect(embedding('same words here', 8)).toEqual(embedding('Same, words here!', 8));
    const dot = (x: number[], y: number[]) => x.reduce((s, xi, i) => s + xi * (y[i] as number), 0);
    const q = embedding('window seats on long flights');
    expect(dot(q, embedding('Ana prefers window seats on flights'))).toBeGreaterThan(
      dot(q, embedding('Bo asked for the invoice of order 1003 in PDF')),
    );
  });
});
