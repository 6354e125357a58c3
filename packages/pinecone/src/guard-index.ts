import { type Decision, InvalidInputError, type SourceType } from '@memgar/core';
import {
  contextIds,
  flatMemgarMetadata,
  guardRetrieved,
  guardWrites,
  type HeldGuarded,
  type HeldStoreOptions,
  HeldWrites,
  type MemgarMetadata,
  NO_TEXT_RULE,
  withoutMemgarKeys as own,
  reportFiltered,
  resolveEnforcer,
  withOverrides,
} from '@memgar/core/adapter-kit';

type Fields = Record<string, unknown>;

/** A record of `upsert` (`PineconeRecord`), also what `query` and `fetch` return. */
export interface PineconeVector {
  id: string;
  values?: number[];
  metadata?: Fields;
  score?: number;
}

interface SearchArgs {
  query: { topK: number; filter?: object; inputs?: object };
  fields?: string[];
  namespace?: string;
}

/** The `Index` methods the guard calls (@pinecone-database/pinecone 8.x has them). */
export interface PineconeIndexLike {
  upsert(options: { records: PineconeVector[]; namespace?: string }): Promise<void>;
  upsertRecords(options: { records: Fields[]; namespace?: string }): Promise<void>;
  query(options: { topK: number; filter?: object; includeMetadata?: boolean }): Promise<{
    matches: PineconeVector[];
  }>;
  searchRecords(
    options: SearchArgs,
  ): Promise<{ result: { hits: { _id: string; _score: number; fields: object }[] } }>;
  fetch(options: { ids: string[]; namespace?: string }): Promise<{ records: Record<string, PineconeVector> }>;
  update(options: { metadata?: object }): Promise<void>;
  namespace(namespace: string): PineconeIndexLike;
}

export interface GuardIndexOptions extends HeldStoreOptions {
  /** The metadata key (`upsert`) or record field (`upsertRecords`) that holds the text. @default 'text' */
  textKey?: string;
  /** Source type of written and retrieved texts. @default 'rag' */
  sourceType?: SourceType;
  /**
   * Adds a metadata filter on `memgar_decision` to `query` and `searchRecords`, so only records
   * written through memgar with one of these decisions come back. @default none
   */
  filterDecisions?: readonly Decision[];
  /**
   * Records without a text under `textKey` cannot be analyzed. `false`: a write with one is
   * rejected with `InvalidInputError` (nothing of the call stored) and a retrieved one is
   * dropped (reported as `block`, rule `memgar:no-text`). `true`: stored and returned
   * unanalyzed, without memgar metadata (so `filterDecisions` excludes them). @default false
   */
  allowTextless?: boolean;
  /** Embeds sanitized texts of `upsert` records. @default none: the given values are kept */
  embed?: (texts: string[]) => Promise<number[][]>;
}

/** A held write: the record approval upserts (`upsert` or `upsertRecords`) into its namespace. */
export interface HeldPineconeWrite {
  method: 'upsert' | 'upsertRecords';
  namespace?: string;
  record: Fields;
}

/** The guarded index: the same interface, plus its held writes and the unguarded original. */
export type GuardedIndex<I> = HeldGuarded<I, HeldPineconeWrite>;

export { NO_TEXT_RULE };

type WriteArgs = { records: Fields[]; namespace?: string };

/** Where a record's text and metadata are: `metadata` of an `upsert` record, the record itself in `upsertRecords`. */
const ACCESS = {
  upsert: {
    fields: (r: Fields) => r.metadata as Fields | undefined,
    restamp: (r: Fields, metadata: Fields) => ({ ...r, metadata }),
  },
  upsertRecords: { fields: (r: Fields) => r, restamp: (_: Fields, f: Fields) => f },
};

const keys = (f: object | null | undefined, keep: (k: string) => boolean): Fields =>
  Object.fromEntries(Object.entries(f ?? {}).filter(([k]) => keep(k)));

