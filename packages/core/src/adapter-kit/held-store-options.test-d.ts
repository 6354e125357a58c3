import { describe, expectTypeOf, it } from 'vitest';
import type { ReviewQueue } from '../memory/review-queue.js';
import type { AdapterWriteOptions, HeldStoreOptions } from './index.js';

describe('HeldStoreOptions', () => {
  it('is the write options plus an optional review queue', () => {
    expectTypeOf<HeldStoreOptions>().toExtend<AdapterWriteOptions>();
    expectTypeOf<HeldStoreOptions['reviewQueue']>().toEqualTypeOf<ReviewQueue | undefined>();
    expectTypeOf<Omit<HeldStoreOptions, 'reviewQueue'>>().toEqualTypeOf<AdapterWriteOptions>();
  });
});
