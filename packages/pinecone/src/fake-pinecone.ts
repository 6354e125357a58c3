// Test helper (not exported): a loopback HTTP server that speaks the data-plane API of a Pinecone
// index host as @pinecone-database/pinecone 8.2.0 calls it (API version 2026-04): /vectors/upsert,
// /query, /vectors/fetch, /vectors/update, /vectors/delete, and the integrated-embedding records API
// (/records/namespaces/{ns}/upsert as NDJSON, /records/namespaces/{ns}/search). Points live in
// memory, similarity is cosine, and integrated records are embedded with the kit's deterministic
// bag-of-words embedding. Response bodies start from ./fixtures/*.json, shaped as the SDK's
// generated `*FromJSON` parsers read them (e.g. `read_units` in search usage, `readUnits` in query).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fakeEmbedding } from '@memgar/adapter-testkit/fake-openai';
import deleteResponse from './fixtures/delete-response.json' with { type: 'json' };
import fetchResponse from './fixtures/fetch-response.json' with { type: 'json' };
import hit from './fixtures/hit.json' with { type: 'json' };
import queryResponse from './fixtures/query-response.json' with { type: 'json' };
import invalidArgument from './fixtures/rpc-status-invalid-argument.json' with { type: 'json' };
import unavailable from './fixtures/rpc-status-unavailable.json' with { type: 'json' };
import scoredVector from './fixtures/scored-vector.json' with { type: 'json' };
import searchResponse from './fixtures/search-records-response.json' with { type: 'json' };
import updateResponse from './fixtures/update-response.json' with { type: 'json' };
import upsertResponse from './fixtures/upsert-response.json' with { type: 'json' };

type Metadata = Record<string, unknown>;
interface Vector {
  id: string;
  values: number[];
  metadata?: Metadata;
}
type Body = Record<string, unknown>;

export interface FakePinecone {
  /** The index host, e.g. `http://127.0.0.1:PORT`. */
  host: string;
  /** Every request, as `METHOD path`. */
  requests: string[];
  /** Make every write answer 503 (a failing store). */
  failWrites: boolean;
  /** The stored vectors of a namespace (`''` is the default), read directly. */
  vectors(namespace?: string): Vector[];
  close(): Promise<void>;
}

export const DIMS = 32;
const embed = (t: string) => fakeEmbedding(t, DIMS);

function cosine(a: number[], b: number[]): number {
  const dot = a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);
  const n = Math.hypot(...a) * Math.hypot(...b);
  return n === 0 ? 0 : dot / n;
}

/** Pinecone's metadata filter language: $eq $ne $in $nin $exists $and $or, and `{ field: value }`. */
function matches(meta: Metadata, f: Body | undefined): boolean {
  if (f === undefined) return true;
  return Object.entries(f).every(([k, cond]) => {
    if (k === '$and') return (cond as Body[]).every((c) => matches(meta, c));
    if (k === '$or') return (cond as Body[]).some((c) => matches(meta, c));
    const v = meta[k];
    const vs = Array.isArray(v) ? v : [v];
    const c =
      typeof cond === 'object' && cond !== null && !Array.isArray(cond) ? (cond as Body) : { $eq: cond };
    return Object.entries(c).every(([op, x]) => {
      if (op === '$eq') return vs.includes(x);
      if (op === '$ne') return !vs.includes(x);
      if (op === '$in') return vs.some((y) => (x as unknown[]).includes(y));
      if (op === '$nin') return !vs.some((y) => (x as unknown[]).includes(y));
      if (op === '$exists') return (v !== undefined) === x;
      throw new Error(`unsupported filter operator ${op}`);
    });
  });
}

