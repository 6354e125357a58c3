import {
  BaseStore,
  type GetOperation,
  type Item,
  type Operation,
  type OperationResults,
  type PutOperation,
  type SearchOperation,
} from '@langchain/langgraph';
import { InvalidInputError, type ReviewQueue, type SourceType } from '@memgar/core';
import {
  type AdapterWriteOptions,
  contextIds,
  type EnforcerLike,
  guardRetrieved,
  guardWrites,
  HeldWrites,
  type MemgarMetadata,
  resolveEnforcer,
  type WriteOutcome,
} from '@memgar/core/adapter-kit';
import { worst } from './worst.js';

/** The part of a LangGraph store the guard uses (`InMemoryStore`, `PostgresStore`, any `BaseStore`). */
export interface StoreLike {
  batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>>;
  start?(): void | Promise<void>;
  stop?(): void | Promise<void>;
}

export interface GuardStoreOptions extends AdapterWriteOptions {
  /** Top-level keys of an item's value whose strings (at any depth) are analyzed. @default every string of the value */
  textFields?: readonly string[];
  /** The source type writes and retrieved items are analyzed as. @default 'memory' */
  sourceType?: SourceType;
  /** Where quarantined and human-review writes wait (give it durable storage to keep them). @default a new in-memory `ReviewQueue` */
  reviewQueue?: ReviewQueue;
}

/** An item as the guarded store returns it: memgar's decision beside its value, never inside it. */
export type GuardedItem<I extends Item = Item> = I & { memgar?: MemgarMetadata };

type SearchItem = Awaited<ReturnType<BaseStore['search']>>[number];
type Path = (string | number)[];
interface Leaf {
  path: Path;
  text: string;
}
type Node = Record<string | number, unknown>;

const MAX_DEPTH = 32;

/** The non-blank strings of `value` (under `fields` when given), with their paths. */
function leaves(value: unknown, fields: readonly string[] | undefined): Leaf[] {
  const out: Leaf[] = [];
  const walk = (v: unknown, path: Path): void => {
    if (typeof v === 'string') {
      if (v.trim() !== '') out.push({ path, text: v });
    } else if (typeof v === 'object' && v !== null) {
      if (path.length >= MAX_DEPTH) {
        throw new InvalidInputError('value', `store item value is nested deeper than ${MAX_DEPTH} levels`);
      }
      const entries = Array.isArray(v) ? [...v.entries()] : Object.entries(v);
      for (const [k, x] of entries)
        if (path.length > 0 || fields === undefined || fields.includes(`${k}`)) walk(x, [...path, k]);
    }
  };
  walk(value, []);
  return out;
}

/** A copy of `value` with the strings at `edits` replaced (only the objects on those paths copied). */
function withTexts<V>(value: V, edits: readonly Leaf[]): V {
  if (edits.length === 0) return value;
  const copy = (v: unknown): Node => (Array.isArray(v) ? [...v] : { ...(v as Node) }) as Node;
  const root = copy(value);
  for (const { path, text } of edits) {
    let node = root;
    for (const [i, k] of path.entries()) {
      if (i === path.length - 1) node[k] = text;
      else node = node[k] = copy(node[k]);
    }
  }
  return root as V;
}

const isPut = (op: Operation): op is PutOperation => 'value' in op;
const isSearch = (op: Operation): op is SearchOperation => 'namespacePrefix' in op;
const isGet = (op: Operation): op is GetOperation => 'key' in op && !('value' in op);
const idOf = (x: { namespace: string[]; key: string }) => [...x.namespace, x.key].join('/');

/**
 * A LangGraph `BaseStore` whose writes are decided before they are stored and whose reads are
 * guarded as retrievals. Everything goes through `batch`, so `put`, `get`, `search`, `delete` and
 * a graph's `AsyncBatchedStore` are all covered.
 */
export class GuardedStore extends BaseStore {
  /** Quarantined and human-review writes; `held.approve(id, reviewer)` writes one through. */
  readonly held: HeldWrites<PutOperation>;
  readonly #inner: StoreLike;
  readonly #enforcer: EnforcerLike;
  readonly #options: GuardStoreOptions;

  constructor(inner: StoreLike, options: GuardStoreOptions = {}) {
    super();
    this.#inner = inner;
    this.#options = options;
    this.#enforcer = resolveEnforcer(options);
    this.held = new HeldWrites((op) => inner.batch([op]), options.reviewQueue);
  }

