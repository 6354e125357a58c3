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

type Hit = readonly [DocumentInterface, number?];

/**
 * The allowed documents of `hits`, best first, with their (possibly sanitized) text,
 * `metadata.memgar` and their score; `metadata.source` keys per-source trust.
 */
export async function guardDocuments(
  enforcer: kit.EnforcerLike,
  o: GuardRetrievalOptions,
  query: string | undefined,
  hits: readonly Hit[],
): Promise<[Document, number][]> {
  const read = ([d, score]: Hit) => ({ text: d.pageContent, id: d.id, score, sourceId: d.metadata?.source });
  const kept = await kit.guardRecords(enforcer, o, hits, read, { query, sourceType: o.sourceType });
  return kept.map(({ record: [d, score], text, memgar }) => {
    const doc = new Document({ pageContent: text, metadata: { ...d.metadata, memgar }, id: d.id });
    return [doc, score as number];
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

  override async _getRelevantDocuments(query: string, runManager?: CallbackManagerForRetrieverRun) {
    const hits = (await this.#inner.invoke(query, runManager?.getChild())).map((d) => [d] as const);
    return (await guardDocuments(this.#enforcer, this.#options, query, hits)).map(([d]) => d);
  }
}

/** Wraps a retriever so that retrieved documents are filtered and re-ranked by memgar. */
export function guardRetriever(inner: RetrieverLike, options: GuardRetrievalOptions = {}): GuardedRetriever {
  return new GuardedRetriever(inner, options);
}
