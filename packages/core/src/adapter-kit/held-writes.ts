import { randomUUID } from 'node:crypto';
import type { Decision, SourceType } from '../analyzer/types.js';
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

/** Whether a decision holds a write for review (`quarantine`, `human_review`) rather than storing or dropping it. */
export function isHeldDecision(decision: Decision): decision is 'quarantine' | 'human_review' {
  return decision === 'quarantine' || decision === 'human_review';
}

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
      ids.push(await this.holdOne(o, texts[i] ?? '', records[i] as R, context));
    }
    return ids;
  }

  /**
   * Queues one outcome when it is held (`quarantine` or `human_review`, not stored) with its own
   * source context: the review id, or undefined (nothing queued) for any other outcome.
   */
  async holdOne(
    outcome: WriteOutcome,
    text: string,
    record: R,
    context: HeldWriteContext,
  ): Promise<string | undefined> {
    const decision = outcome.memgar.decision;
    if (outcome.stored || !isHeldDecision(decision)) return undefined;
    const id = randomUUID();
    await this.queue.add({
      id,
      content: text,
      ...(outcome.sanitized !== undefined ? { sanitized: outcome.sanitized } : {}),
      decision,
      reason: outcome.reason,
      rule: outcome.memgar.rule,
      ruleIds: outcome.ruleIds,
      riskScore: outcome.memgar.riskScore,
      context: { ...context, metadata: { [RECORD_KEY]: record } },
      queuedAt: new Date().toISOString(),
      status: 'pending',
    });
    return id;
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
