import { type Decision, InvalidInputError, type SourceType } from '@memgar/core';
import {
  contextIds,
  flatMemgarMetadata,
  guardRecords,
  guardWrites,
  type HeldGuarded,
  type HeldStoreOptions,
  HeldWrites,
  type MemgarMetadata,
  withoutMemgarKeys as own,
  resolveEnforcer,
  withOverrides,
} from '@memgar/core/adapter-kit';

type Metadata = Record<string, unknown>;

/** The record columns of `add`, `upsert` and `update` (a chromadb `RecordSet`). */
export interface ChromaRecordSet {
  ids: string[];
  embeddings?: number[][];
  metadatas?: (Metadata | null | undefined)[];
  documents?: (string | null | undefined)[];
  uris?: string[];
}

interface ReadArgs {
  ids?: string[];
  where?: Metadata;
  whereDocument?: Metadata;
  include?: string[];
  limit?: number;
  offset?: number;
}

/** The `Collection` methods the guard calls (a chromadb 3.x `Collection` has them). */
export interface ChromaCollectionLike {
  add(args: ChromaRecordSet): Promise<void>;
  upsert(args: ChromaRecordSet): Promise<void>;
  update(args: ChromaRecordSet): Promise<void>;
  get(args?: ReadArgs): Promise<{ ids: string[]; documents: unknown[]; include: string[] }>;
  query(
    args: ReadArgs & { queryEmbeddings?: number[][]; queryTexts?: string[]; nResults?: number },
  ): Promise<{ ids: string[][]; documents: unknown[]; include: string[] }>;
  embeddingFunction?: { generate(texts: string[]): Promise<number[][]> } | undefined | null;
}

export interface GuardCollectionOptions extends HeldStoreOptions {
  /** Source type of written and retrieved documents. @default 'rag' */
  sourceType?: SourceType;
  /**
   * Adds a `where` filter on `memgar_decision` to `query`, `get` and `peek`, so only records
   * written through memgar with one of these decisions come back. @default none (no filter)
   */
  filterDecisions?: readonly Decision[];
  /**
   * Records without a document cannot be analyzed. `false`: a write with one is rejected with
   * `InvalidInputError` (nothing of the call stored) and a retrieved one is dropped (reported
   * as `block`, rule `memgar:no-text`). `true`: stored and returned unanalyzed, without memgar
   * metadata (so `filterDecisions` excludes them). @default false
   */
  allowTextless?: boolean;
  /**
   * Embeds sanitized documents when the call carried `embeddings`.
   * @default the collection's `embeddingFunction`; without one the given vector is kept
   */
  embed?: (texts: string[]) => Promise<number[][]>;
}

type WriteMethod = 'add' | 'upsert' | 'update';

/** A held write: the one-record call that approval sends to the collection. */
export interface HeldChromaWrite {
  method: WriteMethod;
  records: ChromaRecordSet;
}

/** The guarded collection: the same interface, plus its held writes and the unguarded original. */
export type GuardedCollection<C> = HeldGuarded<C, HeldChromaWrite>;

const COLUMNS = ['ids', 'documents', 'embeddings', 'metadatas', 'distances', 'uris'] as const;

type Row = { i: number; text: string | null | undefined; meta: Metadata; vector?: number[] };
type Kept = { index: number; text?: string; memgar?: MemgarMetadata };

function checkRecordSet(args: ChromaRecordSet): void {
  if (typeof args !== 'object' || args === null || !Array.isArray(args.ids)) {
    throw new InvalidInputError('ids', 'expected a record set with an `ids` array');
  }
  for (const c of ['embeddings', 'metadatas', 'documents', 'uris'] as const) {
    const col = args[c];
    if (col !== undefined && (!Array.isArray(col) || col.length !== args.ids.length)) {
      throw new InvalidInputError(c, `\`${c}\` must be an array with one entry per id`);
    }
  }
}

