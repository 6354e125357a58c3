import { type BaseNode, jsonToNode, MetadataMode } from '@llamaindex/core/schema';
import * as vs from '@llamaindex/core/vector-store';
import * as kit from '@memgar/core/adapter-kit';
import { checkNodes, type GuardRetrievalOptions, guardNodes, nodeFields } from './nodes.js';

export interface GuardVectorStoreOptions extends kit.HeldStoreOptions, GuardRetrievalOptions {
  /**
   * Writes an approved held node. For a store that keeps no text, pass `(node) =>
   * index.insertNodes([node])` so the node reaches the index's docstore too (the guard lets it
   * through). @default `inner.add([node])`
   */
  writeThrough?: (node: BaseNode) => Promise<unknown>;
}

/**
 * A `BaseVectorStore` over another one. `add` decides every node before any is stored: refused
 * nodes are not stored (quarantined and human-review ones wait in `held`), sanitized ones are
 * stored rewritten and re-embedded. `query` results that carry nodes are guarded for the query.
 */
export class GuardedVectorStore<
  V extends vs.BaseVectorStore = vs.BaseVectorStore,
> extends vs.BaseVectorStore {
  storesText: boolean;
  readonly inner: V;
  /** Quarantined and human-review nodes (as `toMutableJSON()`); `held.approve(id, reviewer)` writes one through. */
  readonly held: kit.HeldWrites<Record<string, unknown>>;
  readonly #enforcer: kit.EnforcerLike;
  readonly #options: GuardVectorStoreOptions;
  /** Approved held nodes being written through (passed to `add` unguarded, once). */
  readonly #approved = new Set<BaseNode>();

  constructor(inner: V, options: GuardVectorStoreOptions = {}) {
    super({ embedModel: inner.embedModel });
    this.inner = inner;
    this.storesText = inner.storesText;
    if (inner.isEmbeddingQuery !== undefined) this.isEmbeddingQuery = inner.isEmbeddingQuery;
    this.#options = options;
    this.#enforcer = kit.resolveEnforcer(options);
    const write = options.writeThrough ?? ((node: BaseNode) => inner.add([node]));
    this.held = new kit.HeldWrites(async (json) => {
      const node = jsonToNode(json);
      this.#approved.add(node);
      await write(node).finally(() => this.#approved.delete(node));
    }, options.reviewQueue);
  }

  client(): ReturnType<V['client']> {
    return this.inner.client() as ReturnType<V['client']>;
  }

  /**
   * Edits `nodes` in place (refused ones removed, sanitized ones rewritten and, when they carry
   * an embedding, re-embedded), so that an index writing the same array to its docstore
   * (`VectorStoreIndex` over a store that keeps no text) stores what this store stores.
   */
  async add(nodes: BaseNode[]): Promise<string[]> {
    checkNodes(nodes);
    if (nodes.length > 0 && nodes.every((n) => this.#approved.has(n))) return this.inner.add(nodes);
    const sourceType = this.#options.sourceType ?? 'rag';
    const items = nodes.map((n) => ({ ...nodeFields(n), sourceType }));
    const hold = { held: this.held, record: (i: number) => nodes[i]!.toMutableJSON(), holdOnThrow: false };
    const kept = await kit.admitWrites(this.#enforcer, this.#options, items, hold);
    const changed = kept.filter((k) => k.rewritten);
    await kit.mapPool(changed, this.#options.concurrency ?? 8, async ({ index, text }) => {
      const node = nodes[index]!;
      node.setContent(text);
      if (node.embedding === undefined) return;
      node.embedding = await this.embedModel.getTextEmbedding(node.getContent(MetadataMode.EMBED));
    });
    nodes.splice(0, nodes.length, ...kept.map((k) => nodes[k.index]!));
    return kept.length === 0 ? [] : this.inner.add(nodes);
  }

  delete(refDocId: string, deleteOptions?: object): Promise<void> {
    return this.inner.delete(refDocId, deleteOptions);
  }

  /** Results without nodes (a store that keeps no text) come back as they are: guard the retriever. */
  async query(query: vs.VectorStoreQuery, options?: object): Promise<vs.VectorStoreQueryResult> {
    const result = await this.inner.query(query, options);
    if (result.nodes === undefined) return result;
    const hits = result.nodes.map((node, i) => ({ node, score: result.similarities[i] }));
    const kept = await guardNodes(this.#enforcer, this.#options, query.queryStr, hits);
    return {
      ...result,
      nodes: kept.map((k) => k.hit.node),
      similarities: kept.map((k) => result.similarities[k.index] as number),
      ids: kept.map((k) => result.ids[k.index] as string),
    };
  }
}

/** Wraps a LlamaIndex vector store so that its writes and query results are decided by memgar. */
export function guardVectorStore<V extends vs.BaseVectorStore>(
  store: V,
  options: GuardVectorStoreOptions = {},
) {
  return new GuardedVectorStore(store, options);
}
