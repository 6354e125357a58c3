import { type Decision, InvalidInputError, type SourceType } from '@memgar/core';
import {
  contextIds,
  guardRetrieved,
  guardWrites,
  type HeldGuarded,
  type HeldStoreOptions,
  HeldWrites,
  type MemgarMetadata,
  NO_TEXT_RULE,
  reportFiltered,
  resolveEnforcer,
  withOverrides,
} from '@memgar/core/adapter-kit';

type Payload = Record<string, unknown>;
type PointId = string | number;

/** A point as `upsert` takes it (`PointStruct`). */
export interface QdrantPoint {
  id: PointId;
  vector: unknown;
  payload?: Payload | null;
}

/** A point as `search`, `query`, `retrieve` and `scroll` return it (`ScoredPoint`, `Record`). */
export interface QdrantHit {
  id: PointId;
  score?: number;
  payload?: Payload | null;
}

interface UpsertArgs {
  points?: QdrantPoint[];
  batch?: { ids: PointId[]; vectors: unknown; payloads?: (Payload | null)[] | null };
  wait?: boolean;
}
interface ReadArgs {
  filter?: Payload | null;
  with_payload?: unknown;
}

/** The `QdrantClient` methods the guard calls (@qdrant/js-client-rest 1.12–1.18 has them). */
export interface QdrantClientLike {
  upsert(
    collection_name: string,
    args: UpsertArgs,
  ): Promise<{ status: string; operation_id?: number | null }>;
  search(collection_name: string, args: ReadArgs & { vector: unknown }): Promise<QdrantHit[]>;
  query(collection_name: string, args: ReadArgs & { query?: unknown }): Promise<{ points: QdrantHit[] }>;
  retrieve(collection_name: string, args: ReadArgs & { ids: PointId[] }): Promise<QdrantHit[]>;
  scroll(collection_name: string, args?: ReadArgs): Promise<{ points: QdrantHit[] }>;
}

export interface GuardQdrantOptions extends HeldStoreOptions {
  /** The payload key that holds a point's text. @default 'text' */
  textKey?: string;
  /** Source type of written and retrieved texts. @default 'rag' */
  sourceType?: SourceType;
  /**
   * Adds a filter on the payload's `memgar.decision` to `search`, `query`, `retrieve` and `scroll`,
   * so only points written through memgar with one of these decisions come back. @default none
   */
  filterDecisions?: readonly Decision[];
  /**
   * Points without a text under `textKey` cannot be analyzed. `false`: an upsert with one is
   * rejected with `InvalidInputError` (nothing of the call stored) and a retrieved one is
   * dropped (reported as `block`, rule `memgar:no-text`). `true`: stored and returned
   * unanalyzed, without a `memgar` payload (so `filterDecisions` excludes them). @default false
   */
  allowTextless?: boolean;
  /** Embeds sanitized texts of points with a plain dense vector. @default none: the given vector is kept */
  embed?: (texts: string[]) => Promise<number[][]>;
}

/** A held write: the point approval upserts into its collection. */
export interface HeldQdrantWrite {
  collection: string;
  point: QdrantPoint;
}

/** The guarded client: the same interface, plus its held writes and the unguarded original. */
export type GuardedQdrant<Q> = HeldGuarded<Q, HeldQdrantWrite>;

export { NO_TEXT_RULE };

const NOTHING = { operation_id: null, status: 'completed' };

/** Methods that read or write payloads without the guard: refused (use `inner` to bypass). */
const UNGUARDED = [
  'searchBatch',
  'queryBatch',
  'queryGroups',
  'searchPointGroups',
  'recommend',
  'recommendBatch',
  'recommend_batch',
  'recommendPointGroups',
  'discoverPoints',
  'discoverBatchPoints',
  'batchUpdate',
  'setPayload',
  'overwritePayload',
  'updateVectors',
];

/** The payload without a `memgar` key: only memgar writes it. */
function own(payload: Payload | null | undefined): Payload {
  const { memgar: _, ...rest } = payload ?? {};
  return rest;
}

function pointsOf(args: UpsertArgs): QdrantPoint[] {
  if (Array.isArray(args.points)) return args.points;
  const b = args.batch;
  if (!b || !Array.isArray(b.ids)) throw new InvalidInputError('points', 'expected `points` or a `batch`');
  const v = b.vectors as unknown[] | Record<string, unknown[]>;
  return b.ids.map((id, i) => ({
    id,
    vector: Array.isArray(v) ? v[i] : Object.fromEntries(Object.entries(v).map(([k, col]) => [k, col[i]])),
    payload: b.payloads?.[i] ?? null,
  }));
}

const isDense = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => typeof x === 'number');

/**
 * Wraps a `QdrantClient`: `upsert` decides every point's text (payload `textKey`) before it is
 * stored (refused points are not stored, sanitized ones are stored rewritten, quarantined and
 * human-review ones wait in `held`), `search`, `query`, `retrieve` and `scroll` filter what comes
 * back. Methods that would bypass the guard (batch and group searches, recommend, discover, payload
 * and vector updates) are refused; everything else is the client's own.
 */
