import { describe, expectTypeOf, it } from 'vitest';
import type { ReviewQueue } from '../memory/review-queue.js';
import type { AdapterWriteOptions, HeldGuarded, HeldStoreOptions, HeldWrites } from './index.js';

describe('HeldStoreOptions', () => {
  it('is the write options plus an optional review queue', () => {
    expectTypeOf<HeldStoreOptions>().toExtend<AdapterWriteOptions>();
    expectTypeOf<HeldStoreOptions['reviewQueue']>().toEqualTypeOf<ReviewQueue | undefined>();
    expectTypeOf<Omit<HeldStoreOptions, 'reviewQueue'>>().toEqualTypeOf<AdapterWriteOptions>();
  });
});

describe('HeldGuarded', () => {
  it('is the wrapped object with its held writes and the unguarded original', () => {
    interface Client {
      get(id: string): Promise<string>;
    }
    type G = HeldGuarded<Client, { id: string }>;
    expectTypeOf<G>().toExtend<Client>();
    expectTypeOf<G['held']>().toEqualTypeOf<HeldWrites<{ id: string }>>();
    expectTypeOf<G['inner']>().toEqualTypeOf<Client>();
    expectTypeOf<G['get']>().toEqualTypeOf<Client['get']>();
  });
});
