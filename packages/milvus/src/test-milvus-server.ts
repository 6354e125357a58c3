// A loopback Milvus for tests: a gRPC server on @grpc/grpc-js (resolved from the SDK's own
// dependencies) serving `milvus.proto.milvus.MilvusService` from the proto definitions that
// @zilliz/milvus2-sdk-node ships (its proto-json, loaded with the SDK's own loader options), so
// every request and response crosses the wire as Milvus protobuf. It implements what the SDK calls
// for connect, describeCollection, insert, upsert, search and query, keeps rows in memory (a write
// is found again by a search), evaluates the filter expressions the tests use, ranks by cosine
// similarity, and translates output fields the way Milvus's proxy does: static fields by name, keys
// of the dynamic field inside a `$meta` JSON column, `*` as every scalar field plus `$meta`.
import { createRequire } from 'node:module';

const fromHere = createRequire(import.meta.url);
const sdkMain = fromHere.resolve('@zilliz/milvus2-sdk-node');
const fromSdk = createRequire(sdkMain);
// biome-ignore lint/suspicious/noExplicitAny: untyped CommonJS modules loaded from the SDK's tree
type Any = any;
const grpc: Any = fromSdk('@grpc/grpc-js');
const protoLoader: Any = fromSdk('@grpc/proto-loader');
const protobuf: Any = fromSdk('protobufjs');
const milvusJson: Any = fromSdk('./proto-json/milvus.js').default;
const { LOADER_OPTIONS }: Any = fromSdk('./grpc/GrpcClient.js');

export const DIM = 16;
export type Row = Record<string, unknown>;

interface FieldSpec {
  name: string;
  data_type: string;
  is_primary_key?: boolean;
  autoID?: boolean;
}

export interface FakeMilvus {
  /** `127.0.0.1:port`, for `new MilvusClient({ address })`. */
  address: string;
  /** Creates a collection: `id` (Int64, auto id), `vector` (FloatVector, DIM), `text` (VarChar) and `extra` fields. */
  define(name: string, options?: { dynamic?: boolean; extra?: FieldSpec[] }): void;
  /** Every stored row of a collection (dynamic keys flattened), in insertion order. */
  rows(name: string): Row[];
  /** Puts a row straight into the store (as a poisoned index would hold it). */
  put(name: string, row: Row): void;
  /** Search and Query requests as the SDK sent them (decoded). */
  requests: { method: string; request: Any }[];
  /** Collections whose Insert and Upsert fail with gRPC RESOURCE_EXHAUSTED (a status the SDK does not retry). */
  failing: Set<string>;
  /** Collections whose Insert and Upsert answer with an error status (as Milvus reports most failures). */
  rejecting: Set<string>;
  close(): Promise<void>;
}

/** The toy embedding the tests use: hashed bag of words, L2-normalized. */
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

const OK = { error_code: 'Success', code: 0, reason: '' };
const SCALAR_KEY: Record<string, string> = {
  Bool: 'bool_data',
  Int8: 'int_data',
  Int16: 'int_data',
  Int32: 'int_data',
  Int64: 'long_data',
  Float: 'float_data',
  Double: 'double_data',
  VarChar: 'string_data',
  JSON: 'json_data',
};

/** Splits `expr` at top-level occurrences of `sep` (outside quotes, brackets and parentheses). */
function splitTop(expr: string, sep: RegExp): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[') depth++;
    else if (c === ')' || c === ']') depth--;
    else if (depth === 0) {
      const m = sep.exec(expr.slice(i));
      if (m?.index === 0) {
        parts.push(expr.slice(start, i));
        start = i + m[0].length;
        i = start - 1;
      }
    }
  }
  parts.push(expr.slice(start));
  return parts.map((p) => p.trim());
}

