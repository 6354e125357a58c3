import type { HoldOptions } from './guard-and-hold.js';
import { type AdapterWriteOptions, contextIds, type EnforcerLike, idField } from './guard-options.js';
import { guardWrites, MemoryRefusedError, type WriteItem, type WriteOutcome } from './guard-writes.js';
import { isHeldDecision } from './held-writes.js';
import { mostSevere } from './most-severe.js';

/** The outcome for one group of texts stored as one record (an item's fields, a message's parts). */
export interface GroupOutcome {
  /** Every text of the group may be stored (an empty group too). */
  stored: boolean;
  /** Per text: the text to store (the original or its rewrite), undefined when refused. */
  texts: (string | undefined)[];
  /** Per text, its outcome. */
  outcomes: WriteOutcome[];
  /** The group's verdict: its most severe refusal, or its most severe outcome when stored. */
  verdict?: WriteOutcome;
  /** The review id when the group was held. */
  reviewId?: string;
}

/**
 * Decides records made of several texts (one `WriteItem` per text) in one batch: a record is
 * stored only when every text of it is allowed (sanitized texts rewritten), and one refused text
 * refuses it, its most severe refusal being its verdict. With `hold`, a record whose verdict is
 * held is queued once, as its texts one per line (a reviewer approves the record as submitted, so
 * no rewrite is offered), with the source context of its first text. `onRefused: 'throw'` rejects
 * with `MemoryRefusedError` for the first refused record, after the held ones were queued (unless
 * `hold.holdOnThrow` is false, or there is no `hold`: then nothing is queued).
 */
export async function guardGroups<R>(
  enforcer: EnforcerLike,
  options: AdapterWriteOptions,
  groups: readonly (readonly WriteItem[])[],
  hold?: HoldOptions<R>,
): Promise<GroupOutcome[]> {
  const throws = options.onRefused === 'throw';
  const holdFirst = hold !== undefined && hold.holdOnThrow !== false;
  const flat = await guardWrites(
    enforcer,
    holdFirst ? { ...options, onRefused: 'drop' } : options,
    groups.flat(),
  );
  let k = 0;
  const out = groups.map((items): GroupOutcome => {
    const outcomes = flat.slice(k, k + items.length);
    k += items.length;
    const refused = outcomes.filter((o) => !o.stored);
    const verdict = mostSevere(refused.length > 0 ? refused : outcomes);
    const texts = outcomes.map((o) => o.text);
    return { stored: refused.length === 0, texts, outcomes, ...(verdict !== undefined ? { verdict } : {}) };
  });
  for (const [g, o] of hold ? out.entries() : []) {
    if (o.stored || o.verdict === undefined || !isHeldDecision(o.verdict.memgar.decision)) continue;
    const items = groups[g] as readonly WriteItem[];
    const { sourceType = 'memory', sourceId } = items[0] as WriteItem;
    const context = { sourceType, ...(sourceId !== undefined ? { sourceId } : {}), ...contextIds(options) };
    const text = items.map((i) => i.text).join('\n');
    const record = await hold!.record(g, o.verdict);
    const reviewId = await hold!.held.holdOne({ ...o.verdict, sanitized: undefined }, text, record, context);
    if (reviewId !== undefined) o.reviewId = reviewId;
  }
  const refused = throws ? out.findIndex((o) => !o.stored) : -1;
  const v = out[refused]?.verdict;
  if (v !== undefined) {
    const id = groups[refused]?.[out[refused]!.outcomes.indexOf(v)]?.id;
    throw new MemoryRefusedError(v.memgar.decision, v.memgar.rule, v.reason, idField(id).id);
  }
  return out;
}
