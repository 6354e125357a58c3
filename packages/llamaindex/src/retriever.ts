import type { MessageContent } from '@llamaindex/core/llms';
import type { BaseNodePostprocessor } from '@llamaindex/core/postprocessor';
import type { QueryBundle } from '@llamaindex/core/query-engine';
import { BaseRetriever } from '@llamaindex/core/retriever';
import type { NodeWithScore } from '@llamaindex/core/schema';
import * as kit from '@memgar/core/adapter-kit';
import { type GuardRetrievalOptions, guardNodes } from './nodes.js';

/** What the guard calls on a retriever (any LlamaIndex `BaseRetriever` has it). */
export interface RetrieverLike {
  retrieve(params: string | QueryBundle): Promise<NodeWithScore[]>;
}

/**
 * A `BaseRetriever` over another one: every retrieved node is decided for the query; refused
 * nodes are filtered, the rest come back re-ranked as copies with their (possibly sanitized)
 * text and `metadata.memgar = { decision, riskScore, rule }`.
 */
export class GuardedRetriever extends BaseRetriever {
  readonly inner: RetrieverLike;
  readonly #guard: MemgarNodePostprocessor;

  constructor(inner: RetrieverLike, options: GuardRetrievalOptions = {}) {
    super();
    this.inner = inner;
    this.#guard = new MemgarNodePostprocessor(options);
  }

  async _retrieve(params: QueryBundle): Promise<NodeWithScore[]> {
    return this.#guard.postprocessNodes(await this.inner.retrieve(params), params);
  }
}

/** Wraps a LlamaIndex retriever so that every retrieved node is decided by memgar. */
export function guardRetriever(retriever: RetrieverLike, options: GuardRetrievalOptions = {}) {
  return new GuardedRetriever(retriever, options);
}

/**
 * A node postprocessor doing what `GuardedRetriever` does, for the `nodePostprocessors` of a
 * query engine or a chat engine.
 */
export class MemgarNodePostprocessor implements BaseNodePostprocessor {
  readonly #enforcer: kit.EnforcerLike;
  readonly #options: GuardRetrievalOptions;

  constructor(options: GuardRetrievalOptions = {}) {
    this.#options = options;
    this.#enforcer = kit.resolveEnforcer(options);
  }

  async postprocessNodes(nodes: NodeWithScore[], query?: MessageContent | QueryBundle) {
    const kept = await guardNodes(this.#enforcer, this.#options, query, nodes);
    return kept.map((k) => k.hit);
  }
}
