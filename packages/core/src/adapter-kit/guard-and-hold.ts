import { type AdapterWriteOptions, contextIds, type EnforcerLike, idField } from './guard-options.js';
import { guardWrites, MemoryRefusedError, type WriteItem, type WriteOutcome } from './guard-writes.js';
import { type HeldWrites, isHeldDecision } from './held-writes.js';

/** A `WriteOutcome`, with the review id when the write was held. */
export type HeldOutcome = WriteOutcome & { reviewId?: string };

/** Where `guardAndHold` queues held writes, and what it queues. */
export interface HoldOptions<R> {
  /** The adapter's held writes. */
  held: HeldWrites<R>;
  /** The store record approval writes for `items[index]`: called for held outcomes only, in input order. */
  record: (index: number, outcome: WriteOutcome) => R | Promise<R>;
  /**
   * With `onRefused: 'throw'`: queue the call's held writes, then throw (`true`), or throw before
   * anything is queued, as `guardWrites` does (`false`). @default true
   */
  holdOnThrow?: boolean;
}

/**
 * `guardWrites`, then every held outcome (`quarantine`, `human_review`) queued in `hold.held` with
 * its record and its own source context (`sourceType`, `sourceId` of its item, plus `agentId` /
 * `tenantId`). With `onRefused: 'throw'` it then rejects with `MemoryRefusedError` for the first
 * refused item (all items decided and reported first, nothing stored), so an adapter need not
 * decide in drop mode and throw by itself.
 */
export async function guardAndHold<R>(
  enforcer: EnforcerLike,
  options: AdapterWriteOptions,
  items: readonly WriteItem[],
  hold: HoldOptions<R>,
): Promise<HeldOutcome[]> {
  const throws = options.onRefused === 'throw';
  const first = throws && hold.holdOnThrow === false ? options : { ...options, onRefused: 'drop' as const };
  const outcomes: HeldOutcome[] = await guardWrites(enforcer, first, items);
  const ids = contextIds(options);
  for (const [i, o] of outcomes.entries()) {
    if (o.stored || !isHeldDecision(o.memgar.decision)) continue;
    const { text, sourceType = 'memory', sourceId } = items[i] as WriteItem;
    const context = { sourceType, ...(sourceId !== undefined ? { sourceId } : {}), ...ids };
    const reviewId = await hold.held.holdOne(o, text, await hold.record(i, o), context);
    if (reviewId !== undefined) outcomes[i] = { ...o, reviewId };
  }
  const refused = throws ? outcomes.findIndex((o) => !o.stored) : -1;
  const r = outcomes[refused];
  if (r !== undefined) {
    throw new MemoryRefusedError(r.memgar.decision, r.memgar.rule, r.reason, idField(items[refused]?.id).id);
  }
  return outcomes;
}
