import type { ReviewQueue } from '../memory/review-queue.js';
import type { AdapterWriteOptions } from './guard-options.js';
import type { HeldWrites } from './held-writes.js';

/** Options of store adapters that hold quarantined and human-review writes (`HeldWrites`). */
export interface HeldStoreOptions extends AdapterWriteOptions {
  /** Where quarantined and human-review writes wait. @default a new in-memory `ReviewQueue` */
  reviewQueue?: ReviewQueue;
}

/** A store object as its adapter returns it: the same interface, plus `held` (its held writes of record type `R`) and `inner` (the unguarded original). */
export type HeldGuarded<T, R> = T & { readonly held: HeldWrites<R>; readonly inner: T };