  override async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    const safe = await this.#decidePuts(operations);
    const forward = operations.flatMap((op, i) => (safe.has(i) ? (safe.get(i) ?? []) : op));
    const positions = operations.flatMap((_, i) => (safe.has(i) && safe.get(i) === undefined ? [] : i));
    const results = forward.length > 0 ? ((await this.#inner.batch(forward)) as unknown[]) : [];
    const out: unknown[] = new Array(operations.length).fill(undefined);
    for (const [j, i] of positions.entries()) out[i] = results[j];
    for (const [i, op] of operations.entries()) {
      const r = out[i];
      if (isSearch(op)) out[i] = await this.#guardRead(r as Item[], op.query);
      else if (isGet(op) && r) out[i] = (await this.#guardRead([r as Item], undefined))[0] ?? null;
    }
    return out as OperationResults<Op>;
  }

  /** `BaseStore.get`, guarded: null when refused, else the (sanitized) item with `memgar`. */
  override get(namespace: string[], key: string): Promise<GuardedItem | null> {
    return super.get(namespace, key);
  }

  /** `BaseStore.search`, guarded: refused items filtered, the rest (sanitized) with `memgar`, in store order. */
  override search(
    prefix: string[],
    options?: Parameters<BaseStore['search']>[1],
  ): Promise<GuardedItem<SearchItem>[]> {
    return super.search(prefix, options);
  }

  override start(): void | Promise<void> {
    return this.#inner.start?.();
  }

  override stop(): void | Promise<void> {
    return this.#inner.stop?.();
  }

  /** Decides every put of the batch; per op index, the put to forward (rewritten) or undefined. */
  async #decidePuts(operations: readonly Operation[]): Promise<Map<number, PutOperation | undefined>> {
    const puts = operations.flatMap((op, i) => (isPut(op) && op.value !== null ? [{ op, i }] : []));
    const ls = puts.map(({ op }) => leaves(op.value, this.#options.textFields));
    const sourceType = this.#options.sourceType ?? 'memory';
    const items = ls.flatMap((l, p) =>
      l.map((leaf) => ({ text: leaf.text, sourceType, id: idOf(puts[p]!.op) })),
    );
    const outcomes = await guardWrites(this.#enforcer, this.#options, items);
    const safe = new Map<number, PutOperation | undefined>();
    const held: { outcomes: WriteOutcome[]; texts: string[]; records: PutOperation[] } = {
      outcomes: [],
      texts: [],
      records: [],
    };
    let k = 0;
    for (const [p, { op, i }] of puts.entries()) {
      const l = ls[p]!;
      const mine = outcomes.slice(k, k + l.length);
      k += l.length;
      const refused = worst(mine.filter((o) => !o.stored));
      if (refused === undefined) {
        const edits = l.flatMap((leaf, j) => {
          const text = mine[j]!.text;
          return text !== undefined && text !== leaf.text ? [{ path: leaf.path, text }] : [];
        });
        safe.set(i, { ...op, value: withTexts(op.value, edits) });
        continue;
      }
      safe.set(i, undefined);
      // A rewrite of one field is no rewrite of a multi-field item: reviewers see the originals.
      const { sanitized, ...rest } = refused;
      held.outcomes.push(l.length === 1 && sanitized !== undefined ? refused : rest);
      held.texts.push(l.map((leaf) => leaf.text).join('\n'));
      held.records.push(op);
    }
    await this.held.hold(held.outcomes, held.texts, held.records, {
      sourceType,
      ...contextIds(this.#options),
    });
    return safe;
  }

  /** The items that may be returned, in the store's order, with sanitized text and `memgar`. */
  async #guardRead<I extends Item & { score?: number }>(
    items: readonly I[],
    query: string | undefined,
  ): Promise<GuardedItem<I>[]> {
    const sourceType = this.#options.sourceType ?? 'memory';
    const ls = items.map((it) => leaves(it.value, this.#options.textFields));
    const flat = ls.flatMap((l, i) => l.map((leaf, j) => ({ i, j, leaf })));
    const kept = await guardRetrieved(
      this.#enforcer,
      this.#options,
      query,
      flat.map(({ i, leaf }) => ({
        text: leaf.text,
        id: idOf(items[i]!),
        score: items[i]!.score,
        sourceType,
      })),
      sourceType,
    );
    const byItem = ls.map((l) => new Array<(typeof kept)[number] | undefined>(l.length).fill(undefined));
    for (const k of kept) {
      const f = flat[k.index]!;
      byItem[f.i]![f.j] = k;
    }
    return items.flatMap((it, i) => {
      const ks = byItem[i]!;
      if (ks.some((k) => k === undefined)) return [];
      const decided = ks as NonNullable<(typeof ks)[number]>[];
      const edits = ls[i]!.flatMap((leaf, j) =>
        decided[j]!.text !== leaf.text ? [{ path: leaf.path, text: decided[j]!.text }] : [],
      );
      const m = worst(decided)?.memgar;
      return [{ ...it, value: withTexts(it.value, edits), ...(m !== undefined ? { memgar: m } : {}) }];
    });
  }
}

/** Wraps a LangGraph store so that every write and read is decided by memgar (drop-in `BaseStore`). */
export function guardStore(store: StoreLike, options: GuardStoreOptions = {}): GuardedStore {
  return new GuardedStore(store, options);
}
