import { type Decision, InvalidInputError, type SourceType } from '@memgar/core';
import {
  type EnforcerLike,
  flatMemgarMetadata,
  guardAndHold,
  guardRecords,
  type HeldGuarded,
  type HeldStoreOptions,
  HeldWrites,
  type MemgarMetadata,
  resolveEnforcer,
  type WriteOutcome,
  withOverrides,
} from '@memgar/core/adapter-kit';

export interface GuardWeaviateOptions extends HeldStoreOptions {
  /** The property holding the text memgar decides. @default 'text' */
  textProperty?: string;
  /**
   * Objects without a string `textProperty` cannot be analyzed. `false`: a write of one throws
   * `InvalidInputError` (nothing of its call is stored) and a query result without it is withheld
   * (reported as `block`, rule `memgar:no-text`). `true`: stored and returned unanalyzed, without
   * memgar properties (so `filterDecisions` excludes them). @default false
   */
  allowTextless?: boolean;
  /** Source type of written objects. @default 'rag' */
  sourceType?: SourceType;
  /** A property naming each object's source (URL, document id), for per-source trust. @default none */
  sourceProperty?: string;
  /** Writes `memgar_decision`, `memgar_risk` and `memgar_rule` properties on stored objects. @default true */
  recordDecision?: boolean;
  /** Queries only return objects whose stored `memgar_decision` is one of these. @default no filter */
  filterDecisions?: readonly Decision[];
  /** Re-embeds a sanitized object that came with its own vectors. @default keep the given vectors */
  embed?: (text: string) => Promise<number[]>;
}

type Props = Record<string, unknown>;
type DataObject = { id?: string; properties?: Props; references?: unknown; vectors?: number[] | Props };
/** A held write: what approval writes through (`tenant` when the collection was tenant-scoped). */
export interface HeldWeaviateWrite {
  op: 'insert' | 'replace' | 'update';
  object: DataObject;
  tenant?: string;
}

type Fn = (...args: unknown[]) => Promise<unknown>;
/** The parts of a weaviate-client `Collection` the guard uses. */
export interface WeaviateCollectionLike {
  name: string;
  data: { insert(obj?: unknown): Promise<string>; insertMany(objs: unknown[]): Promise<unknown> };
  query: object;
  filter: { byProperty(name: string): { containsAny(values: string[]): unknown } };
  withTenant?(tenant: unknown): unknown;
  withConsistency?(level: unknown): unknown;
}

/** The guarded collection: the same collection, plus its held writes and the unguarded original. */
export type GuardedCollection<C> = HeldGuarded<C, HeldWeaviateWrite>;

/** weaviate-client's `BatchObjectsReturn`, as far as the guard rewrites it. */
type BatchReturn = Record<'allResponses' | 'errors' | 'uuids', Record<number, unknown>>;

/** The search method's options argument position (the rest take `(input, opts)`). */
const OPTS_AT: Record<string, number> = { fetchObjects: 0, nearMedia: 2 };
const QUERY_TEXT = new Set(['nearText', 'bm25', 'hybrid']);

/** `obj` as the client reads it (`DataGuards.isDataObject`): a data object, or bare properties. */
function asDataObject(obj: unknown): DataObject {
  const o = (obj ?? {}) as DataObject;
  const isData = ['id', 'properties', 'references', 'vectors'].some((k) => (o as Props)[k] !== undefined);
  return isData ? o : { properties: o as Props };
}

/**
 * Wraps a weaviate-client collection: `data.insert`, `insertMany`, `replace` and `update` decide
 * the text property before anything is stored; every `query.*` method returns only what the
 * retrieval guard allows. `generate.*`, `iterator()` and `data.ingest` throw `InvalidInputError`
 * (they would pass objects unchecked). Everything else is the collection's own.
 */
export function guardWeaviateCollection<C extends WeaviateCollectionLike>(
  collection: C,
  options: GuardWeaviateOptions = {},
): GuardedCollection<C> {
  const enforcer = resolveEnforcer(options);
  const held = new HeldWrites<HeldWeaviateWrite>(async (rec, item) => {
    const target = (rec.tenant !== undefined ? collection.withTenant?.(rec.tenant) : collection) as C;
    const approved = { ...rec.object.properties };
    if (options.recordDecision !== false)
      Object.assign(approved, { memgar_decision: 'allow', memgar_review: item.id });
    await (target.data as unknown as Record<string, Fn>)[rec.op]?.({ ...rec.object, properties: approved });
  }, options.reviewQueue);
  return scoped(collection, { options, enforcer, held });
}