/** The rows `kept` of one row set (aligned columns), rewritten and with retrieval metadata. */
function keepRows(cols: Record<string, unknown>, n: number, kept: Kept[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const c of COLUMNS) {
    const col = cols[c];
    if (!Array.isArray(col) || col.length !== n) continue;
    out[c] = kept.map((k) => {
      if (c === 'documents' && k.text !== undefined) return k.text;
      if (c === 'metadatas' && k.memgar) return { ...own(col[k.index]), ...flatMemgarMetadata(k.memgar) };
      return col[k.index];
    });
  }
  return out;
}

/** A result object of the same class with other columns (keeps `rows()`). */
function rebuild<R extends object>(result: R, fields: Record<string, unknown>): R {
  return Object.assign(Object.create(Object.getPrototypeOf(result)) as R, result, fields);
}

/**
 * Wraps a Chroma `Collection`: `add`, `upsert` and `update` decide every document before it is
 * stored (refused ones are not stored, sanitized ones are stored rewritten, quarantined and
 * human-review ones wait in `held`), `query`, `get` and `peek` filter what comes back. Every
 * other method is the collection's own, except `search`, which is refused (not guarded).
 */
export function guardCollection<C extends ChromaCollectionLike>(
  collection: C,
  options: GuardCollectionOptions = {},
): GuardedCollection<C> {
  const enforcer = resolveEnforcer(options);
  const sourceType = options.sourceType ?? 'rag';
  const held = new HeldWrites<HeldChromaWrite>(async (w, item) => {
    const approved = { memgar_decision: 'allow', memgar_review: item.id };
    const metadatas = w.records.metadatas?.map((m) => ({ ...m, ...approved }));
    await collection[w.method]({ ...w.records, metadatas });
  }, options.reviewQueue);

  async function write(method: WriteMethod, args: ChromaRecordSet): Promise<void> {
    checkRecordSet(args);
    const docs = args.documents;
    if (method === 'update' && docs === undefined) {
      return collection.update({ ...args, ...(args.metadatas && { metadatas: args.metadatas.map(own) }) });
    }
    const hasText = (i: number) => typeof docs?.[i] === 'string' && docs[i] !== '';
    const withText = [...args.ids.keys()].filter(hasText);
    const textless = [...args.ids.keys()].filter((i) => !hasText(i));
    if (textless.length > 0 && options.allowTextless !== true) {
      throw new InvalidInputError(
        'documents',
        `record "${args.ids[textless[0] as number]}" has no document: memgar cannot analyze a vector without its text (pass documents, or allowTextless: true)`,
      );
    }
    const recordSet = (rows: Row[]): ChromaRecordSet => ({
      ids: rows.map((r) => args.ids[r.i] as string),
      metadatas: rows.map((r) => ({ ...own(args.metadatas?.[r.i]), ...r.meta })),
      ...(docs && { documents: rows.map((r) => r.text) }),
      ...(args.embeddings && {
        embeddings: rows.map((r) => r.vector ?? (args.embeddings?.[r.i] as number[])),
      }),
      ...(args.uris && { uris: rows.map((r) => args.uris?.[r.i] as string) }),
    });
    const texts = withText.map((i) => docs?.[i] as string);
    const items = texts.map((text, j) => ({ text, id: args.ids[withText[j] as number], sourceType }));
    const outcomes = await guardWrites(enforcer, options, items);
    const rows: Row[] = outcomes.flatMap((o, j) =>
      o.stored ? [{ i: withText[j] as number, text: o.text, meta: flatMemgarMetadata(o.memgar) }] : [],
    );
    const rewritten = rows.filter((r) => r.text !== docs?.[r.i]);
    const embed = options.embed ?? collection.embeddingFunction?.generate.bind(collection.embeddingFunction);
    if (args.embeddings && rewritten.length > 0 && embed) {
      const vectors = await embed(rewritten.map((r) => r.text as string));
      for (const [k, r] of rewritten.entries()) r.vector = vectors[k] as number[];
    }
    rows.push(...textless.map((i) => ({ i, text: docs?.[i], meta: {} })));
    if (rows.length > 0) await collection[method](recordSet(rows));
    // Held only once the store took the batch, so a retry after a store failure does not queue twice.
    const record = (o: { memgar: MemgarMetadata }, j: number) => ({
      method,
      records: recordSet([{ i: withText[j] as number, text: texts[j], meta: flatMemgarMetadata(o.memgar) }]),
    });
    await held.hold(outcomes, texts, outcomes.map(record), { sourceType, ...contextIds(options) });
  }

  /** The kept rows of one row set: analyzed ones in the guard's order, then textless ones. */
  async function guardRows(query: string | undefined, cols: Record<string, unknown>): Promise<Kept[]> {
    const ids = cols.ids as string[];
    const docs = cols.documents as unknown[] | undefined;
    const dists = cols.distances as unknown[] | undefined;
    const hasText = (i: number) => typeof docs?.[i] === 'string' && docs[i] !== '';
    const fields = (i: number) => {
      const d = dists?.[i];
      return {
        text: hasText(i) ? docs?.[i] : undefined,
        id: ids[i],
        score: typeof d === 'number' && d >= 0 ? 1 / (1 + d) : undefined,
      };
    };
    const rows = [...ids.keys()].filter((i) => options.allowTextless !== true || hasText(i));
    const how = { query, sourceType, noTextReason: 'record has no document to analyze' };
    const kept = await guardRecords(enforcer, options, rows, fields, how);
    const textless = options.allowTextless === true ? [...ids.keys()].filter((i) => !hasText(i)) : [];
    return [
      ...kept.map((k) => ({ index: k.record, text: k.text, memgar: k.memgar })),
      ...textless.map((index) => ({ index })),
    ];
  }

  /** The call to send (with the columns the guard needs and the decision filter) and the columns asked for. */
  function readArgs<A extends ReadArgs>(args: A, dflt: string[], need: string[]): [A, string[]] {
    if (typeof args !== 'object' || args === null) throw new InvalidInputError('args', 'expected an object');
    const want = args.include ?? dflt;
    const f = options.filterDecisions;
    const decided = f ? { memgar_decision: { $in: [...f] } } : undefined;
    const where =
      decided && args.where && Object.keys(args.where).length > 0
        ? { $and: [args.where, decided] }
        : (decided ?? args.where);
    return [{ ...args, include: [...new Set([...want, ...need])], ...(where && { where }) }, want];
  }

  /** Columns the caller did not ask for come back empty, as Chroma returns them. */
  function unrequested(want: readonly string[]): Record<string, unknown> {
    const out: Record<string, unknown> = { include: [...want] };
    for (const c of COLUMNS) if (c !== 'ids' && !want.includes(c)) out[c] = [];
    return out;
  }

  async function get(args: ReadArgs = {}) {
    const [call, want] = readArgs(args, ['documents', 'metadatas'], ['documents']);
    const res = await collection.get(call);
    const cols = res as unknown as Record<string, unknown>;
    const kept = await guardRows(undefined, cols);
    return rebuild(res, { ...keepRows(cols, res.ids.length, kept), ...unrequested(want) });
  }

  const overrides: Record<string, unknown> = {
    add: (a: ChromaRecordSet) => write('add', a),
    upsert: (a: ChromaRecordSet) => write('upsert', a),
    update: (a: ChromaRecordSet) => write('update', a),
    get,
    peek: (a: { limit?: number } = {}) => get({ limit: a.limit ?? 10 }),
    async query(args: Parameters<ChromaCollectionLike['query']>[0]) {
      const [call, want] = readArgs(
        args,
        ['metadatas', 'documents', 'distances'],
        ['documents', 'distances'],
      );
      const res = await collection.query(call);
      const all = res as unknown as Record<string, unknown[][] | undefined>;
      const fields: Record<string, unknown[]> = {};
      for (const [q, ids] of res.ids.entries()) {
        const cols = Object.fromEntries(COLUMNS.map((c) => [c, all[c]?.[q]]));
        const kept = await guardRows(args.queryTexts?.[q], cols);
        for (const [c, v] of Object.entries(keepRows(cols, ids.length, kept))) {
          fields[c] = [...(fields[c] ?? []), v];
        }
      }
      return rebuild(res, { ...fields, ...unrequested(want) });
    },
    search: () =>
      Promise.reject(
        new InvalidInputError('search', 'Collection.search is not guarded by memgar: use query or get'),
      ),
    held,
    inner: collection,
  };

  return withOverrides(collection, overrides) as GuardedCollection<C>;
}