/**
 * Wraps a Pinecone `Index`: `upsert` and `upsertRecords` decide every record's text before it is
 * stored (refused records are not stored, sanitized ones are stored rewritten, quarantined and
 * human-review ones wait in `held`); `query`, `searchRecords` and `fetch` filter what comes back;
 * `namespace(ns)` returns a guarded index. `update` may not set the text (use `upsert`) and
 * `fetchByMetadata` is refused; everything else is the index's own.
 */
export function guardIndex<I extends PineconeIndexLike>(
  index: I,
  options: GuardIndexOptions = {},
): GuardedIndex<I> {
  const held = new HeldWrites<HeldPineconeWrite>(async (w, item) => {
    const { fields, restamp } = ACCESS[w.method];
    const approved = { memgar_decision: 'allow', memgar_review: item.id };
    const record = restamp(w.record, { ...fields(w.record), ...approved });
    await index[w.method]({
      records: [record] as never,
      ...(w.namespace !== undefined && { namespace: w.namespace }),
    });
  }, options.reviewQueue);
  return wrap(index, undefined, options, held, resolveEnforcer(options));
}

function wrap<I extends PineconeIndexLike>(
  index: I,
  namespace: string | undefined,
  options: GuardIndexOptions,
  held: HeldWrites<HeldPineconeWrite>,
  enforcer: ReturnType<typeof resolveEnforcer>,
): GuardedIndex<I> {
  const sourceType = options.sourceType ?? 'rag';
  const textKey = options.textKey ?? 'text';
  const textOf = (f: object | null | undefined) => {
    const t = (f as Fields | undefined)?.[textKey];
    return typeof t === 'string' && t !== '' ? t : undefined;
  };

  /** Decides the records' texts; stores the kept ones, then holds the held ones. */
  async function write(method: HeldPineconeWrite['method'], args: WriteArgs): Promise<void> {
    const { fields, restamp } = ACCESS[method];
    if (typeof args !== 'object' || args === null || !Array.isArray(args.records)) {
      throw new InvalidInputError('records', `expected ${method}({ records: [...] })`);
    }
    const idOf = (r: Fields) => String(r.id ?? r._id);
    const withText = args.records.filter((r) => textOf(fields(r)) !== undefined);
    const textless = args.records.filter((r) => textOf(fields(r)) === undefined);
    if (textless.length > 0 && options.allowTextless !== true) {
      throw new InvalidInputError(
        'records',
        `record "${idOf(textless[0] as Fields)}" has no text under "${textKey}": memgar cannot analyze a vector without its text (add it, or allowTextless: true)`,
      );
    }
    const texts = withText.map((r) => textOf(fields(r)) as string);
    const outcomes = await guardWrites(
      enforcer,
      options,
      texts.map((text, j) => ({ text, id: idOf(withText[j] as Fields), sourceType })),
    );
    const stamp = (j: number, text: string, m: MemgarMetadata) => {
      const r = withText[j] as Fields;
      return restamp(r, { ...own(fields(r)), [textKey]: text, ...flatMemgarMetadata(m) });
    };
    const keep: Fields[] = [];
    const rewritten: Fields[] = [];
    for (const [j, o] of outcomes.entries()) {
      if (!o.stored) continue;
      keep.push(stamp(j, o.text, o.memgar));
      if (o.text !== texts[j] && method === 'upsert') rewritten.push(keep.at(-1) as Fields);
    }
    if (rewritten.length > 0 && options.embed) {
      const vectors = await options.embed(rewritten.map((r) => textOf(fields(r)) as string));
      for (const [k, r] of rewritten.entries()) r.values = vectors[k];
    }
    keep.push(...textless.map((r) => restamp(r, own(fields(r)))));
    const ns = args.namespace ?? namespace;
    if (keep.length > 0) await index[method]({ ...args, records: keep as never });
    await held.hold(
      outcomes,
      texts,
      outcomes.map((o, j) => ({
        method,
        record: stamp(j, texts[j] as string, o.memgar),
        ...(ns !== undefined && { namespace: ns }),
      })),
      { sourceType, ...contextIds(options) },
    );
  }

  /** The results that may enter the context: analyzed ones in the guard's order, then textless ones. */
  async function guardHits<H>(
    query: string | undefined,
    hits: readonly H[],
    at: (h: H) => { id: string; fields: object | undefined; score?: number | undefined },
    restamp: (h: H, f: Fields) => H,
  ): Promise<H[]> {
    const items: { hit: H; text: string; id: string; score?: number }[] = [];
    const textless: H[] = [];
    for (const hit of hits) {
      const { id, fields, score } = at(hit);
      const text = textOf(fields);
      if (text !== undefined) items.push({ hit, text, id, ...(score !== undefined && { score }) });
      else if (options.allowTextless === true) textless.push(hit);
      else reportFiltered(options, NO_TEXT_RULE, 'record has no text to analyze', id);
    }
    const kept = await guardRetrieved(enforcer, options, query, items, sourceType);
    return [
      ...kept.map((k) => {
        const { hit } = items[k.index] as { hit: H };
        return restamp(hit, { ...own(at(hit).fields), [textKey]: k.text, ...flatMemgarMetadata(k.memgar) });
      }),
      ...textless,
    ];
  }

  const decided = (filter: object | undefined) => {
    const f = options.filterDecisions;
    if (!f) return filter;
    const cond = { memgar_decision: { $in: [...f] } };
    return filter && Object.keys(filter).length > 0 ? { $and: [filter, cond] } : cond;
  };
  const refuse = (method: string, why: string) => Promise.reject(new InvalidInputError(method, why));
  const check = (args: unknown, method: string) => {
    if (typeof args !== 'object' || args === null) throw new InvalidInputError(method, 'expected an object');
  };

  const overrides: Record<string, unknown> = {
    upsert: (a: WriteArgs) => write('upsert', a),
    upsertRecords: (a: WriteArgs) => write('upsertRecords', a),
    async query(a: Parameters<PineconeIndexLike['query']>[0]) {
      check(a, 'query');
      const filter = decided(a.filter);
      const res = await index.query({ ...a, includeMetadata: true, ...(filter && { filter }) });
      const matches = await guardHits(
        undefined,
        res.matches,
        (m) => ({ id: m.id, fields: m.metadata, score: m.score }),
        (m, metadata) => ({ ...m, metadata }),
      );
      return {
        ...res,
        matches: a.includeMetadata === true ? matches : matches.map(({ metadata: _, ...m }) => m),
      };
    },
    async searchRecords(a: SearchArgs) {
      check(a, 'searchRecords');
      const fields = a.fields && !a.fields.includes(textKey) ? [...a.fields, textKey] : a.fields;
      const filter = decided(a.query?.filter);
      const res = await index.searchRecords({
        ...a,
        ...(a.query && { query: { ...a.query, ...(filter && { filter }) } }),
        ...(fields && { fields }),
      });
      const text = (a.query?.inputs as { text?: unknown } | undefined)?.text;
      const hits = await guardHits(
        typeof text === 'string' ? text : undefined,
        res.result.hits,
        (h) => ({ id: h._id, fields: h.fields, score: h._score }),
        (h, f) => ({ ...h, fields: fields === a.fields ? f : keys(f, (k) => k !== textKey) }),
      );
      return { ...res, result: { ...res.result, hits } };
    },
    async fetch(a: { ids: string[]; namespace?: string }) {
      check(a, 'fetch');
      const res = await index.fetch(a);
      const kept = await guardHits(
        undefined,
        Object.values(res.records),
        (r) => ({ id: r.id, fields: r.metadata }),
        (r, metadata) => ({ ...r, metadata }),
      );
      return { ...res, records: Object.fromEntries(kept.map((r) => [r.id, r])) };
    },
    update(a: { metadata?: object }) {
      check(a, 'update');
      if (a.metadata && textKey in a.metadata) {
        return refuse('update', `update may not set "${textKey}": use upsert, so memgar analyzes the text`);
      }
      return index.update({ ...a, ...(a.metadata && { metadata: own(a.metadata) }) });
    },
    fetchByMetadata: () =>
      refuse('fetchByMetadata', 'Index.fetchByMetadata is not guarded by memgar: use query or fetch'),
    namespace: (ns: string) => wrap(index.namespace(ns), ns, options, held, enforcer),
    held,
    inner: index,
  };

  return withOverrides(index, overrides) as GuardedIndex<I>;
}
