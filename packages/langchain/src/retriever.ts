import type { CallbackManagerForRetrieverRun } from '@langchain/core/callbacks/manager';
import { Document, type DocumentInterface } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import type { SourceType } from '@memgar/core';
import * as kit from '@memgar/core/adapter-kit';

export interface GuardRetrievalOptions extends kit.AdapterGuardOptions {
  /** The source type retrieved documents are analyzed as. @default 'rag' */
  sourceType?: SourceType;
}

/** What the guard adds to every returned document's metadata, under `memgar`. */
export type MemgarDocumentMetadata = kit.MemgarMetadata;

/**
 * The allowed documents of `hits` (document and store score), best first, with their (possibly
 * sanitized) text, `metadata.memgar` and their score.
 */
export async function guardDocuments(
  enforcer: kit.EnforcerLike,
  o: GuardRetrievalOptions,
  query: string | undefined,
  hits: readonly (readonly [DocumentInterface, number?])[],
): Promise<[Document, number][]> {
  const items = hits.map(([d, score]) => {
    const sourceId: unknown = d.metadata?.source;
    return {
      text: d.pageContent,
      id: d.id,
      score,
      sourceId: typeof sourceId === 'string' ? sourceId : undefined,
    };
  });
  const kept = await kit.guardRetrieved(enforcer, o, query, items, o.sourceType ?? 'rag');
  return kept.map(({ index, text, memgar }) => {
    const [d, score] = hits[index] as [DocumentInterface, number];
    return [new Document({ pageContent: text, metadata: { ...d.metadata, memgar }, id: d.id }), score];
  });
}

/** The parts of a retriever the guard uses: any LangChain `BaseRetriever` or Runnable of query → documents. */
export interface RetrieverLike {
  invoke(query: string, config?: unknown): Promise<DocumentInterface[]>;
}

export class GuardedRetriever extends BaseRetriever {
  lc_namespace = ['memgar', 'retrievers'];
  readonly #inner: RetrieverLike;
  readonly #enforcer: kit.EnforcerLike;
  readonly #options: GuardRetrievalOptions;

  constructor(inner: RetrieverLike, options: GuardRetrievalOptions = {}) {
    super();
    this.#inner = inner;
    this.#options = options;
    this.#enforcer = kit.resolveEnforcer(options);
  }

  override async _getRelevantDocuments(
    query: string,
    runManager?: CallbackManagerForRetrieverRun,
  ): Promise<Document[]> {
    const docs = await this.#inner.invoke(query, runManager?.getChild());
    const hits = docs.map((d) => [d] as const);
    return (await guardDocuments(this.#enforcer, this.#options, query, hits)).map(([d]) => d);
  }
}

/** Wraps a retriever so that retrieved documents are filtered and re-ranked by memgar. */
export function guardRetriever(
  retriever: RetrieverLike,
  options: GuardRetrievalOptions = {},
): GuardedRetriever {
  return new GuardedRetriever(retriever, options);
}
