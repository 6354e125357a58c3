// Benchmark of @memgar/pgvector: guarded vs raw write and query throughput through the real `pg`
// client.
//
//   node bench/pgvector.bench.mjs [--quick]
//
// Runs against the BUILT package (../dist/index.js, or MEMGAR_BENCH_DIST). The server is PGlite
// with pgvector over pglite-socket on 127.0.0.1 (in-process WASM PostgreSQL), or the PostgreSQL
// server MEMGAR_BENCH_PG_URL points at (e.g. postgres://postgres@127.0.0.1:5432/postgres).
//
// Writes: ROWS short memory texts (about 1 in 50 an attack) with 16-dimension embeddings, stored
//   raw       one multi-row INSERT … VALUES through pg's query()
//   insert()  the guarded helper (every row decided, then one statement)
//   query()   the same multi-row INSERT through the guarded query() (decided, rewritten)
// Queries: QUERIES k=10 nearest-neighbour queries by cosine distance, one at a time,
//   raw                 SELECT … ORDER BY embedding <=> $1 LIMIT 10 through pg's query()
//   similaritySearch()  the guarded helper (rows decided and re-ranked)
//   query(SELECT)       the same SELECT through the guarded query()
// Each figure is the median of RUNS timed runs after one warm-up run.

import { embedding, loadDist, median, printTable, texts } from '@memgar/adapter-testkit/bench-corpus';

const QUICK = process.argv.includes('--quick');
const ROWS = QUICK ? 1000 : 2000;
const QUERIES = QUICK ? 50 : 200;
const RUNS = QUICK ? 3 : 5;

const { mod } = await loadDist(new URL('../dist/index.js', import.meta.url));
const { guardPgVector } = mod;
const pg = (await import('pg')).default;

let stop = async () => {};
let config = process.env.MEMGAR_BENCH_PG_URL;
let engine = 'PostgreSQL at MEMGAR_BENCH_PG_URL';
if (!config) {
  const { PGlite } = await import('@electric-sql/pglite');
  const { vector } = await import('@electric-sql/pglite-pgvector');
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const db = await PGlite.create({ extensions: { vector } });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  const [host, port] = server.getServerConn().split(':');
  config = { host, port: Number(port), user: 'postgres', database: 'postgres' };
  engine = 'PGlite 0.5.14 + pgvector (pglite-socket, 127.0.0.1)';
  stop = async () => {
    await server.stop();
    await db.close();
  };
}
const client = new pg.Client(config);
await client.connect();
try {
  await client.query('CREATE EXTENSION IF NOT EXISTS vector');
  await client.query('DROP TABLE IF EXISTS memgar_bench');
  await client.query(
    'CREATE TABLE memgar_bench (id bigserial PRIMARY KEY, content text, embedding vector(16), metadata jsonb)',
  );
  const corpus = texts(ROWS);
  const vectors = corpus.map((t) => `[${embedding(t).join(',')}]`);
  const insertSql = `INSERT INTO memgar_bench (content, embedding) VALUES ${corpus.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ')}`;
  const insertValues = corpus.flatMap((t, i) => [t, vectors[i]]);
  const guarded = guardPgVector(client, { table: 'memgar_bench' });
  const truncate = () => client.query('TRUNCATE memgar_bench');

  const write = async (fn) => {
    const ms = await median(RUNS, async () => {
      await truncate();
      await fn();
    });
    return ROWS / (ms / 1000);
  };
  console.error(`writing ${ROWS} rows × ${RUNS} runs …`);
  const rawWrite = await write(() => client.query(insertSql, insertValues));
  const rows = corpus.map((text) => ({ text, embedding: embedding(text) }));
  const helperWrite = await write(() => guarded.insert(rows));
  const queryWrite = await write(() => guarded.query(insertSql, insertValues));

  await truncate();
  await client.query(insertSql, insertValues);
  const stored = Number((await client.query('SELECT count(*) AS n FROM memgar_bench')).rows[0].n);
  const probes = Array.from({ length: QUERIES }, (_, i) => embedding(corpus[(i * 37) % ROWS]));
  const selectSql = 'SELECT id, content, metadata FROM memgar_bench ORDER BY embedding <=> $1 LIMIT 10';
  const read = async (fn) => {
    const ms = await median(RUNS, async () => {
      for (const p of probes) await fn(p);
    });
    return QUERIES / (ms / 1000);
  };
  console.error(`querying ${QUERIES} × k=10 over ${stored} rows × ${RUNS} runs …`);
  const rawRead = await read((p) => client.query(selectSql, [`[${p.join(',')}]`]));
  const helperRead = await read((p) => guarded.similaritySearch(p, 10));
  const queryRead = await read((p) => guarded.query(selectSql, [`[${p.join(',')}]`]));

  console.log(
    `@memgar/pgvector bench — ${engine}, Node ${process.version}, ${ROWS} rows, ${QUERIES} queries, median of ${RUNS}`,
  );
  printTable('writes (rows/s; guarded stores the allowed rows only)', [
    ['insert() vs raw INSERT', 'rows/s', rawWrite, helperWrite],
    ['query(INSERT) vs raw INSERT', 'rows/s', rawWrite, queryWrite],
  ]);
  printTable('queries (k=10, queries/s)', [
    ['similaritySearch() vs raw SELECT', 'q/s', rawRead, helperRead],
    ['query(SELECT) vs raw SELECT', 'q/s', rawRead, queryRead],
  ]);
  await client.query('DROP TABLE memgar_bench');
} finally {
  await client.end();
  await stop();
}
