import { randomUUID } from 'node:crypto';
import type { SourceType } from '../analyzer/types.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { type ReviewItem, ReviewQueue } from '../memory/review-queue.js';
import type { WriteOutcome } from './guard-writes.js';

/** Where held writes came from, recorded with each review item. */
export interface HeldWriteContext {
  sourceType: SourceType;
  sourceId?: string;
  agentId?: string;
  tenantId?: string;
}

const RECORD_KEY = 'memgarRecord';

/**
 * Writes an adapter held (decision `quarantine` or `human_review`): queued in a `ReviewQueue`
 * with the store record they would have written (so `R` must be JSON-serializable when the
 * queue has durable storage), never written to the store. `approve` writes the record through
 * with `writeThrough` and only then marks the item approved, so a failing store leaves it
 * pending; `reject` drops it.
 */
export class HeldWrites<R> {
  /** The queue the items are in (list them, count them, give it durable storage). */
  readonly queue: ReviewQueue;
  readonly #writeThrough: (record: R, item: ReviewItem) => Promise<unknown>;

  constructor(
    writeThrough: (record: R, item: ReviewItem) => Promise<unknown>,
    queue: ReviewQueue = new ReviewQueue(),
  ) {
    this.#writeThrough = writeThrough;
    this.queue = queue;
  }

  /**
   * Queues the held outcomes of a batch (`outcomes[i]` decided `texts[i]`, to be stored as
   * `records[i]`). Returns the review id per index (undefined for outcomes not held).
   */
  async hold(
    outcomes: readonly WriteOutcome[],
    texts: readonly string[],
    records: readonly R[],
    context: HeldWriteContext,
  ): Promise<(string | undefined)[]> {
    const ids: (string | undefined)[] = [];
    for (const [i, o] of outcomes.entries()) {
      const decision = o.memgar.decision;
      if (o.stored || (decision !== 'quarantine' && decision !== 'human_review')) {
        ids.push(undefined);
        continue;
      }
      const id = randomUUID();
      await this.queue.add({
        id,
        content: texts[i] ?? '',
        ...(o.sanitized !== undefined ? { sanitized: o.sanitized } : {}),
        decision,
        reason: o.reason,
        rule: o.memgar.rule,
        ruleIds: o.ruleIds,
        riskScore: o.memgar.riskScore,
        context: { ...context, metadata: { [RECORD_KEY]: records[i] } },
        queuedAt: new Date().toISOString(),
        status: 'pending',
      });
      ids.push(id);
    }
    return ids;
  }

  /** Writes a held record through to the store, then marks it approved by `reviewer`. */
  async approve(reviewId: string, reviewer: string, note?: string): Promise<ReviewItem> {
    const item = await this.queue.pendingItem(reviewId);
    const meta = item.context.metadata;
    if (meta === undefined || !(RECORD_KEY in meta)) {
      throw new InvalidInputError(
        'reviewId',
        `review item "${reviewId}" holds no store record to write through`,
      );
    }
    await this.#writeThrough(meta[RECORD_KEY] as R, item);
    return this.queue.settle(reviewId, {
      status: 'approved',
      reviewer,
      ...(note !== undefined ? { note } : {}),
    });
  }

  /** Rejects a held write: it is never stored. */
  reject(reviewId: string, reviewer: string, note?: string): Promise<ReviewItem> {
    return this.queue.settle(reviewId, {
      status: 'rejected',
      reviewer,
      ...(note !== undefined ? { note } : {}),
    });
  }
}