export function guardQdrant<Q extends QdrantClientLike>(
  client: Q,
  options: GuardQdrantOptions = {},
): GuardedQdrant<Q> {
  const enforcer = resolveEnforcer(options);
  const sourceType = options.sourceType ?? 'rag';
  const textKey = options.textKey ?? 'text';
  const textOf = (p: Payload | null | undefined) => {
    const t = p?.[textKey];
    return typeof t === 'string' && t !== '' ? t : undefined;
  };
  const held = new HeldWrites<HeldQdrantWrite>(async (w, item) => {
    const memgar = { ...(w.point.payload?.memgar as MemgarMetadata), decision: 'allow', review: item.id };
    await client.upsert(w.collection, {
      wait: true,
      points: [{ ...w.point, payload: { ...w.point.payload, memgar } }],
    });
  }, options.reviewQueue);

  async function upsert(name: string, args: UpsertArgs) {
    if (typeof name !== 'string' || typeof args !== 'object' || args === null) {
      throw new InvalidInputError('points', 'expected upsert(collection_name, { points | batch })');
    }
    const { points: _p, batch: _b, ...rest } = args;
    const points = pointsOf(args);
    const withText = [...points.keys()].filter((i) => textOf(points[i]?.payload) !== undefined);
    const textless = [...points.keys()].filter((i) => textOf(points[i]?.payload) === undefined);
    if (textless.length > 0 && options.allowTextless !== true) {
      throw new InvalidInputError(
        'payload',
        `point ${String(points[textless[0] as number]?.id)} has no text under "${textKey}": memgar cannot analyze a vector without its text (add it, or allowTextless: true)`,
      );
    }
    const texts = withText.map((i) => textOf(points[i]?.payload) as string);
    const outcomes = await guardWrites(
      enforcer,
      options,
      texts.map((text, j) => ({ text, id: points[withText[j] as number]?.id, sourceType })),
    );
    const stamp = (i: number, text: string, memgar: MemgarMetadata): QdrantPoint => {
      const p = points[i] as QdrantPoint;
      return { ...p, payload: { ...own(p.payload), [textKey]: text, memgar } };
    };
    const keep: QdrantPoint[] = [];
    const rewritten: QdrantPoint[] = [];
    for (const [j, o] of outcomes.entries()) {
      if (!o.stored) continue;
      const p = stamp(withText[j] as number, o.text, o.memgar);
      keep.push(p);
      if (o.text !== texts[j] && isDense(p.vector)) rewritten.push(p);
    }
    if (rewritten.length > 0 && options.embed) {
      const vectors = await options.embed(rewritten.map((p) => p.payload?.[textKey] as string));
      for (const [k, p] of rewritten.entries()) p.vector = vectors[k];
    }
    keep.push(...textless.map((i) => ({ ...(points[i] as QdrantPoint), payload: own(points[i]?.payload) })));
    const res = keep.length > 0 ? await client.upsert(name, { ...rest, points: keep }) : { ...NOTHING };
    await held.hold(
      outcomes,
      texts,
      outcomes.map((o, j) => ({
        collection: name,
        point: stamp(withText[j] as number, texts[j] as string, o.memgar),
      })),
      { sourceType, ...contextIds(options) },
    );
    return res;
  }

  /** The hits that may enter the context: analyzed ones in the guard's order, then textless ones. */
  async function guardHits<H extends QdrantHit>(hits: readonly H[], withPayload: unknown): Promise<H[]> {
    const items: { hit: H; text: string; id: PointId; score?: number }[] = [];
    const textless: H[] = [];
    for (const hit of hits) {
      const text = textOf(hit.payload);
      if (text !== undefined)
        items.push({ hit, text, id: hit.id, ...(hit.score !== undefined && { score: hit.score }) });
      else if (options.allowTextless === true) textless.push(hit);
      else reportFiltered(options, NO_TEXT_RULE, 'point has no text to analyze', hit.id);
    }
    const kept = await guardRetrieved(enforcer, options, undefined, items, sourceType);
    const out = [
      ...kept.map((k) => {
        const { hit } = items[k.index] as { hit: H };
        return { ...hit, payload: { ...own(hit.payload), [textKey]: k.text, memgar: k.memgar } };
      }),
      ...textless,
    ];
    if (withPayload === false) return out.map((h) => ({ ...h, payload: null }));
    if (!Array.isArray(withPayload)) return out;
    const pick = (p: Payload) =>
      Object.fromEntries(Object.entries(p).filter(([k]) => withPayload.includes(k)));
    return out.map((h) => ({ ...h, payload: pick(h.payload ?? {}) }));
  }

  function readArgs<A extends ReadArgs>(args: A): A {
    const f = options.filterDecisions;
    if (typeof args !== 'object' || args === null) throw new InvalidInputError('args', 'expected an object');
    const decided = f && { key: 'memgar.decision', match: { any: [...f] } };
    const filter = decided ? { must: [decided, ...(args.filter ? [args.filter] : [])] } : args.filter;
    return { ...args, with_payload: true, ...(filter && { filter }) };
  }

  const refuse = (method: string) => () =>
    Promise.reject(
      new InvalidInputError(method, `QdrantClient.${method} is not guarded by memgar: use search or query`),
    );
  const overrides: Record<string, unknown> = {
    ...Object.fromEntries(UNGUARDED.map((m) => [m, refuse(m)])),
    upsert,
    search: async (name: string, a: ReadArgs & { vector: unknown }) =>
      guardHits(await client.search(name, readArgs(a)), a.with_payload ?? true),
    query: async (name: string, a: ReadArgs) => {
      const res = await client.query(name, readArgs(a));
      return { ...res, points: await guardHits(res.points, a.with_payload ?? false) };
    },
    retrieve: async (name: string, a: ReadArgs & { ids: PointId[] }) =>
      guardHits(await client.retrieve(name, readArgs(a)), a.with_payload ?? true),
    scroll: async (name: string, a: ReadArgs = {}) => {
      const res = await client.scroll(name, readArgs(a));
      return { ...res, points: await guardHits(res.points, a.with_payload ?? true) };
    },
    held,
    inner: client,
  };

  return withOverrides(client, overrides) as GuardedQdrant<Q>;
}