export async function startFakePinecone(options: { textField?: string } = {}): Promise<FakePinecone> {
  const textField = options.textField ?? 'text';
  const spaces = new Map<string, Map<string, Vector>>();
  const requests: string[] = [];
  const state = { failWrites: false };
  const space = (ns: string) => {
    const key = ns === '__default__' ? '' : ns;
    if (!spaces.has(key)) spaces.set(key, new Map());
    return spaces.get(key) as Map<string, Vector>;
  };

  const send = (res: ServerResponse, status: number, body?: unknown) => {
    res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, message: string) =>
    send(res, status, { ...(status >= 500 ? unavailable : invalidArgument), message });

  function nearest(ns: string, vector: number[], topK: number, filter: Body | undefined) {
    return [...space(ns).values()]
      .filter((v) => matches(v.metadata ?? {}, filter))
      .map((v) => ({ v, score: cosine(vector, v.values) }))
      .sort((a, b) => b.score - a.score)
      .slice(0, topK);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    requests.push(`${req.method} ${path}`);
    if (req.headers['api-key'] === undefined) return error(res, 401, 'Invalid API Key');
    const write = path === '/vectors/upsert' || path === '/vectors/update' || path.endsWith('/upsert');
    if (write && state.failWrites) return error(res, 503, 'The service is unavailable');
    const records = /^\/records\/namespaces\/([^/]*)\/(upsert|search)$/.exec(path);
    if (records?.[2] === 'upsert') {
      const ns = space(decodeURIComponent(records[1] as string));
      for (const line of raw.split('\n').filter((l) => l.trim() !== '')) {
        const { _id, id, ...fields } = JSON.parse(line) as Body;
        const text = fields[textField];
        if (typeof text !== 'string') return error(res, 400, `Missing field '${textField}' in record`);
        ns.set(String(_id ?? id), { id: String(_id ?? id), values: embed(text), metadata: fields });
      }
      return send(res, 201);
    }
    const body = (raw === '' ? {} : JSON.parse(raw)) as Body;
    if (records?.[2] === 'search') {
      const q = body.query as { top_k: number; inputs?: { text?: string }; filter?: Body };
      const ns = decodeURIComponent(records[1] as string);
      const fields = body.fields as string[] | undefined;
      const hits = nearest(ns, embed(q.inputs?.text ?? ''), q.top_k, q.filter).map(({ v, score }) => ({
        ...hit,
        _id: v.id,
        _score: score,
        fields: fields
          ? Object.fromEntries(Object.entries(v.metadata ?? {}).filter(([k]) => fields.includes(k)))
          : (v.metadata ?? {}),
      }));
      return send(res, 200, { ...searchResponse, result: { hits } });
    }
    switch (`${req.method} ${path}`) {
      case 'POST /vectors/upsert': {
        const vectors = body.vectors as Vector[];
        const ns = space(String(body.namespace ?? ''));
        for (const v of vectors)
          ns.set(v.id, { id: v.id, values: v.values, ...(v.metadata && { metadata: v.metadata }) });
        return send(res, 200, { ...upsertResponse, upsertedCount: vectors.length });
      }
      case 'POST /query': {
        const ns = String(body.namespace ?? '');
        const vector = (body.vector as number[] | undefined) ?? space(ns).get(String(body.id))?.values ?? [];
        const matches = nearest(ns, vector, Number(body.topK), body.filter as Body | undefined).map(
          ({ v, score }) => ({
            ...scoredVector,
            id: v.id,
            score,
            values: body.includeValues === true ? v.values : [],
            ...(body.includeMetadata === true && v.metadata && { metadata: v.metadata }),
          }),
        );
        return send(res, 200, { ...queryResponse, matches, namespace: ns });
      }
      case 'GET /vectors/fetch': {
        const ns = url.searchParams.get('namespace') ?? '';
        const found = url.searchParams.getAll('ids').flatMap((id) => {
          const v = space(ns).get(id);
          return v ? [[id, v]] : [];
        });
        return send(res, 200, { ...fetchResponse, vectors: Object.fromEntries(found), namespace: ns });
      }
      case 'POST /vectors/delete': {
        const ns = space(String(body.namespace ?? ''));
        for (const id of (body.ids as string[] | undefined) ?? []) ns.delete(id);
        if (body.deleteAll === true) ns.clear();
        return send(res, 200, deleteResponse);
      }
      case 'POST /vectors/update': {
        const v = space(String(body.namespace ?? '')).get(String(body.id));
        if (!v) return error(res, 404, `Vector ID ${String(body.id)} not found`);
        if (Array.isArray(body.values)) v.values = body.values as number[];
        if (body.setMetadata) v.metadata = { ...v.metadata, ...(body.setMetadata as Metadata) };
        return send(res, 200, updateResponse);
      }
      default:
        return error(res, 404, `${req.method} ${path} not found`);
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => error(res, 400, e instanceof Error ? e.message : String(e)));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    host: `http://127.0.0.1:${port}`,
    requests,
    get failWrites() {
      return state.failWrites;
    },
    set failWrites(v: boolean) {
      state.failWrites = v;
    },
    vectors: (ns = '') => [...space(ns).values()],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
