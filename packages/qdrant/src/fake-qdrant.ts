// Test helper (not exported): a loopback HTTP server that speaks the part of Qdrant's REST API the
// guard uses — collections, upsert (points or batch), retrieve, scroll, search and query with
// cosine or dot similarity and payload filters — keeping points in memory. Responses are built
// from ./fixtures/qdrant-responses.ts, which are type-checked against the SDK's OpenAPI types.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as F from './fixtures/qdrant-responses.js';

type Id = string | number;
type Payload = Record<string, unknown>;
interface Point {
  id: Id;
  vector: number[];
  payload: Payload | null;
}
interface Collection {
  distance: 'Cosine' | 'Dot';
  points: Map<string, Point>;
}
type Body = Record<string, unknown>;

export interface FakeQdrant {
  url: string;
  /** Every request, as `METHOD path` (for assertions on what reached the server). */
  requests: string[];
  /** Make every point write answer 500 (a failing store). */
  failWrites: boolean;
  /** The stored points of a collection, read directly. */
  points(collection: string): Point[];
  close(): Promise<void>;
}

const norm = (v: number[]) => {
  const n = Math.hypot(...v);
  return n === 0 ? v : v.map((x) => x / n);
};
const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

function valueAt(payload: Payload | null, key: string): unknown {
  return key.split('.').reduce<unknown>((o, k) => (o as Payload | null | undefined)?.[k], payload);
}

/** Qdrant filter subset: must / should / must_not of match (value, any, except), has_id, nested filters. */
function matches(p: Point, f: Body | null | undefined): boolean {
  if (f === null || f === undefined) return true;
  const cond = (c: Body): boolean => {
    if ('must' in c || 'should' in c || 'must_not' in c) return matches(p, c);
    if (Array.isArray(c.has_id)) return (c.has_id as Id[]).some((id) => String(id) === String(p.id));
    const v = valueAt(p.payload, String(c.key));
    const m = (c.match ?? {}) as Body;
    const vs = Array.isArray(v) ? v : [v];
    if ('value' in m) return vs.includes(m.value);
    if (Array.isArray(m.any)) return vs.some((x) => (m.any as unknown[]).includes(x));
    if (Array.isArray(m.except)) return !vs.some((x) => (m.except as unknown[]).includes(x));
    throw new Error(`unsupported condition ${JSON.stringify(c)}`);
  };
  const list = (k: string) =>
    f[k] === undefined || f[k] === null ? [] : ([] as Body[]).concat(f[k] as Body);
  const should = list('should');
  return (
    list('must').every(cond) && !list('must_not').some(cond) && (should.length === 0 || should.some(cond))
  );
}

function project(p: Point, withPayload: unknown, withVector: unknown) {
  let payload: Payload | null = null;
  if (withPayload === true) payload = p.payload;
  else if (Array.isArray(withPayload) && p.payload) {
    payload = Object.fromEntries(Object.entries(p.payload).filter(([k]) => withPayload.includes(k)));
  }
  return { id: p.id, payload, vector: withVector === true ? p.vector : null };
}

