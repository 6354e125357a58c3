import type { Decision, SourceType } from '@memgar/core';
import type { HeldStoreOptions, HeldWrites, MemgarMetadata, SqlStatement } from '@memgar/core/adapter-kit';

/** What the guard needs of a `pg` `Client`, `Pool` or `PoolClient`. */
export interface PgQueryable {
  query(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

export interface GuardPgVectorOptions extends HeldStoreOptions {
  /** The guarded table as named in the catalog (`items`, `rag.items`); the helpers quote it. */
  table: string;
  /** @default 'id' */
  idColumn?: string;
  /** The text column: every value written to it is decided first. @default 'content' */
  textColumn?: string;
  /** The pgvector column. @default 'embedding' */
  embeddingColumn?: string;
  /** A jsonb column memgar merges `memgar: { decision, …, sourceType }` into; `null` for none. @default 'metadata' */
  metadataColumn?: string | null;
  /** Embeds sanitized rewrites (re-embedded), rows with a NULL embedding and text queries. @default none */
  embed?: (text: string) => Promise<readonly number[]>;
  /** Source type of writes, and of read rows without stored provenance. @default 'rag' */
  sourceType?: SourceType;
  /** The distance `similaritySearch` orders by. @default 'cosine' */
  distance?: 'cosine' | 'l2' | 'inner_product';
  /** `similaritySearch` keeps only rows stored with one of these decisions, or approved by a reviewer. @default no filter */
  onlyDecisions?: readonly Decision[];
}

/** A row for `insert` / `upsert`. */
export interface PgVectorRow {
  /** Required by `upsert`; give it for every row of a call or for none (a serial default). @default none */
  id?: string | number;
  text: string;
  /** @default NULL, or `embed(text)` when `embed` is set */
  embedding?: readonly number[];
  /** Stored as is, with memgar's `memgar` key added. @default {} */
  metadata?: Record<string, unknown>;
  /** @default the `sourceType` option */
  sourceType?: SourceType;
  /** @default none */
  sourceId?: string;
}

/** What `insert` / `upsert` did with each row (in input order), and how many rows were written. */
export interface PgWriteReport {
  rows: { decision: Decision; stored: boolean; reviewId?: string }[];
  rowCount: number;
}

export interface PgVectorHit {
  /** The row as stored, its text (maybe sanitized) replaced and the retrieval's `memgar` in its metadata. */
  row: Record<string, unknown>;
  text: string;
  distance: number;
  memgar: MemgarMetadata;
}

export interface SimilaritySearchOptions {
  /** @default the `onlyDecisions` option */
  onlyDecisions?: readonly Decision[];
  /** Only rows whose metadata contains this object (jsonb `@>`). @default none */
  filter?: Record<string, unknown>;
}

/** A held write: the statement that stores it when a reviewer approves. */
export type PgHeldRecord = SqlStatement;

export interface PgVectorHelpers {
  /** Decides every row; stores the allowed ones (sanitized text swapped in) in one statement. */
  insert(rows: readonly PgVectorRow[]): Promise<PgWriteReport>;
  /** `insert` with `ON CONFLICT (id) DO UPDATE`. */
  upsert(rows: readonly PgVectorRow[]): Promise<PgWriteReport>;
  /** The `k` nearest rows to a vector (or a text, with `embed`), guarded and re-ranked. */
  similaritySearch(
    query: string | readonly number[],
    k: number,
    options?: SimilaritySearchOptions,
  ): Promise<PgVectorHit[]>;
  /** Quarantined and human-review writes: `held.approve(reviewId, reviewer)` stores one. */
  readonly held: HeldWrites<PgHeldRecord>;
}

/** The wrapped client: the same object and methods, `query` guarded, plus the helpers. */
export type GuardedPgVector<C> = C & PgVectorHelpers;
