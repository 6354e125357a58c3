// A loopback Weaviate for tests: REST (node:http) for /v1/meta and the object endpoints, gRPC for
// health, Search and BatchObjects, served with the service definitions and message codecs that
// weaviate-client itself ships (generated from Weaviate's .proto files), through nice-grpc (the
// client's own gRPC layer, on @grpc/grpc-js). Objects are kept in memory, so a write made through
// the real client is found again by the real client's queries. A toy "vectorizer" (hashed bag of
// words) stands in for a text2vec module, so nearText works on objects stored without vectors.
import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

const fromHere = createRequire(import.meta.url);
const fromClient = createRequire(fromHere.resolve('weaviate-client'));
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS modules loaded from the client's tree
type Any = any;
const niceGrpc: Any = fromClient('nice-grpc');
const { WeaviateDefinition }: Any = fromClient('./proto/v1/weaviate.js');
const { HealthDefinition, HealthCheckResponse_ServingStatus }: Any = fromClient(
  './proto/google/health/v1/health.js',
);

/** The Weaviate version the fake reports on /v1/meta (the client picks its wire features from it). */
export const FAKE_WEAVIATE_VERSION = '1.32.4';

export interface StoredObject {
  id: string;
  collection: string;
  tenant: string;
  properties: Record<string, unknown>;
  vector: number[];
}

export interface FakeWeaviate {
  httpPort: number;
  grpcPort: number;
  /** Every stored object, in insertion order. */
  objects(collection?: string): StoredObject[];
  /** Puts an object straight into the store (as a poisoned index would hold it). */
  put(collection: string, properties: Record<string, unknown>, vector?: number[]): string;
  /** Search requests received, as the client sent them (decoded). */
  searches: Any[];
  /** Every write fails: REST 500, BatchObjects errors for each object. */
  failWrites: boolean;
  close(): Promise<void>;
}

const DIM = 64;

/** The toy vectorizer: hashed bag of words, L2-normalized. */
export function toyVector(text: string): number[] {
  const v = new Array<number>(DIM).fill(0);
  for (const w of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let h = 2166136261;
    for (const ch of w) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
    v[(h >>> 0) % DIM]! += 1;
  }
  const n = Math.hypot(...v) || 1;
  return v.map((x) => x / n);
}

function textOf(props: Record<string, unknown>): string {
  return Object.values(props)
    .filter((v) => typeof v === 'string')
    .join(' ');
}

function cosineDistance(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return 1 - dot / (Math.sqrt(na * nb) || 1);
}

const floats = (bytes: Uint8Array): number[] =>
  bytes.length === 0
    ? []
    : [...new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))];

/** A property value as Weaviate's gRPC `Value`. */
function toValue(v: unknown): Any {
  if (typeof v === 'string') return { textValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { intValue: v } : { numberValue: v };
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) {
    return { listValue: { textValues: { values: v } } };
  }
  return { nullValue: 0 };
}

/** Weaviate's filter semantics for the operators the tests use (Equal, ContainsAny, And, Or, Not; `_id`). */
function matches(f: Any, o: StoredObject): boolean {
  const op = f.operator as number;
  if (op === 7) return (f.filters as Any[]).every((g) => matches(g, o));
  if (op === 8) return (f.filters as Any[]).some((g) => matches(g, o));
  if (op === 15) return !matches(f.filters[0], o);
  const prop: string = f.target?.property ?? f.on?.[0];
  const value = prop === '_id' ? o.id : o.properties[prop];
  const wanted: unknown[] = f.valueTextArray?.values ?? [
    f.valueText ?? f.valueInt ?? f.valueNumber ?? f.valueBoolean,
  ];
  const have = Array.isArray(value) ? value : [value];
  if (op === 1) return value === wanted[0];
  if (op === 2) return value !== wanted[0];
  if (op === 12) return have.some((h) => wanted.includes(h));
  if (op === 14) return !have.some((h) => wanted.includes(h));
  throw new niceGrpc.ServerError(niceGrpc.Status.UNIMPLEMENTED, `fake: filter operator ${op}`);
}

async function body(req: IncomingMessage): Promise<Any> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? undefined : JSON.parse(text);
}

