import type { SourceType } from '../analyzer/types.js';
import { type AdapterGuardOptions, contextIds, type EnforcerLike, idField } from './guard-options.js';
import { type MemgarMetadata, memgarMetadata } from './memgar-metadata.js';

/** One retrieved record, as the store returned it. */
export interface RetrievedItem {
  text: string;
  /** The store's id of the record. @default none */
  id?: string | number;
  /** The store's similarity score (higher is better; pass `1 - distance` for distances). @default none */
  score?: number;
  /** Where the record came from (URL, document id): keys per-source trust. @default none */
  sourceId?: string;
  /** @default the `sourceType` argument of `guardRetrieved` */
  sourceType?: SourceType;
}

/** A retrieved record that may enter the context. */
export interface KeptItem {
  /** Position in the input (to find the store's record again). */
  index: number;
  /** The text to use: the original or its sanitized rewrite. */
  text: string;
  memgar: MemgarMetadata;
}

/**
 * Guards retrieved records with `onRetrieval` for `query`: returns those allowed, best first
 * (relevance × trust × risk), with their (possibly sanitized) text; every record's decision is
 * reported to `onDecision` in input order. Refused records are filtered, never returned.
 */
export async function guardRetrieved(
  enforcer: EnforcerLike,
  options: AdapterGuardOptions,
  query: string | undefined,
  items: readonly RetrievedItem[],
  sourceType: SourceType = 'rag',
): Promise<KeptItem[]> {
  if (items.length === 0) return [];
  const verdict = await enforcer.onRetrieval(
    items.map((item) => ({
      content: item.text,
      sourceType: item.sourceType ?? sourceType,
      ...idField(item.id),
      ...(item.sourceId !== undefined ? { sourceId: item.sourceId } : {}),
      ...(item.score !== undefined && Number.isFinite(item.score) ? { score: item.score } : {}),
    })),
    { ...(query !== undefined ? { query } : {}), ...contextIds(options) },
  );
  for (const v of verdict.verdicts) {
    const { decision, allowed, reason, rule, riskScore } = v;
    options.onDecision?.({
      boundary: 'retrieval',
      decision,
      allowed,
      reason,
      rule,
      riskScore,
      ...idField(v.id),
    });
  }
  return verdict.chunks.map((c) => ({
    index: c.index,
    text: c.safeContent ?? '',
    memgar: memgarMetadata(c),
  }));
}
