import type { MastraVector, QueryResult, QueryVectorParams, UpsertVectorParams } from '@mastra/core/vector';
import { InvalidInputError, type SourceType } from '@memgar/core';
import {
  type AdapterWriteOptions,
  contextIds,
  flatMemgarMetadata as flat,
  guardRetrieved,
  guardWrites,
  HeldWrites,
  resolveEnforcer,
} from '@memgar/core/adapter-kit';

export interface GuardVectorOptions extends AdapterWriteOptions {
  /** The metadata field holding each vector's text. @default 'text' */
  textField?: string;
  /** Source type of upserted and retrieved texts. @default 'rag' */
  sourceType?: SourceType;
}

/** A held vector as it would have been upserted (`held.approve` upserts it). */
export interface HeldVector {
  indexName: string;
  vector: number[];
  metadata: Record<string, unknown>;
  id?: string;
}

/** Query parameters plus the query's text, which lets the retrieval guard compare chunks with it. */
export type GuardedQueryParams<V extends MastraVector> = Parameters<V['query']>[0] & { queryText?: string };

export type GuardedVector<V extends MastraVector> = Omit<V, 'query'> & {
  query(params: GuardedQueryParams<V>): Promise<QueryResult[]>;
  /** Quarantined and human-review upserts, awaiting review. */
  readonly held: HeldWrites<HeldVector>;
};

const originals = new WeakMap<MastraVector, Pick<MastraVector, 'upsert' | 'query'>>();
const NO_TEXT = { boundary: 'retrieval', decision: 'quarantine', allowed: false, riskScore: 0 } as const;

/**
 * Guards a `MastraVector` in place (so Mastra, tools and your code all go through the guard):
 * `upsert` decides each vector's text (`metadata[textField]`) before anything is stored, and
 * `query` filters, re-ranks and sanitizes what comes back. The decision is recorded in flat
 * metadata keys (`memgar_decision`, `memgar_risk`, `memgar_rule`), which every store accepts.
 * Guarding again replaces the guard. Every other method is the store's own.
 */
export function guardVector<V extends MastraVector>(vector: V, options: GuardVectorOptions = {}) {
  const enforcer = resolveEnforcer(options);
  const field = options.textField ?? 'text';
  const sourceType = options.sourceType ?? 'rag';
  const own = originals.get(vector) ?? {
    upsert: vector.upsert.bind(vector),
    query: vector.query.bind(vector),
  };
  originals.set(vector, own);
  const { upsert, query } = own;
  const held = new HeldWrites<HeldVector>(({ indexName, vector: v, metadata, id }) =>
    upsert({ indexName, vectors: [v], metadata: [metadata], ids: id === undefined ? undefined : [id] }),
  );

  const guardedUpsert = async (params: UpsertVectorParams): Promise<string[]> => {
    const { indexName, vectors, metadata = [], ids, sparseVectors } = params;
    const texts = vectors.map((_, i) => metadata[i]?.[field] as string);
    const bad = texts.findIndex((t) => typeof t !== 'string');
    if (bad !== -1) throw new InvalidInputError(`metadata[${bad}].${field}`, `vector ${bad} has no text`);
    const items = texts.map((text, i) => ({ text, sourceType, id: ids?.[i] }));
    const outcomes = await guardWrites(enforcer, options, items);
    const meta = (i: number, text: string) => ({
      ...metadata[i],
      [field]: text,
      ...flat(outcomes[i]!.memgar),
    });
    const kept = outcomes.flatMap((o, i) => (o.stored ? [i] : []));
    const pick = <T>(a: T[] | undefined) => a && kept.map((i) => a[i] as T);
    const rows = { vectors: pick(vectors)!, metadata: kept.map((i) => meta(i, outcomes[i]!.text!)) };
    const ok = { ids: pick(ids), sparseVectors: pick(sparseVectors) };
    const stored = kept.length === 0 ? [] : await upsert({ ...params, ...rows, ...ok });
    const records = vectors.map((v, i) => ({
      indexName,
      vector: v,
      metadata: meta(i, texts[i]!),
      id: ids?.[i],
    }));
    await held.hold(outcomes, texts, records, { sourceType, ...contextIds(options) });
    return stored;
  };

  const guardedQuery = async ({ queryText, ...params }: GuardedQueryParams<V>): Promise<QueryResult[]> => {
    const results = await query(params as QueryVectorParams);
    const textOf = (r: QueryResult): unknown => (r.metadata?.[field] as unknown) ?? r.document;
    for (const r of results.filter((r) => typeof textOf(r) !== 'string')) {
      // A record without text cannot be decided: not returned (fail closed), and reported.
      options.onDecision?.({ ...NO_TEXT, rule: 'mastra:no-text', reason: `no "${field}" text`, id: r.id });
    }
    const withText = results.filter((r) => typeof textOf(r) === 'string');
    const items = withText.map((r) => ({ text: textOf(r) as string, id: r.id, score: r.score }));
    const kept = await guardRetrieved(enforcer, options, queryText, items, sourceType);
    return kept.map(({ index, text, memgar }) => {
      const r = withText[index]!;
      const document = r.document === undefined ? {} : { document: text };
      return { ...r, ...document, metadata: { ...r.metadata, [field]: text, ...flat(memgar) } };
    });
  };

  const guarded = Object.assign(vector, { upsert: guardedUpsert, query: guardedQuery, held });
  return guarded as unknown as GuardedVector<V>;
}
