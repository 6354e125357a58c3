import type { OperationResults } from '@langchain/langgraph';
import { BaseStore, type Item, type Operation, type PutOperation } from '@langchain/langgraph';
import type { SourceType } from '@memgar/core';
import * as kit from '@memgar/core/adapter-kit';

/** The part of a LangGraph store the guard uses (any `BaseStore`: `InMemoryStore`, `PostgresStore`…). */
export type StoreLike = Pick<BaseStore, 'batch' | 'start' | 'stop'>;

export interface GuardStoreOptions extends kit.HeldStoreOptions {
  /** Top-level keys of an item's value whose strings (at any depth) are analyzed. @default every string */
  textFields?: readonly string[];
  /** The source type writes and retrieved items are analyzed as. @default 'memory' */
  sourceType?: SourceType;
}

/** An item as the guarded store returns it: memgar's decision beside its value, never inside it. */
export type GuardedItem<I extends Item = Item> = I & { memgar?: kit.MemgarMetadata };
type SearchItem = Awaited<ReturnType<BaseStore['search']>>[number];

const idOf = (x: { namespace: string[]; key: string }) => [...x.namespace, x.key].join('/');

/**
 * A LangGraph `BaseStore` whose writes are decided before they are stored and whose reads are guarded as
 * retrievals. Everything goes through `batch`, so `put`, `get`, `search` and a graph's store are covered.
 */
export class GuardedStore extends BaseStore {
  /** Quarantined and human-review writes; `held.approve(id, reviewer)` writes one through. */
  readonly held: kit.HeldWrites<PutOperation>;
  readonly #inner: StoreLike;
  readonly #enforcer: kit.EnforcerLike;
  readonly #o: GuardStoreOptions;

  constructor(inner: StoreLike, options: GuardStoreOptions = {}) {
    super();
    this.#inner = inner;
    this.#o = options;
    this.#enforcer = kit.resolveEnforcer(options);
    this.held = new kit.HeldWrites((op) => inner.batch([op]), options.reviewQueue);
  }

  override async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    const kept = (await this.#decidePuts(operations)).flatMap((op, i) => (op === null ? [] : [{ i, op }]));
    const results: unknown[] = kept.length > 0 ? await this.#inner.batch(kept.map((k) => k.op)) : [];
    const out: unknown[] = new Array(operations.length).fill(undefined);
    for (const [j, { i, op }] of kept.entries()) {
      const r = results[j] as Item[] | Item | null;
      if ('namespacePrefix' in op) out[i] = await this.#guardRead(r as Item[], op.query);
      else if (!('value' in op) && 'key' in op && r) out[i] = (await this.#guardRead([r as Item]))[0] ?? null;
      else out[i] = r;
    }
    return out as OperationResults<Op>;
  }

  /** `BaseStore.get`, guarded: null when refused, else the (sanitized) item with `memgar`. */
  override get(namespace: string[], key: string): Promise<GuardedItem | null> {
    return super.get(namespace, key);
  }

  /** `BaseStore.search`, guarded: refused items filtered, the rest (sanitized) with `memgar`, in store order. */
  override search(...args: Parameters<BaseStore['search']>): Promise<GuardedItem<SearchItem>[]> {
    return super.search(...args);
  }

  override start(): void | Promise<void> {
    return this.#inner.start();
  }

  override stop(): void | Promise<void> {
    return this.#inner.stop();
  }

  /** The operations to forward: puts rewritten when sanitized, null when refused (held ones queued). */
  async #decidePuts(operations: readonly Operation[]): Promise<(Operation | null)[]> {
    const puts = operations.flatMap((op, i) => ('value' in op && op.value !== null ? [{ op, i }] : []));
    const ls = puts.map(({ op }) => kit.textLeaves(op.value, { fields: this.#o.textFields }));
    const sourceType = this.#o.sourceType ?? 'memory';
    const groups = puts.map(({ op }, p) => ls[p]!.texts.map((text) => ({ text, sourceType, id: idOf(op) })));
    // 'throw' queues nothing: the caller gets the error instead. Reviewers see a held item's fields, one per line.
    const hold = { held: this.held, record: (p: number) => puts[p]!.op, holdOnThrow: false };
    const outcomes = await kit.guardGroups(this.#enforcer, this.#o, groups, hold);
    const ops: (Operation | null)[] = [...operations];
    for (const [p, { op, i }] of puts.entries()) {
      const { stored, texts } = outcomes[p]!;
      ops[i] = stored ? { ...op, value: ls[p]!.with(texts) } : null;
    }
    return ops;
  }

  /** The items that may be returned, in the store's order, with sanitized text and `memgar`. */
  async #guardRead<I extends Item & { score?: number }>(items: readonly I[], query?: string) {
    const ls = items.map((it) => kit.textLeaves(it.value, { fields: this.#o.textFields }));
    const groups = items.map((it, i) =>
      ls[i]!.texts.map((text) => ({ text, id: idOf(it), score: it.score })),
    );
    const sourceType = this.#o.sourceType ?? 'memory';
    const out = await kit.guardRetrievedGroups(this.#enforcer, this.#o, query, groups, sourceType);
    return items.flatMap((item, i): GuardedItem<I>[] => {
      const { kept, texts, memgar } = out[i]!;
      return kept ? [{ ...item, value: ls[i]!.with(texts), ...(memgar && { memgar }) }] : [];
    });
  }
}

/** Wraps a LangGraph store so that every write and read is decided by memgar (drop-in `BaseStore`). */
export function guardStore(store: StoreLike, options: GuardStoreOptions = {}): GuardedStore {
  return new GuardedStore(store, options);
}
