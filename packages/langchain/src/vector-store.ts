import type { DocumentInterface } from '@langchain/core/documents';
import { VectorStore } from '@langchain/core/vectorstores';
import * as kit from '@memgar/core/adapter-kit';
import { type GuardRetrievalOptions, guardDocuments } from './retriever.js';

export interface GuardVectorStoreOptions extends kit.AdapterWriteOptions, GuardRetrievalOptions {}

type AddOptions = Parameters<VectorStore['addDocuments']>[1];
type Filter<V extends VectorStore> = V['FilterType'];

/**
 * A `VectorStore` over another one: documents are decided before they are embedded and stored
 * (refused ones are not added, sanitized ones are stored rewritten, with `metadata.memgar`);
 * searches go through the retrieval guard. `asRetriever()` works as on any vector store.
 */
export class GuardedVectorStore<V extends VectorStore = VectorStore> extends VectorStore {
  declare FilterType: Filter<V>;
  readonly inner: V;
  readonly #enforcer: kit.EnforcerLike;
  readonly #options: GuardVectorStoreOptions;

  constructor(inner: V, options: GuardVectorStoreOptions = {}) {
    super(inner.embeddings, {});
    this.inner = inner;
    this.#options = options;
    this.#enforcer = kit.resolveEnforcer(options);
  }

  _vectorstoreType(): string {
    // The base constructor calls this before `inner` is set.
    return this.inner === undefined ? 'memgar' : `memgar:${this.inner._vectorstoreType()}`;
  }

  /** The documents to store (rewritten when sanitized), their input positions, and `options` with their ids. */
  async #admit(documents: DocumentInterface[], options?: AddOptions) {
    const sourceType = this.#options.sourceType ?? 'rag';
    const items = documents.map((d) => ({ text: d.pageContent, sourceType, id: d.id }));
    const kept = await kit.admitWrites(this.#enforcer, this.#options, items);
    const docs = kept.map(({ index, text, rewritten }): DocumentInterface => {
      const d = documents[index]!;
      return { ...d, pageContent: text, metadata: { ...d.metadata, memgar: { sanitized: rewritten } } };
    });
    const ids = options?.ids;
    const opts = Array.isArray(ids) ? { ...options, ids: kept.map((k) => ids[k.index]) } : options;
    return { docs, kept, opts };
  }

  override async addDocuments(documents: DocumentInterface[], options?: AddOptions) {
    const { docs, opts } = await this.#admit(documents, options);
    return docs.length === 0 ? [] : this.inner.addDocuments(docs, opts);
  }

  /** Vectors of sanitized documents are recomputed from the rewrite; refused ones are dropped. */
  override async addVectors(vectors: number[][], documents: DocumentInterface[], options?: AddOptions) {
    const { docs, kept, opts } = await this.#admit(documents, options);
    if (docs.length === 0) return [];
    const embedded = kept.map((k) => (k.rewritten ? this.embeddings.embedQuery(k.text) : vectors[k.index]!));
    return this.inner.addVectors(await Promise.all(embedded), docs, opts);
  }

  /** Guarded without the query text (the retrieval guard's query-mirroring signal needs it). */
  override async similaritySearchVectorWithScore(query: number[], k: number, filter?: Filter<V>) {
    const hits = await this.inner.similaritySearchVectorWithScore(query, k, filter);
    return guardDocuments(this.#enforcer, this.#options, undefined, hits);
  }

  override async similaritySearchWithScore(query: string, k = 4, filter?: Filter<V>) {
    const vector = await this.embeddings.embedQuery(query);
    const hits = await this.inner.similaritySearchVectorWithScore(vector, k, filter);
    return guardDocuments(this.#enforcer, this.#options, query, hits);
  }

  override async similaritySearch(query: string, k = 4, filter?: Filter<V>) {
    return (await this.similaritySearchWithScore(query, k, filter)).map((h) => h[0]);
  }

  override async delete(params?: Record<string, unknown>): Promise<void> {
    return this.inner.delete(params);
  }
}

/** Wraps a LangChain vector store so that writes and searches are decided by memgar. */
export function guardVectorStore<V extends VectorStore>(store: V, options: GuardVectorStoreOptions = {}) {
  return new GuardedVectorStore(store, options);
}
