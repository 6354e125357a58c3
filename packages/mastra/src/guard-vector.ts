import type { MastraVector, QueryResult, QueryVectorParams, UpsertVectorParams } from '@mastra/core/vector';
import { InvalidInputError, type SourceType } from '@memgar/core';
import * as kit from '@memgar/core/adapter-kit';

export interface GuardVectorOptions extends kit.AdapterWriteOptions {
  /** The metadata field holding each vector's text. @default 'text' */
  textField?: string;
  /** Source type of upserted and retrieved texts. @default 'rag' */
  sourceType?: SourceType;
}

/** `query` also takes the query's text, which the retrieval guard compares chunks with; `held` holds upserts under review. */
export type GuardedVector<V extends MastraVector> = Omit<V, 'query'> & {
  query(params: Parameters<V['query']>[0] & { queryText?: string }): Promise<QueryResult[]>;
  /** Quarantined and human-review vectors, each as the one-vector upsert `held.approve` runs. */
  readonly held: kit.HeldWrites<UpsertVectorParams>;
};

const { flatMemgarMetadata: flat } = kit;

/**
 * Guards a `MastraVector` in place (Mastra, tools and your code all go through the guard):
 * `upsert` decides each vector's text (`metadata[textField]`) before anything is stored, and
 * `query` filters, re-ranks and sanitizes what comes back. The decision is recorded in flat
 * metadata keys (`memgar_decision`, `memgar_risk`, `memgar_rule`), which every store accepts.
 * Guarding again replaces the guard. Every other method is the store's own.
 */
export function guardVector<V extends MastraVector>(vector: V, options: GuardVectorOptions = {}) {
  const enforcer = kit.resolveEnforcer(options);
  const field = options.textField ?? 'text';
  const sourceType = options.sourceType ?? 'rag';
  const own = kit.originalMethods<MastraVector, 'upsert' | 'query'>(vector, ['upsert', 'query']);
  const held = new kit.HeldWrites<UpsertVectorParams>((params) => own.upsert(params));

  const upsert = async (params: UpsertVectorParams): Promise<string[]> => {
    const { indexName, vectors, metadata = [], ids, sparseVectors } = params;
    if (!Array.isArray(vectors)) throw new InvalidInputError('vectors', 'upsert expects an array of vectors');
    const texts = vectors.map((_, i) => metadata[i]?.[field] as string);
    const bad = texts.findIndex((t) => typeof t !== 'string');
    if (bad !== -1) throw new InvalidInputError(`metadata[${bad}].${field}`, `vector ${bad} has no text`);
    const items = texts.map((text, i) => ({ text, sourceType, id: ids?.[i] }));
    const meta = (i: number, text: string, m: kit.MemgarMetadata) => ({
      ...metadata[i],
      [field]: text,
      ...flat(m),
    });
    // A held vector is queued as the one-vector upsert approval runs.
    const record = (i: number, o: kit.WriteOutcome) => ({
      indexName,
      vectors: [vectors[i]!],
      metadata: [meta(i, texts[i]!, o.memgar)],
      ids: ids && [ids[i]!],
    });
    const kept = await kit.admitWrites(enforcer, options, items, { held, record });
    const pick = <T>(a: T[] | undefined) => a && kept.map((k) => a[k.index] as T);
    const rows = { vectors: pick(vectors)!, ids: pick(ids), sparseVectors: pick(sparseVectors) };
    const stored = kept.map((k) => meta(k.index, k.text, k.memgar));
    return kept.length > 0 ? await own.upsert({ ...params, ...rows, metadata: stored }) : [];
  };

  const query = async ({ queryText, ...params }: QueryVectorParams & { queryText?: string }) => {
    const results = await own.query(params);
    // A record without text cannot be decided: it is not returned (fail closed), and reported.
    const fields = (r: QueryResult) => ({
      text: r.metadata?.[field] ?? r.document,
      id: r.id,
      score: r.score,
    });
    const how = { sourceType, noTextReason: `no "${field}" text`, query: queryText };
    const kept = await kit.guardRecords(enforcer, options, results, fields, how);
    return kept.map(({ record: r, text, memgar }): QueryResult => {
      const document = r.document === undefined ? {} : { document: text };
      return { ...r, ...document, metadata: { ...r.metadata, [field]: text, ...flat(memgar) } };
    });
  };

  return Object.assign(vector, { upsert, query, held }) as unknown as GuardedVector<V>;
}
