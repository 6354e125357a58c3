import type { Decision, SourceType } from '../analyzer/types.js';
import { ContentBlockedError } from '../errors/content-blocked-error.js';
import { type AdapterWriteOptions, contextIds, type EnforcerLike, idField } from './guard-options.js';
import { mapPool } from './map-pool.js';
import { type MemgarMetadata, memgarMetadata } from './memgar-metadata.js';

const REFUSED_BRAND = Symbol.for('memgar.adapter.refused');

/** A write the policy refused (`onRefused: 'throw'`); nothing of its batch was stored. */
export class MemoryRefusedError extends ContentBlockedError {
  readonly [REFUSED_BRAND] = true;
  /** The id of the refused record, when it had one. */
  readonly id: string | undefined;

  constructor(decision: Decision, rule: string, reason: string, id?: string) {
    super(`memgar refused the write (${decision}, ${rule}): ${reason}`, { decision, rule });
    this.name = 'MemoryRefusedError';
    this.id = id;
  }

  static override isInstance(value: unknown): value is MemoryRefusedError {
    return typeof value === 'object' && value !== null && REFUSED_BRAND in value;
  }
}

/** One text an adapter is about to store. */
export interface WriteItem {
  text: string;
  /** @default 'memory' */
  sourceType?: SourceType;
  /** Where the text came from (URL, document id). @default none */
  sourceId?: string;
  /** The record's id, reported with the decision. @default none */
  id?: string | number;
}

/** The outcome for one `WriteItem`: the text to store (the original or its rewrite), or nothing. */
export type WriteOutcome = ({ stored: true; text: string } | { stored: false; text: undefined }) & {
  memgar: MemgarMetadata;
  reason: string;
  /** Finding ids behind the decision. */
  ruleIds: string[];
  /** The analyzer's sanitized rewrite, when it offered one (for reviewers of held writes). */
  sanitized?: string;
};

/**
 * Decides a batch of writes before any is stored: at most `concurrency` analyses at once,
 * decisions reported to `onDecision` in input order. With `onRefused: 'throw'` a refusal rejects
 * with `MemoryRefusedError` (the first refused item) after every item was decided and reported,
 * so the caller stores nothing of the batch.
 */
export async function guardWrites(
  enforcer: EnforcerLike,
  options: AdapterWriteOptions,
  items: readonly WriteItem[],
): Promise<WriteOutcome[]> {
  const ids = contextIds(options);
  const verdicts = await mapPool(items, options.concurrency ?? 8, (item) =>
    enforcer.onMemoryWrite(item.text, {
      sourceType: item.sourceType ?? 'memory',
      ...(item.sourceId !== undefined ? { sourceId: item.sourceId } : {}),
      ...ids,
    }),
  );
  let refusal: MemoryRefusedError | undefined;
  const out = verdicts.map((v, i): WriteOutcome => {
    const item = items[i] as WriteItem;
    const { decision, allowed, reason, rule, riskScore } = v;
    const id = idField(item.id);
    options.onDecision?.({ boundary: 'memory_write', decision, allowed, reason, rule, riskScore, ...id });
    const common = {
      memgar: memgarMetadata(v),
      reason,
      ruleIds: v.findings.map((f) => f.ruleId),
      ...(v.analysis?.sanitized !== undefined ? { sanitized: v.analysis.sanitized } : {}),
    };
    if (allowed && v.safeContent !== undefined) return { stored: true, text: v.safeContent, ...common };
    if (options.onRefused === 'throw') refusal ??= new MemoryRefusedError(decision, rule, reason, id.id);
    return { stored: false, text: undefined, ...common };
  });
  if (refusal !== undefined) throw refusal;
  return out;
}
