import { describe, expect, it } from 'vitest';
import { SlidingCounts } from './sliding-counts.js';

describe('SlidingCounts', () => {
  it('counts events and hits inside the window and forgets older buckets', () => {
    const c = new SlidingCounts(60_000, 6); // 10 s buckets
    c.add(0, true);
    c.add(5_000, false);
    c.add(30_000, true);
    expect(c.sum(30_000)).toEqual({ total: 3, hits: 2 });
    expect(c.sum(59_999)).toEqual({ total: 3, hits: 2 });
    // At 60 s the first bucket [0, 10 s) has left the window.
    expect(c.sum(60_000)).toEqual({ total: 1, hits: 1 });
    expect(c.sum(200_000)).toEqual({ total: 0, hits: 0 });
  });

  it('reuses a ring slot for a new period instead of adding to the old one', () => {
    const c = new SlidingCounts(30_000, 3);
    c.add(1_000, true);
    c.add(31_000, false); // same slot, next lap
    expect(c.sum(31_000)).toEqual({ total: 1, hits: 0 });
  });
});
