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
 * nothing of the batch may be stored).
 */
export async function admitWrites(
  enforcer: WriteEnforcer,
  options: AdapterWriteOptions,
  items: readonly WriteItem[],
): Promise<AdmittedWrite[]> {
  // `guardWrites` calls only `onMemoryWrite`.
  const outcomes = await guardWrites(enforcer as EnforcerLike, options, items);
  return outcomes.flatMap((o, index) =>
    o.stored ? [{ index, text: o.text, rewritten: o.text !== items[index]?.text, memgar: o.memgar }] : [],
  );
}
