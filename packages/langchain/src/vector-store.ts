import type { DocumentInterface } from '@langchain/core/documents';
import { VectorStore } from '@langchain/core/vectorstores';
import { checkWrites, type EnforcerLike, type MemgarWriteOptions, resolveEnforcer } from './guard.js';
import { type GuardRetrievalOptions, guardDocuments } from './retriever.js';

export interface GuardVectorStoreOptions extends MemgarWriteOptions, GuardRetrievalOptions {}

type AddDocumentOptions = Parameters<VectorStore['addDocuments']>[1];
type Filter<V extends VectorStore> = V['FilterType'];

/**
 * A `VectorStore` over another one: documents are decided before they are embedded and stored
 * (refused ones are not added, sanitized ones are stored rewritten, with `metadata.memgar`);
 * searches go through the retrieval guard. `asRetriever()` works as on any vector store.
 */
export class GuardedVectorStore<V extends VectorStore = VectorStore> extends VectorStore {
  declare FilterType: Filter<V>;
  readonly inner: V;
  readonly #enforcer: EnforcerLike;
  readonly #options: GuardVectorStoreOptions;

  constructor(inner: V, options: GuardVectorStoreOptions = {}) {
    super(inner.embeddings, {});
    this.inner = inner;
    this.#options = options;
    this.#enforcer = resolveEnforcer(options);
  }

  _vectorstoreType(): string {
    // The base constructor calls this before `inner` is set.
    const inner = this.inner as V | undefined;
    return inner === undefined ? 'memgar' : `memgar:${inner._vectorstoreType()}`;
  }

  /** The documents to store (rewritten when sanitized) and their positions in the input. */
  async #admit(documents: DocumentInterface[]): Promise<{ docs: DocumentInterface[]; kept: number[] }> {
    const safe = await checkWrites(
      this.#enforcer,
      this.#options,
      documents.map((d) => ({
        text: d.pageContent,
        sourceType: this.#options.sourceType ?? 'rag',
        id: d.id,
      })),
    );
    const docs: DocumentInterface[] = [];
    const kept: number[] = [];
    for (const [i, d] of documents.entries()) {
      const text = safe[i];
      if (text === undefined) continue;
      docs.push({
        ...d,
        pageContent: text,
        metadata: { ...d.metadata, memgar: { sanitized: text !== d.pageContent } },
      });
      kept.push(i);
    }
    return { docs, kept };
  }

  #options_for(options: AddDocumentOptions | undefined, kept: number[]): AddDocumentOptions | undefined {
    const given = options?.ids;
    if (!Array.isArray(given)) return options;
    return { ...options, ids: kept.map((i) => given[i]) };
  }

  override async addDocuments(documents: DocumentInterface[], options?: AddDocumentOptions) {
    const { docs, kept } = await this.#admit(documents);
    if (docs.length === 0) return [];
    return this.inner.addDocuments(docs, this.#options_for(options, kept));
  }

  /** Vectors of sanitized documents are recomputed from the rewrite; refused ones are dropped. */
  override async addVectors(
    vectors: number[][],
    documents: DocumentInterface[],
    options?: AddDocumentOptions,
  ) {
    const { docs, kept } = await this.#admit(documents);
    if (docs.length === 0) return [];
    const out: number[][] = [];
    for (const [j, i] of kept.entries()) {
      const d = docs[j] as DocumentInterface;
      out.push(
        d.pageContent === documents[i]?.pageContent
          ? (vectors[i] as number[])
          : await this.embeddings.embedQuery(d.pageContent),
      );
    }
    return this.inner.addVectors(out, docs, this.#options_for(options, kept));
  }

  async #guard(
    query: string | undefined,
    hits: [DocumentInterface, number][],
  ): Promise<[DocumentInterface, number][]> {
    const kept = await guardDocuments(
      this.#enforcer,
      this.#options,
      query,
      hits.map((h) => h[0]),
      hits.map((h) => h[1]),
    );
    return kept.map((k) => [k.doc, (hits[k.index] as [DocumentInterface, number])[1]]);
  }

  /** Guarded without the query text (the retrieval guard's query-mirroring signal needs it). */
  override async similaritySearchVectorWithScore(query: number[], k: number, filter?: Filter<V>) {
    return this.#guard(undefined, await this.inner.similaritySearchVectorWithScore(query, k, filter));
  }

  override async similaritySearchWithScore(query: string, k = 4, filter?: Filter<V>) {
    const vector = await this.embeddings.embedQuery(query);
    return this.#guard(query, await this.inner.similaritySearchVectorWithScore(vector, k, filter));
  }

  override async similaritySearch(query: string, k = 4, filter?: Filter<V>) {
    return (await this.similaritySearchWithScore(query, k, filter)).map((h) => h[0]);
  }

  override async delete(params?: Record<string, unknown>): Promise<void> {
    return this.inner.delete(params);
  }
}

/** Wraps a LangChain vector store so that writes and searches are decided by memgar. */
export function guardVectorStore<V extends VectorStore>(
  store: V,
  options: GuardVectorStoreOptions = {},
): GuardedVectorStore<V> {
  return new GuardedVectorStore(store, options);
}
