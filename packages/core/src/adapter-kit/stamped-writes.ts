import { type EmbedText, embedChecked } from './embed.js';
import { guardAndHold, type HeldOutcome } from './guard-and-hold.js';
import type { AdapterWriteOptions, EnforcerLike } from './guard-options.js';
import type { WriteItem } from './guard-writes.js';
import type { HeldWrites } from './held-writes.js';
import { mapPool } from './map-pool.js';
import { type MemgarStamp, memgarStamp } from './memgar-stamp.js';

/** One write ready for the store: what to store, the stamp to record with it, and its new vector. */
export interface StampedWrite {
  /** Position of its item in the batch. */
  index: number;
  /** The text to store: the original, or its sanitized rewrite. */
  text: string;
  /** The decision and source to record (`review: 'approved'` on a held write's record). */
  stamp: MemgarStamp;
  /** `embed(text)`, when the write was re-embedded. */
  vector?: number[];
}

/** How `guardStampedWrites` embeds writes and builds their store records. */
export interface StampedWriteOptions<R> {
  /** The adapter's held writes. */
  held: HeldWrites<R>;
  /**
   * The store record (a row, a statement) of some writes: called once per held write (its
   * original text, stamped as approved: it is written only when a reviewer approves it), then
   * once with every write to store now, in input order.
   */
  build: (writes: StampedWrite[]) => R | Promise<R>;
  /** Embeds the writes `reembed` selects (at most `concurrency` at once). @default none */
  embed?: EmbedText | undefined;
  /** Whether item `index`, to be stored as `text`, needs `embed`. @default `text` was rewritten */
  reembed?: (index: number, text: string) => boolean;
}

/**
 * A store adapter's write path: `guardAndHold` over `items` (with `onRefused: 'throw'` a refusal
 * rejects before anything is queued or built), then the writes to store — rewritten text, new
 * vector when `embed` applies, `MemgarStamp` of their decision and source — built into one record
 * by `how.build`. `stored` is undefined when no write may be stored.
 */
export async function guardStampedWrites<R>(
  enforcer: EnforcerLike,
  options: AdapterWriteOptions,
  items: readonly WriteItem[],
  how: StampedWriteOptions<R>,
): Promise<{ outcomes: HeldOutcome[]; stored: R | undefined }> {
  const { embed, reembed = (i, text) => text !== items[i]?.text } = how;
  type Pick = { index: number; outcome: HeldOutcome; text: string };
  const build = async (picked: Pick[], approved: boolean) => {
    const vectors = await mapPool(picked, options.concurrency ?? 8, ({ index, text }) =>
      embed && reembed(index, text) ? embedChecked(embed, text) : Promise.resolve(undefined),
    );
    const writes = picked.map(({ index, outcome, text }, n): StampedWrite => {
      const vector = vectors[n];
      const stamp = memgarStamp(outcome.memgar, items[index] as WriteItem, approved);
      return { index, text, stamp, ...(vector !== undefined && { vector }) };
    });
    return how.build(writes);
  };
  const record = (index: number, outcome: HeldOutcome) =>
    build([{ index, outcome, text: (items[index] as WriteItem).text }], true);
  const hold = { held: how.held, record, holdOnThrow: false };
  const outcomes = await guardAndHold(enforcer, options, items, hold);
  const picked = outcomes.flatMap((outcome, index) =>
    outcome.stored ? [{ index, outcome, text: outcome.text }] : [],
  );
  return { outcomes, stored: picked.length > 0 ? await build(picked, false) : undefined };
}
