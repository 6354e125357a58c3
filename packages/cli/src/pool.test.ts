import { describe, expect, it } from 'vitest';
import { mapPool } from './pool.js';

async function* numbers(n: number) {
  for (let i = 0; i < n; i++) yield i;
}

describe('mapPool', () => {
  it('emits in source order with bounded concurrency, and reports failures in place', async () => {
    let inFlight = 0;
    let peak = 0;
    const out: string[] = [];
    await mapPool(
      numbers(20),
      3,
      async (i) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, (i * 7) % 5));
        inFlight--;
        if (i === 4) throw new Error('four');
        return i * 2;
      },
      (i, s) => out.push(s.ok ? `${i}:${s.value}` : `${i}:err`),
    );
    expect(out).toEqual(Array.from({ length: 20 }, (_, i) => (i === 4 ? '4:err' : `${i}:${i * 2}`)));
    expect(peak).toBe(3);
  });
});
