import type { ReviewQueue } from '../memory/review-queue.js';
import type { AdapterWriteOptions } from './guard-options.js';

/** Options of store adapters that hold quarantined and human-review writes (`HeldWrites`). */
export interface HeldStoreOptions extends AdapterWriteOptions {
  /** Where quarantined and human-review writes wait. @default a new in-memory `ReviewQueue` */
  reviewQueue?: ReviewQueue;
}
