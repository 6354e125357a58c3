import { type AdapterWriteOptions, type EnforcerLike, idField } from './guard-options.js';
import { guardWrites, MemoryRefusedError, type WriteItem, type WriteOutcome } from './guard-writes.js';

/**
 * Write outcomes remembered by key (what the adapter counts as the same write: its source and
 * text), at most `max` of them, the oldest forgotten first: for a history or checkpoint saved again
 * and again with the same messages, so that each is decided once (refusals too) rather than at
 * every save. A policy change does not apply to a remembered write.
 */
export class WriteMemo {
  readonly #max: number;
  readonly #outcomes = new Map<string, WriteOutcome>();

  /** @param max How many outcomes are remembered. @default 512 */
  constructor(max = 512) {
    this.#max = max;
  }

  /** How many outcomes are remembered now. */
  get size(): number {
    return this.#outcomes.size;
  }

  /**
   * `guardWrites` for the items whose key is not remembered (their decisions reported to
   * `onDecision`), then every item's outcome, remembered or new, in input order. With `onRefused:
   * 'throw'` it rejects with `MemoryRefusedError` for the first refused item (a remembered refusal
   * too) once every outcome is remembered.
   */
  async guardWrites(
    enforcer: EnforcerLike,
    options: AdapterWriteOptions,
    items: readonly (WriteItem & { key: string })[],
  ): Promise<WriteOutcome[]> {
    while (this.#outcomes.size > this.#max)
      this.#outcomes.delete(this.#outcomes.keys().next().value as string);
    const cached = items.map((item) => this.#outcomes.get(item.key)); // read now: a concurrent call may evict
    const fresh = items.filter((_, n) => cached[n] === undefined);
    const outcomes = await guardWrites(enforcer, { ...options, onRefused: 'drop' }, fresh);
    for (const [n, item] of fresh.entries()) this.#outcomes.set(item.key, outcomes[n] as WriteOutcome);
    let next = 0;
    const out = cached.map((c) => c ?? (outcomes[next++] as WriteOutcome));
    const refused = options.onRefused === 'throw' ? out.findIndex((o) => !o.stored) : -1;
    const r = out[refused];
    if (r !== undefined) {
      throw new MemoryRefusedError(
        r.memgar.decision,
        r.memgar.rule,
        r.reason,
        idField(items[refused]?.id).id,
      );
    }
    return out;
  }
}
