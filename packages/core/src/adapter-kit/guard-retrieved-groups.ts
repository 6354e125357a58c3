import type { SourceType } from '../analyzer/types.js';
import type { AdapterGuardOptions, EnforcerLike } from './guard-options.js';
import { guardRetrieved, type RetrievedItem } from './guard-retrieved.js';
import type { MemgarMetadata } from './memgar-metadata.js';
import { mostSevere } from './most-severe.js';

/** The outcome for one retrieved record made of several texts. */
export interface RetrievedGroup {
  /** Every text of the record may enter the context (a record without texts too). */
  kept: boolean;
  /** Per text: the text to use (the original or its rewrite), undefined when refused. */
  texts: (string | undefined)[];
  /** The record's most severe decision, when it is kept and has texts. */
  memgar?: MemgarMetadata;
}

/**
 * `guardRetrieved` for records made of several texts (an item's fields): one `onRetrieval` call
 * for every text of every record, each decision reported in input order. A record may enter the
 * context only when every text of it is kept; its decision is the most severe of its texts'.
 * Records come back in input order, so the store's own ranking and paging stay as they were.
 */
export async function guardRetrievedGroups(
  enforcer: EnforcerLike,
  options: AdapterGuardOptions,
  query: string | undefined,
  groups: readonly (readonly RetrievedItem[])[],
  sourceType: SourceType = 'rag',
): Promise<RetrievedGroup[]> {
  const kept = await guardRetrieved(enforcer, options, query, groups.flat(), sourceType);
  const byIndex = new Map(kept.map((k) => [k.index, k]));
  let at = 0;
  return groups.map((items): RetrievedGroup => {
    const ks = items.map((_, j) => byIndex.get(at + j));
    at += items.length;
    const texts = ks.map((k) => k?.text);
    if (ks.some((k) => k === undefined)) return { kept: false, texts };
    const memgar = mostSevere(ks as NonNullable<(typeof ks)[number]>[])?.memgar;
    return { kept: true, texts, ...(memgar !== undefined ? { memgar } : {}) };
  });
}