const literal = (s: string): unknown => (/^["']/.test(s) ? s.slice(1, -1) : Number(s));

/** Milvus boolean expressions, the subset the tests use: and/&&, or/||, in, not in, ==, !=, parentheses. */
export function evaluate(expr: string, row: Row): boolean {
  const e = expr.trim();
  if (e === '') return true;
  const ors = splitTop(e, /^\s+(or|\|\|)\s+/);
  if (ors.length > 1) return ors.some((p) => evaluate(p, row));
  const ands = splitTop(e, /^\s+(and|&&)\s+/);
  if (ands.length > 1) return ands.every((p) => evaluate(p, row));
  if (e.startsWith('(') && e.endsWith(')')) return evaluate(e.slice(1, -1), row);
  const m = /^([\w$]+)\s+(not in|in)\s+\[(.*)\]$/s.exec(e) ?? /^([\w$]+)\s*(==|!=)\s*(.+)$/s.exec(e);
  if (!m) throw new Error(`fake: cannot evaluate "${e}"`);
  const value = row[m[1]!];
  if (m[2] === '==' || m[2] === '!=')
    return (String(value) === String(literal(m[3]!.trim()))) === (m[2] === '==');
  const list = splitTop(m[3]!, /^,\s*/).filter(Boolean).map(literal);
  return list.some((x) => String(x) === String(value)) === (m[2] === 'in');
}

/** Starts the fake on a loopback port. */
export async function startFakeMilvus(): Promise<FakeMilvus> {
  const root = protobuf.Root.fromJSON(milvusJson);
  const PlaceholderGroup = root.lookupType('milvus.proto.common.PlaceholderGroup');
  const pkg = grpc.loadPackageDefinition(protoLoader.fromJSON(milvusJson, LOADER_OPTIONS));
  const collections = new Map<
    string,
    { fields: FieldSpec[]; dynamic: boolean; rows: Row[]; nextId: number }
  >();
  const failing = new Set<string>();
  const rejecting = new Set<string>();
  const requests: { method: string; request: Any }[] = [];

  const get = (name: string) => {
    const c = collections.get(name);
    if (c === undefined)
      throw Object.assign(new Error(`collection not found[collection=${name}]`), { milvus: true });
    return c;
  };
  const notFound = (name: string) => ({
    status: { error_code: 'UnexpectedError', code: 100, reason: `collection not found[collection=${name}]` },
  });

  /** Column-wise FieldData (as the SDK sends it) to rows, dynamic keys flattened. */
  function toRows(fieldsData: Any[], numRows: number): Row[] {
    const rows: Row[] = Array.from({ length: numRows }, () => ({}));
    for (const f of fieldsData) {
      if (f.vectors) {
        const dim = Number(f.vectors.dim);
        const flat: number[] = f.vectors.float_vector.data;
        rows.forEach((r, i) => {
          r[f.field_name] = flat.slice(i * dim, (i + 1) * dim);
        });
      } else {
        const values: unknown[] = f.scalars[f.scalars.data].data;
        rows.forEach((r, i) => {
          const v = values[i];
          if (f.is_dynamic) Object.assign(r, JSON.parse(Buffer.from(v as Uint8Array).toString('utf8')));
          else r[f.field_name] = typeof v === 'string' && f.type === 'Int64' ? Number(v) : v;
        });
      }
    }
    return rows;
  }

  /** Rows to the FieldData columns of `outputFields`, as Milvus returns them. */
  function toColumns(c: { fields: FieldSpec[]; dynamic: boolean }, rows: Row[], outputFields: string[]) {
    const statics = c.fields.filter((f) => !f.data_type.endsWith('Vector'));
    const wantAll = outputFields.length === 0 || outputFields.includes('*');
    const named = wantAll ? statics : statics.filter((f) => outputFields.includes(f.name));
    const pk = c.fields.find((f) => f.is_primary_key)!;
    if (!named.includes(pk)) named.unshift(pk);
    const columns: Any[] = named.map((f) => ({
      type: f.data_type,
      field_name: f.name,
      field_id: String(c.fields.indexOf(f) + 100),
      is_dynamic: false,
      valid_data: [],
      scalars: { [SCALAR_KEY[f.data_type]!]: { data: rows.map((r) => r[f.name]) } },
    }));
    const dynamicKeys = outputFields.filter((k) => k !== '*' && !c.fields.some((f) => f.name === k));
    if (c.dynamic && (wantAll || dynamicKeys.length > 0)) {
      const known = new Set(c.fields.map((f) => f.name));
      const meta = rows.map((r) =>
        Object.fromEntries(
          Object.entries(r).filter(([k]) => !known.has(k) && (wantAll || dynamicKeys.includes(k))),
        ),
      );
      columns.push({
        type: 'JSON',
        field_name: '$meta',
        field_id: '199',
        is_dynamic: true,
        valid_data: [],
        scalars: { json_data: { data: meta.map((m) => Buffer.from(JSON.stringify(m))) } },
      });
    }
    // Milvus returns the primary key with every result.
    const names = wantAll
      ? [...named.map((f) => f.name), ...(c.dynamic ? ['$meta'] : [])]
      : [...new Set([pk.name, ...outputFields])];
    return { columns, names, pk: pk.name };
  }

  const writes = (upsert: boolean) => (call: Any, callback: Any) => {
    const req = call.request;
    if (failing.has(req.collection_name)) {
      callback({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'fake: quota exceeded, every write fails' });
      return;
    }
    if (!collections.has(req.collection_name)) {
      callback(null, notFound(req.collection_name));
      return;
    }
    if (rejecting.has(req.collection_name)) {
      const status = { error_code: 'UnexpectedError', code: 65535, reason: 'fake: disk quota exceeded' };
      callback(null, { status, succ_index: [], err_index: [], IDs: { int_id: { data: [] } } });
      return;
    }
    const c = get(req.collection_name);
    const rows = toRows(req.fields_data, req.num_rows);
    const ids: number[] = [];
    for (const r of rows) {
      if (r.id === undefined) r.id = c.nextId++;
      const at = upsert ? c.rows.findIndex((x) => x.id === r.id) : -1;
      if (at >= 0) c.rows[at] = r;
      else c.rows.push(r);
      ids.push(r.id as number);
    }
    callback(null, {
      status: OK,
      IDs: { int_id: { data: ids.map(String) } },
      succ_index: rows.map((_, i) => i),
      err_index: [],
      acknowledged: false,
      insert_cnt: upsert ? '0' : String(rows.length),
      delete_cnt: '0',
      upsert_cnt: upsert ? String(rows.length) : '0',
      timestamp: String(Date.now()),
    });
  };

  /** A handler whose exceptions become gRPC INTERNAL errors (as a server bug would surface). */
  const safe =
    (h: (call: Any, callback: Any) => void) =>
    (call: Any, callback: Any): void => {
      try {
        h(call, callback);
      } catch (error) {
        callback({ code: grpc.status.INTERNAL, details: String(error) });
      }
    };
  const server = new grpc.Server();
  const service = pkg.milvus.proto.milvus;
  server.addService(service.MilvusService.service, {
    Connect: (_call: Any, callback: Any) =>
      callback(null, {
        status: OK,
        server_info: { build_tags: 'v2.6.4', deploy_mode: 'STANDALONE', reserved: {} },
        identifier: '4242',
      }),
    DescribeCollection: (call: Any, callback: Any) => {
      const name = call.request.collection_name;
      const c = collections.get(name);
      if (c === undefined) {
        callback(null, notFound(name));
        return;
      }
      callback(null, {
        status: OK,
        schema: {
          name,
          fields: c.fields.map((f, i) => ({
            fieldID: String(100 + i),
            name: f.name,
            is_primary_key: f.is_primary_key ?? false,
            autoID: f.autoID ?? false,
            data_type: f.data_type,
            type_params: f.data_type === 'FloatVector' ? [{ key: 'dim', value: String(DIM) }] : [],
          })),
          enable_dynamic_field: c.dynamic,
        },
        collectionID: '450000000000000001',
        collection_name: name,
        db_name: 'default',
        shards_num: 1,
        consistency_level: 'Bounded',
        properties: [],
        created_timestamp: '1',
        update_timestamp: '1',
        update_timestamp_str: '1',
      });
    },
    Insert: writes(false),
    Upsert: writes(true),
    Search: safe((call: Any, callback: Any) => {
      const req = call.request;
      requests.push({ method: 'Search', request: req });
      if (!collections.has(req.collection_name)) {
        callback(null, {
          ...notFound(req.collection_name),
          results: { scores: [], topks: [], fields_data: [] },
        });
        return;
      }
      const c = get(req.collection_name);
      const params = Object.fromEntries((req.search_params as Any[]).map((p) => [p.key, p.value]));
      const k = Number(params.limit ?? params.topk ?? 10);
      const group = PlaceholderGroup.decode(req.placeholder_group);
      const queries: number[][] = group.placeholders[0].values.map((b: Uint8Array) => [
        ...new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength)),
      ]);
      const candidates = c.rows.filter((r) => evaluate(req.dsl, r));
      const hits = queries.map((q) =>
        candidates
          .map((r) => ({ r, s: (r.vector as number[]).reduce((a, x, i) => a + x * (q[i] ?? 0), 0) }))
          .sort((a, b) => b.s - a.s)
          .slice(0, k),
      );
      const flat = hits.flat();
      const { columns, names, pk } = toColumns(
        c,
        flat.map((h) => h.r),
        req.output_fields,
      );
      callback(null, {
        status: OK,
        results: {
          num_queries: String(queries.length),
          top_k: String(k),
          fields_data: columns,
          scores: flat.map((h) => h.s),
          ids: { int_id: { data: flat.map((h) => String(h.r.id)) } },
          topks: hits.map((h) => String(h.length)),
          output_fields: names,
          primary_field_name: pk,
          recalls: [],
        },
        collection_name: req.collection_name,
        session_ts: '1',
      });
    }),
    Query: safe((call: Any, callback: Any) => {
      const req = call.request;
      requests.push({ method: 'Query', request: req });
      if (!collections.has(req.collection_name)) {
        callback(null, { ...notFound(req.collection_name), fields_data: [] });
        return;
      }
      const c = get(req.collection_name);
      const params = Object.fromEntries((req.query_params as Any[]).map((p) => [p.key, p.value]));
      const rows = c.rows.filter((r) => evaluate(req.expr, r));
      const limited = params.limit !== undefined ? rows.slice(0, Number(params.limit)) : rows;
      const { columns, names, pk } = toColumns(c, limited, req.output_fields);
      callback(null, {
        status: OK,
        fields_data: columns,
        collection_name: req.collection_name,
        output_fields: names,
        primary_field_name: pk,
        session_ts: '1',
      });
    }),
  });
  server.addService(service.ClientTelemetryService.service, {
    ClientHeartbeat: (_call: Any, callback: Any) =>
      callback(null, { status: OK, server_timestamp: String(Date.now()), commands: [] }),
  });
  const port: number = await new Promise((resolve, reject) =>
    server.bindAsync(
      '127.0.0.1:0',
      grpc.ServerCredentials.createInsecure(),
      (err: Error | null, p: number) => (err ? reject(err) : resolve(p)),
    ),
  );

  return {
    address: `127.0.0.1:${port}`,
    define: (name, options = {}) => {
      collections.set(name, {
        fields: [
          { name: 'id', data_type: 'Int64', is_primary_key: true, autoID: true },
          { name: 'vector', data_type: 'FloatVector' },
          { name: 'text', data_type: 'VarChar' },
          ...(options.extra ?? []),
        ],
        dynamic: options.dynamic ?? true,
        rows: [],
        nextId: 1,
      });
    },
    rows: (name) => get(name).rows,
    put: (name, row) => {
      const c = get(name);
      c.rows.push({ id: c.nextId++, ...row });
    },
    requests,
    failing,
    rejecting,
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
