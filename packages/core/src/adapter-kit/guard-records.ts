import type { SourceType } from '../analyzer/types.js';
import type { AdapterGuardOptions, EnforcerLike } from './guard-options.js';
import { guardRetrieved, type RetrievedItem } from './guard-retrieved.js';
import type { MemgarMetadata } from './memgar-metadata.js';
import { storedProvenance } from './memgar-stamp.js';
import { NO_TEXT_RULE, reportFiltered } from './report-filtered.js';

/** What `guardRecords` reads of one store record (raw values: it checks them). */
export interface RecordFields {
  /** The text to analyze; anything but a string means the record has none. */
  text: unknown;
  /** Reported with the decision when a string or a finite number. */
  id?: unknown;
  /** The store's relevance (higher is better), used when a finite number. */
  score?: unknown;
  /** The record's stamped source type, used when a known `SourceType`. */
  sourceType?: unknown;
  /** The record's stamped source id, used when a non-empty string. */
  sourceId?: unknown;
}

/** A store record that may enter the context. */
export interface KeptRecord<T> {
  /** Position in the input. */
  index: number;
  record: T;
  /** The text to use: the original or its sanitized rewrite. */
  text: string;
  memgar: MemgarMetadata;
}

/** How `guardRecords` reads a batch. */
export interface GuardRecordsOptions {
  /** The query the records were retrieved for. @default none */
  query?: string;
  /** Source type of records without a stamped one. @default 'rag' */
  sourceType?: SourceType;
  /** The reason reported for a record without text. @default 'record has no text to analyze' */
  noTextReason?: string;
}

/**
 * `guardRetrieved` over a store's own records: `fields(record, i)` says where each one's text, id,
 * score and stamped provenance are; a record without text is dropped and reported
 * (`NO_TEXT_RULE`, fail closed); the kept ones come back best first with their record.
 */
export async function guardRecords<T>(
  enforcer: EnforcerLike,
  options: AdapterGuardOptions,
  records: readonly T[],
  fields: (record: T, index: number) => RecordFields,
  how: GuardRecordsOptions = {},
): Promise<KeptRecord<T>[]> {
  const index: number[] = [];
  const items: RetrievedItem[] = [];
  for (const [i, record] of records.entries()) {
    const f = fields(record, i);
    const id = typeof f.id === 'string' || typeof f.id === 'number' ? f.id : undefined;
    if (typeof f.text !== 'string') {
      reportFiltered(options, NO_TEXT_RULE, how.noTextReason ?? 'record has no text to analyze', id);
      continue;
    }
    index.push(i);
    items.push({
      text: f.text,
      ...(id !== undefined ? { id } : {}),
      ...(typeof f.score === 'number' && Number.isFinite(f.score) ? { score: f.score } : {}),
      ...storedProvenance(f.sourceType, f.sourceId),
    });
  }
  const kept = await guardRetrieved(enforcer, options, how.query, items, how.sourceType ?? 'rag');
  return kept.map((k) => {
    const i = index[k.index] as number;
    return { index: i, record: records[i] as T, text: k.text, memgar: k.memgar };
  });
}