interface Scope {
  options: GuardWeaviateOptions;
  enforcer: EnforcerLike;
  held: HeldWrites<HeldWeaviateWrite>;
  tenant?: string;
}

function scoped<C extends WeaviateCollectionLike>(collection: C, scope: Scope): GuardedCollection<C> {
  const { options, enforcer, held, tenant } = scope;
  const textProp = options.textProperty ?? 'text';
  const sourceType = options.sourceType ?? 'rag';
  const textOf = (p: Props | undefined) =>
    typeof p?.[textProp] === 'string' ? (p[textProp] as string) : undefined;
  /** `{ id, sourceId }` of an object, for the enforcer (sourceId keys per-source trust). */
  const ids = (o: { id?: string; uuid?: string; properties?: Props }) => {
    const s = options.sourceProperty !== undefined ? o.properties?.[options.sourceProperty] : undefined;
    const id = o.id ?? o.uuid;
    return { ...(typeof s === 'string' ? { sourceId: s } : {}), ...(id ? { id } : {}) };
  };

  /** Decides `objects`; returns per input index the object to store, or the refusal message. */
  async function admit(objects: DataObject[], op: HeldWeaviateWrite['op']): Promise<(DataObject | string)[]> {
    const analyzed: number[] = [];
    for (const [i, o] of objects.entries()) {
      if (textOf(o.properties) !== undefined) analyzed.push(i);
      else if (options.allowTextless !== true && !(op === 'update' && !(textProp in (o.properties ?? {})))) {
        throw new InvalidInputError(
          textProp,
          `object ${i} has no string "${textProp}" property to analyze; set textProperty, or allowTextless to store it unanalyzed`,
        );
      }
    }
    const items = analyzed.map((i) => ({
      text: textOf(objects[i]!.properties)!,
      sourceType,
      ...ids(objects[i]!),
    }));
    // A held write is queued (also with `onRefused: 'throw'`) as the op approval replays.
    const t = tenant ? { tenant } : {};
    const toHold = async (j: number, o: WriteOutcome) => ({
      op,
      object: await record(objects[analyzed[j]!]!, o),
      ...t,
    });
    const outcomes = await guardAndHold(enforcer, options, items, { held, record: toHold });
    const records = await Promise.all(
      outcomes.map((o, j) => (o.stored ? record(objects[analyzed[j]!]!, o) : undefined)),
    );
    const out: (DataObject | string)[] = [...objects];
    for (const [j, i] of analyzed.entries()) {
      const { memgar: m, reason, reviewId } = outcomes[j]!;
      const review = reviewId !== undefined ? `; held for review ${reviewId}` : '';
      out[i] = records[j] ?? `memgar refused the write (${m.decision}, ${m.rule}): ${reason}${review}`;
    }
    return out;
  }

  /** The object to store for an outcome: rewrite, decision properties, re-embedded vectors. */
  async function record(o: DataObject, outcome: WriteOutcome): Promise<DataObject> {
    const text = outcome.stored ? outcome.text : textOf(o.properties);
    const props: Props = { ...o.properties, [textProp]: text };
    if (options.recordDecision !== false) Object.assign(props, flatMemgarMetadata(outcome.memgar));
    let vectors = o.vectors;
    if (outcome.stored && text !== textOf(o.properties) && vectors !== undefined && options.embed) {
      const v = await options.embed(text as string);
      vectors = Array.isArray(vectors) ? v : Object.fromEntries(Object.keys(vectors).map((k) => [k, v]));
    }
    return { ...o, properties: props, ...(vectors !== undefined ? { vectors } : {}) };
  }

  /** A refused object as weaviate-client reports a failed one (`ErrorObject`). */
  const refusal = (message: string, o: DataObject) => ({
    message,
    object: { ...o, collection: collection.name, ...(tenant !== undefined ? { tenant } : {}) },
    ...(o.id !== undefined ? { originalUuid: o.id } : {}),
  });

  /** insertMany: refused objects come back in `errors` at their own index. */
  const insertMany = async (input: unknown[]) => {
    const objects = input.map(asDataObject);
    const admitted = await admit(objects, 'insert');
    const kept = admitted.flatMap((a, i) => (typeof a === 'string' ? [] : [i]));
    const at = new Map(kept.map((i, j) => [i, j]));
    const inner = (
      kept.length > 0
        ? await collection.data.insertMany(kept.map((i) => admitted[i]))
        : { allResponses: [], errors: {}, uuids: {}, elapsedSeconds: 0 }
    ) as BatchReturn;
    const out: BatchReturn = { ...inner, allResponses: [], errors: {}, uuids: {} };
    for (const [i, a] of admitted.entries()) {
      const j = at.get(i) ?? -1;
      const r = typeof a === 'string' ? refusal(a, objects[i]!) : inner.errors[j];
      if (r !== undefined) out.errors[i] = r;
      else out.uuids[i] = inner.uuids[j]!;
      out.allResponses[i] = r ?? inner.uuids[j]!;
    }
    return { ...out, hasErrors: Object.keys(out.errors).length > 0 };
  };

  const one = (op: HeldWeaviateWrite['op']) => async (obj: unknown) => {
    const o = op === 'insert' ? asDataObject(obj) : (obj as DataObject);
    const [a] = await admit([o], op);
    if (typeof a === 'string') return op === 'insert' ? '' : undefined;
    return (collection.data as unknown as Record<string, Fn>)[op]?.(a);
  };

  /** Guards `objects` of a query result (sanitized text written back, best first; allowed textless ones last). */
  async function guardObjects<O extends { uuid?: string; properties?: Props; metadata?: Props }>(
    objects: O[],
    query: string | undefined,
  ): Promise<(O & { memgar?: MemgarMetadata })[]> {
    const textless = options.allowTextless ? objects.filter((o) => textOf(o.properties) === undefined) : [];
    const fields = (o: O) => {
      const m = o.metadata ?? {};
      const score = typeof m.distance === 'number' ? 1 - m.distance : (m.score ?? m.certainty);
      return { text: textOf(o.properties), score, ...ids(o) };
    };
    const noTextReason = `no string "${textProp}" property to analyze`;
    const withText = objects.filter((o) => !textless.includes(o));
    const kept = await guardRecords(enforcer, options, withText, fields, { query, noTextReason });
    const guarded = kept.map(({ record: o, text, memgar }) => ({
      ...o,
      properties: { ...o.properties, [textProp]: text },
      memgar,
    }));
    return [...guarded, ...textless];
  }

  const decisionFilter = () =>
    collection.filter.byProperty('memgar_decision').containsAny([...(options.filterDecisions ?? [])]);
  const search =
    (name: string, fn: Fn) =>
    async (...args: unknown[]) => {
      const at = OPTS_AT[name] ?? 1;
      const opts: Props = { ...(args[at] as Props | undefined) };
      if (opts.groupBy !== undefined)
        throw new InvalidInputError('groupBy', 'grouped queries are not guarded; query without groupBy');
      if (options.filterDecisions !== undefined) {
        opts.filters =
          opts.filters === undefined
            ? decisionFilter()
            : { operator: 'And', filters: [opts.filters, decisionFilter()], value: null };
      }
      if (Array.isArray(opts.returnProperties) && !opts.returnProperties.includes(textProp)) {
        opts.returnProperties = [...opts.returnProperties, textProp];
      }
      const call = [...args];
      call[at] = opts;
      const q = QUERY_TEXT.has(name) ? args[0] : undefined;
      const queryText = Array.isArray(q) ? q.join(' ') : typeof q === 'string' ? q : undefined;
      const res = (await fn(...call)) as { objects?: Props[] } | null;
      if (name === 'fetchObjectById')
        return res === null ? null : ((await guardObjects([res as Props], queryText))[0] ?? null);
      return { ...res, objects: await guardObjects(res?.objects ?? [], queryText) };
    };

  const query = new Proxy(collection.query, {
    get(t, p) {
      const v: unknown = Reflect.get(t, p, t);
      return typeof v === 'function' && typeof p === 'string' ? search(p, v.bind(t) as Fn) : v;
    },
  });

  const unguarded = (what: string) => () => {
    throw new InvalidInputError(what, `${what} is not guarded (objects would pass unchecked); use query.*`);
  };
  const rejects = (what: string) => async () => unguarded(what)();

  return withOverrides(collection, {
    held,
    inner: collection,
    data: withOverrides(collection.data, {
      insert: one('insert'),
      replace: one('replace'),
      update: one('update'),
      insertMany,
      ingest: unguarded('data.ingest'),
    }),
    query,
    generate: new Proxy({}, { get: (_, p) => rejects(`generate.${String(p)}`) }),
    iterator: unguarded('iterator'),
    withTenant: (t: string | { name: string }) =>
      scoped(collection.withTenant?.(t) as C, { ...scope, tenant: typeof t === 'string' ? t : t.name }),
    withConsistency: (level: unknown) => scoped(collection.withConsistency?.(level) as C, scope),
  }) as GuardedCollection<C>;
}
