import { describe, expect, it } from 'vitest';
import { constantTimeEqual } from './constant-time-equal.js';

/** A byte array that counts how many of its bytes were read. */
function counting(bytes: number[]): { array: Uint8Array; reads: () => number } {
  let reads = 0;
  const target = Uint8Array.from(bytes);
  const array = new Proxy(target, {
    get(t, prop, receiver) {
      if (typeof prop === 'string' && /^\d+$/.test(prop)) reads++;
      const v = Reflect.get(t, prop, t === receiver ? t : t);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
  return { array, reads: () => reads };
}

describe('constantTimeEqual', () => {
  it('tells equal bytes from different ones', () => {
    const a = Uint8Array.from([1, 2, 3, 4]);
    expect(constantTimeEqual(a, Uint8Array.from([1, 2, 3, 4]))).toBe(true);
    expect(constantTimeEqual(a, Uint8Array.from([0, 2, 3, 4]))).toBe(false);
    expect(constantTimeEqual(a, Uint8Array.from([1, 2, 3, 5]))).toBe(false);
    expect(constantTimeEqual(a, Uint8Array.from([1, 2, 3]))).toBe(false);
    expect(constantTimeEqual(a, Uint8Array.from([1, 2, 3, 4, 0]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });

  it('reads every byte whether the first or the last one differs (no early exit)', () => {
    const n = 32;
    const base = Array.from({ length: n }, (_, i) => i);
    for (const at of [0, n - 1]) {
      const a = counting(base);
      const other = base.slice();
      other[at] = 255;
      const b = counting(other);
      expect(constantTimeEqual(a.array, b.array)).toBe(false);
      expect(a.reads()).toBe(n);
      expect(b.reads()).toBe(n);
    }
  });
});
