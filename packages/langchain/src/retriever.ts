import type { CallbackManagerForRetrieverRun } from '@langchain/core/callbacks/manager';
import { Document, type DocumentInterface } from '@langchain/core/documents';
import { BaseRetriever } from '@langchain/core/retrievers';
import type { SourceType } from '@memgar/core';
import { type EnforcerLike, idOf, ids, type MemgarGuardOptions, resolveEnforcer } from './guard.js';

export interface GuardRetrievalOptions extends MemgarGuardOptions {
  /** The source type retrieved documents are analyzed as. @default 'rag' */
  sourceType?: SourceType;
}

/** What the guard adds to every returned document's metadata, under `memgar`. */
export interface MemgarDocumentMetadata {
  decision: string;
  riskScore: number;
  rule: string;
}

/**
 * Runs retrieved documents through `onRetrieval` for `query`: the allowed ones, best first, with
 * their (possibly sanitized) text and `metadata.memgar`. `scores` (same order as `docs`) feed the ranking.
 */
export async function guardDocuments(
  enforcer: EnforcerLike,
  o: GuardRetrievalOptions,
  query: string | undefined,
  docs: readonly DocumentInterface[],
  scores?: readonly number[],
): Promise<{ doc: Document; index: number }[]> {
  if (docs.length === 0) return [];
  const verdict = await enforcer.onRetrieval(
    docs.map((d, i) => {
      const source: unknown = d.metadata?.source;
      return {
        content: d.pageContent,
        sourceType: o.sourceType ?? 'rag',
        ...(d.id !== undefined && d.id !== '' ? { id: d.id } : {}),
        ...(typeof source === 'string' ? { sourceId: source } : {}),
        ...(scores?.[i] !== undefined && Number.isFinite(scores[i]) ? { score: scores[i] } : {}),
      };
    }),
    { ...(query !== undefined ? { query } : {}), ...ids(o) },
  );
  for (const v of verdict.verdicts) {
    const { decision, allowed, reason, rule, riskScore } = v;
    o.onDecision?.({ boundary: 'retrieval', decision, allowed, reason, rule, riskScore, ...idOf(v.id) });
  }
  return verdict.chunks.map((c) => {
    const d = docs[c.index] as DocumentInterface;
    const memgar: MemgarDocumentMetadata = { decision: c.decision, riskScore: c.riskScore, rule: c.rule };
    const doc = new Document({
      pageContent: c.safeContent ?? '',
      metadata: { ...d.metadata, memgar },
      ...(d.id !== undefined ? { id: d.id } : {}),
    });
    return { doc, index: c.index };
  });
}

/** The parts of a retriever the guard uses: any LangChain `BaseRetriever` or Runnable of query → documents. */
export interface RetrieverLike {
  invoke(query: string, config?: unknown): Promise<DocumentInterface[]>;
}

export class GuardedRetriever extends BaseRetriever {
  lc_namespace = ['memgar', 'retrievers'];
  readonly #inner: RetrieverLike;
  readonly #enforcer: EnforcerLike;
  readonly #options: GuardRetrievalOptions;

  constructor(inner: RetrieverLike, options: GuardRetrievalOptions = {}) {
    super();
    this.#inner = inner;
    this.#options = options;
    this.#enforcer = resolveEnforcer(options);
  }

  override async _getRelevantDocuments(
    query: string,
    runManager?: CallbackManagerForRetrieverRun,
  ): Promise<Document[]> {
    const docs = await this.#inner.invoke(query, runManager?.getChild());
    const kept = await guardDocuments(this.#enforcer, this.#options, query, docs);
    return kept.map((k) => k.doc);
  }
}

/** Wraps a retriever so that retrieved documents are filtered and re-ranked by memgar. */
export function guardRetriever(
  retriever: RetrieverLike,
  options: GuardRetrievalOptions = {},
): GuardedRetriever {
  return new GuardedRetriever(retriever, options);
}
