import { guardAndHold, type HoldOptions } from './guard-and-hold.js';
import type { AdapterWriteOptions, EnforcerLike } from './guard-options.js';
import { guardWrites, type WriteItem } from './guard-writes.js';
import type { MemgarMetadata } from './memgar-metadata.js';

/** The enforcer method a write guard calls (a `MemoryRuntimeEnforcer` has it). */
export type WriteEnforcer = Pick<EnforcerLike, 'onMemoryWrite'>;

/** A write of a batch that may be stored. */
export interface AdmittedWrite {
  /** Position in the batch (to find the framework's record again). */
  index: number;
  /** The text to store: the original or its sanitized rewrite. */
  text: string;
  /** `text` differs from the item's text (re-embed it, rebuild the record). */
  rewritten: boolean;
  memgar: MemgarMetadata;
}

/**
 * `guardWrites` as a store adapter uses it: only the writes that may be stored, in input order,
 * each with the text to store and whether it was rewritten. Refused writes are left out after
 * being reported (or, with `onRefused: 'throw'`, the call rejects with `MemoryRefusedError` and
 * nothing of the batch may be stored). With `hold`, the writes are decided by `guardAndHold`:
 * quarantined and human-review ones are queued in `hold.held` with their record first.
 */
export async function admitWrites<R = never>(
  enforcer: WriteEnforcer,
  options: AdapterWriteOptions,
  items: readonly WriteItem[],
  hold?: HoldOptions<R>,
): Promise<AdmittedWrite[]> {
  // `guardWrites` and `guardAndHold` call only `onMemoryWrite`.
  const full = enforcer as EnforcerLike;
  const outcomes = hold
    ? await guardAndHold(full, options, items, hold)
    : await guardWrites(full, options, items);
  return outcomes.flatMap((o, index) =>
    o.stored ? [{ index, text: o.text, rewritten: o.text !== items[index]?.text, memgar: o.memgar }] : [],
  );
}