function send(res: ServerResponse, status: number, payload?: unknown): void {
  if (payload === undefined) {
    res.writeHead(status).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
}

/** Starts the fake on two loopback ports (REST and gRPC). */
export async function startFakeWeaviate(): Promise<FakeWeaviate> {
  const store = new Map<string, StoredObject>();
  const state = { failWrites: false };
  const searches: Any[] = [];

  const save = (
    c: string,
    id: string,
    properties: Record<string, unknown>,
    vector?: number[],
    tenant = '',
  ) => {
    const obj = {
      id,
      collection: c,
      tenant,
      properties,
      vector: vector?.length ? vector : toyVector(textOf(properties)),
    };
    store.set(id, obj);
    return obj;
  };
  const restObject = (o: StoredObject, now: number) => ({
    class: o.collection,
    id: o.id,
    properties: o.properties,
    vector: o.vector,
    creationTimeUnix: now,
    lastUpdateTimeUnix: now,
  });
  const failure = { error: [{ message: 'fake: the store is failing every write' }] };

  const http = createHttpServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const parts = url.pathname.split('/').filter(Boolean); // ['v1', 'objects', class?, id?]
    try {
      if (req.method === 'GET' && url.pathname === '/v1/meta') {
        send(res, 200, {
          hostname: 'http://[::]:8080',
          version: FAKE_WEAVIATE_VERSION,
          modules: {},
          grpcMaxMessageSize: 104858000,
        });
        return;
      }
      if (parts[1] !== 'objects' || !['POST', 'PUT', 'PATCH'].includes(req.method ?? '')) {
        send(res, 404, { error: [{ message: `fake: no route ${req.method} ${url.pathname}` }] });
        return;
      }
      const b = await body(req);
      if (state.failWrites) {
        send(res, 500, failure);
        return;
      }
      const now = Date.now();
      if (req.method === 'POST') {
        const id = (b.id as string | undefined) ?? randomUUID();
        if (store.has(id)) {
          send(res, 422, { error: [{ message: `id '${id}' already exists` }] });
          return;
        }
        send(res, 200, restObject(save(b.class, id, b.properties ?? {}, b.vector, b.tenant ?? ''), now));
        return;
      }
      const [, , collection = '', id = ''] = parts;
      const old = store.get(id);
      if (old === undefined || old.collection !== collection) {
        send(res, 404);
        return;
      }
      if (req.method === 'PUT') {
        send(res, 200, restObject(save(collection, id, b.properties ?? {}, b.vector, old.tenant), now));
        return;
      }
      save(
        collection,
        id,
        { ...old.properties, ...(b.properties ?? {}) },
        b.vector ?? old.vector,
        old.tenant,
      );
      send(res, 204);
    } catch (error) {
      send(res, 500, { error: [{ message: String(error) }] });
    }
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));

  const unimplemented = async () => {
    throw new niceGrpc.ServerError(niceGrpc.Status.UNIMPLEMENTED, 'fake: not implemented');
  };
  const grpc = niceGrpc.createServer();
  grpc.add(HealthDefinition, {
    check: async () => ({ status: HealthCheckResponse_ServingStatus.SERVING }),
    watch: async function* () {
      yield { status: HealthCheckResponse_ServingStatus.SERVING };
    },
  });
  grpc.add(WeaviateDefinition, {
    batchReferences: unimplemented,
    batchDelete: unimplemented,
    tenantsGet: unimplemented,
    aggregate: unimplemented,
    batchStream: unimplemented,
    async batchObjects(req: Any) {
      const started = Date.now();
      const errors: Any[] = [];
      for (const [index, o] of (req.objects as Any[]).entries()) {
        if (state.failWrites) {
          errors.push({ index, error: 'fake: the store is failing every write' });
          continue;
        }
        const p = o.properties ?? {};
        const props: Record<string, unknown> = { ...(p.nonRefProperties ?? {}) };
        for (const t of p.textArrayProperties ?? []) props[t.propName] = t.values;
        for (const e of p.emptyListProps ?? []) props[e] = [];
        const vector = o.vectors?.[0] ? floats(o.vectors[0].vectorBytes) : floats(o.vectorBytes);
        save(o.collection, o.uuid, props, vector, o.tenant);
      }
      return { took: (Date.now() - started) / 1000, errors };
    },
    async search(req: Any) {
      searches.push(req);
      let hits = [...store.values()].filter((o) => o.collection === req.collection);
      if (req.filters) hits = hits.filter((o) => matches(req.filters, o));
      let query: number[] | undefined;
      if (req.nearVector) {
        const nv = req.nearVector;
        query = nv.vectors?.[0] ? floats(nv.vectors[0].vectorBytes) : floats(nv.vectorBytes);
        if (query.length === 0) query = nv.vector;
      } else if (req.nearText) {
        query = toyVector((req.nearText.query as string[]).join(' '));
      }
      const scored = hits.map((o) => ({ o, d: query ? cosineDistance(query, o.vector) : 0 }));
      if (query) scored.sort((a, b) => a.d - b.d);
      const limited = req.limit > 0 ? scored.slice(0, req.limit) : scored;
      const pr = req.properties;
      const results = limited.map(({ o, d }) => {
        const keys =
          pr === undefined || pr.returnAllNonrefProperties ? Object.keys(o.properties) : pr.nonRefProperties;
        const fields = Object.fromEntries(
          (keys as string[]).filter((k) => k in o.properties).map((k) => [k, toValue(o.properties[k])]),
        );
        const m = req.metadata ?? {};
        return {
          properties: {
            nonRefProps: { fields },
            refProps: [],
            targetCollection: o.collection,
            refPropsRequested: false,
          },
          metadata: {
            id: o.id,
            ...(query && m.distance ? { distance: d, distancePresent: true } : {}),
            ...(query && m.certainty ? { certainty: 1 - d / 2, certaintyPresent: true } : {}),
          },
        };
      });
      return { took: 0.001, results, groupByResults: [] };
    },
  });
  const grpcPort: number = await grpc.listen('127.0.0.1:0');

  return {
    httpPort: (http.address() as AddressInfo).port,
    grpcPort,
    objects: (collection) =>
      [...store.values()].filter((o) => collection === undefined || o.collection === collection),
    put: (collection, properties, vector) => save(collection, randomUUID(), properties, vector).id,
    searches,
    get failWrites() {
      return state.failWrites;
    },
    set failWrites(v: boolean) {
      state.failWrites = v;
    },
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      grpc.forceShutdown();
    },
  };
}
