// Benchmark of @memgar/lancedb: guarded vs raw write and query throughput on the embedded LanceDB
// (@lancedb/lancedb, a table in a fresh temporary directory, deleted afterwards).
//
//   node bench/lancedb.bench.mjs [--quick]
//
// Runs against the BUILT package (../dist/index.js, or MEMGAR_BENCH_DIST).
// Writes: ROWS short memory texts (about 1 in 50 an attack) with 16-dimension vectors, one add():
//   raw table.add(records) vs the guarded add(records) (every record decided, then one add).
// Queries: QUERIES k=10 nearest-neighbour searches, one at a time:
//   raw table.search(v).limit(10).toArray() vs the same on the guarded table (rows decided, re-ranked).
// Each figure is the median of RUNS timed runs after one warm-up run.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { embedding, loadDist, median, printTable, texts } from '@memgar/adapter-testkit/bench-corpus';

const QUICK = process.argv.includes('--quick');
const ROWS = QUICK ? 1000 : 2000;
const QUERIES = QUICK ? 50 : 200;
const RUNS = QUICK ? 3 : 5;

const { mod } = await loadDist(new URL('../dist/index.js', import.meta.url));
const { guardLanceTable } = mod;
const lancedb = await import('@lancedb/lancedb');

const dir = mkdtempSync(path.join(tmpdir(), 'memgar-lance-bench-'));
try {
  const db = await lancedb.connect(dir);
  const corpus = texts(ROWS);
  const records = corpus.map((text, i) => ({ id: `r${i}`, text, vector: embedding(text) }));
  let n = 0;
  const fresh = async () => db.createTable(`t${n++}`, [records[0]], { mode: 'overwrite' });

  const write = async (fn) => {
    const ms = await median(RUNS, async () => {
      const table = await fresh();
      await table.delete('true');
      await fn(table);
    });
    return ROWS / (ms / 1000);
  };
  console.error(`adding ${ROWS} records × ${RUNS} runs …`);
  const rawWrite = await write((t) => t.add(records));
  const guardedWrite = await write((t) => guardLanceTable(t).add(records));

  const table = await fresh();
  await table.delete('true');
  await table.add(records);
  const guarded = guardLanceTable(table);
  const probes = Array.from({ length: QUERIES }, (_, i) => embedding(corpus[(i * 37) % ROWS]));
  const read = async (t) => {
    const ms = await median(RUNS, async () => {
      for (const p of probes) await t.search(p).limit(10).toArray();
    });
    return QUERIES / (ms / 1000);
  };
  console.error(`searching ${QUERIES} × k=10 over ${await table.countRows()} rows × ${RUNS} runs …`);
  const rawRead = await read(table);
  const guardedRead = await read(guarded);

  console.log(
    `@memgar/lancedb bench — LanceDB (embedded, temp dir), Node ${process.version}, ${ROWS} rows, ${QUERIES} queries, median of ${RUNS}`,
  );
  printTable('writes (rows/s; guarded stores the allowed rows only)', [
    ['add() vs raw add()', 'rows/s', rawWrite, guardedWrite],
  ]);
  printTable('queries (k=10, queries/s)', [['search().toArray() vs raw', 'q/s', rawRead, guardedRead]]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
