import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../errors/index.js';
import { backoffDelay, resolveRetry } from './backoff.js';

describe('backoffDelay', () => {
  it('grows exponentially up to maxDelayMs', () => {
    const r = resolveRetry({ initialDelayMs: 100, maxDelayMs: 1000, jitter: false });
    expect([0, 1, 2, 3, 4, 10].map((a) => backoffDelay(a, r))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('jitters between half and all of the nominal delay', () => {
    const r = resolveRetry({ initialDelayMs: 100 });
    expect(backoffDelay(1, r, () => 0)).toBe(100);
    expect(backoffDelay(1, r, () => 0.999999)).toBe(200);
    expect(backoffDelay(1, r, () => 0.5)).toBe(150);
  });

  it('rejects unknown and out-of-range options', () => {
    expect(() => resolveRetry({ retires: 3 } as never)).toThrow(InvalidOptionError);
    expect(() => resolveRetry({ retries: -1 })).toThrow(/retry.retries/);
    expect(() => resolveRetry({ factor: 0.5 })).toThrow(/retry.factor/);
  });
});