export async function startFakeQdrant(): Promise<FakeQdrant> {
  const collections = new Map<string, Collection>();
  const requests: string[] = [];
  const state = { failWrites: false };

  const send = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const ok = (res: ServerResponse, result: unknown) => send(res, 200, { ...F.ok, result });

  function search(c: Collection, body: Body, vector: number[] | undefined) {
    const filtered = [...c.points.values()].filter((p) => matches(p, body.filter as Body));
    const scored = vector
      ? filtered
          .map((p) => ({ p, score: dot(c.distance === 'Cosine' ? norm(vector) : vector, p.vector) }))
          .sort((a, b) => b.score - a.score)
      : filtered.map((p) => ({ p, score: 0 }));
    const threshold = typeof body.score_threshold === 'number' ? body.score_threshold : -Infinity;
    const offset = Number(body.offset ?? 0);
    return scored
      .filter((s) => s.score >= threshold)
      .slice(offset, offset + Number(body.limit ?? 10))
      .map(({ p, score }) => ({
        ...F.scoredPoint,
        ...project(p, body.with_payload ?? false, body.with_vector),
        score,
      }));
  }

  function upsert(c: Collection, body: Body) {
    const batch = body.batch as { ids: Id[]; vectors: number[][]; payloads?: (Payload | null)[] } | undefined;
    const points =
      (body.points as Point[] | undefined) ??
      (batch?.ids ?? []).map((id, i) => ({
        id,
        vector: batch?.vectors[i] as number[],
        payload: batch?.payloads?.[i] ?? null,
      }));
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
    const bad = points.find((p) =>
      typeof p.id === 'number' ? !Number.isInteger(p.id) || p.id < 0 : !uuid.test(String(p.id)),
    );
    if (bad) throw new Error(`Format error in JSON body: value ${String(bad.id)} is not a valid point ID`);
    for (const p of points) {
      const vector = c.distance === 'Cosine' ? norm(p.vector) : p.vector;
      c.points.set(String(p.id), { id: p.id, vector, payload: p.payload ?? null });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = (chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {}) as Body;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    requests.push(`${req.method} ${path}`);
    if (req.method === 'GET' && path === '/') return send(res, 200, F.versionInfo);
    const m = /^\/collections\/([^/]+)(\/.*)?$/.exec(path);
    if (!m) return send(res, 404, F.notFound);
    const name = decodeURIComponent(m[1] as string);
    const rest = `${req.method} ${m[2] ?? ''}`;
    if (rest === 'PUT ') {
      const vectors = body.vectors as { distance?: string };
      collections.set(name, { distance: vectors?.distance === 'Dot' ? 'Dot' : 'Cosine', points: new Map() });
      return ok(res, true);
    }
    if (rest === 'GET /exists') return ok(res, { ...F.existence, exists: collections.has(name) });
    if (rest === 'DELETE ') return ok(res, collections.delete(name));
    const c = collections.get(name);
    if (!c)
      return send(res, 404, {
        ...F.notFound,
        status: { error: F.notFound.status.error.replace('{name}', name) },
      });
    switch (rest) {
      case 'PUT /points':
        if (state.failWrites) return send(res, 500, F.serviceError);
        upsert(c, body);
        return ok(res, F.updateCompleted);
      case 'POST /points':
        return ok(
          res,
          ((body.ids as Id[]) ?? []).flatMap((id) => {
            const p = c.points.get(String(id));
            return p ? [{ ...F.record, ...project(p, body.with_payload ?? true, body.with_vector) }] : [];
          }),
        );
      case 'POST /points/scroll': {
        const all = [...c.points.values()].filter((p) => matches(p, body.filter as Body));
        const points = all
          .slice(0, Number(body.limit ?? 10))
          .map((p) => ({ ...F.record, ...project(p, body.with_payload ?? true, body.with_vector) }));
        return ok(res, { ...F.scrollResult, points });
      }
      case 'POST /points/search':
        return ok(res, search(c, body, body.vector as number[]));
      case 'POST /points/query': {
        const q = body.query as number[] | { nearest: number[] } | undefined;
        const vector = Array.isArray(q) ? q : q?.nearest;
        return ok(res, { points: search(c, body, vector) });
      }
      default:
        return send(res, 400, {
          ...F.badRequest,
          status: { error: F.badRequest.status.error.replace('{detail}', `${rest} not implemented`) },
        });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) =>
      send(res, 400, {
        ...F.badRequest,
        status: { error: error instanceof Error ? error.message : String(error) },
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get failWrites() {
      return state.failWrites;
    },
    set failWrites(v: boolean) {
      state.failWrites = v;
    },
    points: (name) => [...(collections.get(name)?.points.values() ?? [])],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
