// Benchmark of SecureMemoryStore writes: the whole write path on the real Node stores.
//
//   node bench/secure-store.mjs [--quick] [--json]
//
// Runs against the BUILT package (../dist/index.js and ../dist/node.js; build first with
// `pnpm -C packages/core build`). Writes benign memory sentences (written for this benchmark,
// assembled by bench/corpus.mjs's seeded generator) into a fresh temporary directory:
//   backend only     SecureMemoryStore → PersistentMemoryStore (JSONL, fdatasync per write)
//   + ledger + vault  … with MemoryLedger (hash chain + HMAC, fdatasync) and MemoryVault (SQLite WAL,
//                    synchronous=FULL) — the full write path
// each one write at a time and with 16 writes in flight. Reported: writes/s and p50 / p95 ms per
// write. The figures depend on the disk (fsync) more than on the CPU.

import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { memoryWrites } from './corpus.mjs';
import { loadDist } from './load-dist.mjs';

const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const JSON_OUT = args.has('--json');
for (const a of args) {
  if (!['--quick', '--json'].includes(a)) {
    console.error(`unknown option ${a}\nusage: node bench/secure-store.mjs [--quick] [--json]`);
    process.exit(2);
  }
}
const COUNT = QUICK ? 300 : 2000;

const { mod: core } = await loadDist('index.js');
const { mod: node } = await loadDist('node.js');

const texts = memoryWrites(COUNT, 11)
  .filter((w) => !w.attack)
  .map((w) => w.content);

const log = (s) => {
  if (!JSON_OUT) console.log(s);
};

async function open(dir, full) {
  const backend = await node.PersistentMemoryStore.open({ path: path.join(dir, 'store.jsonl') });
  const closers = [() => backend.close()];
  const options = { backend: core.toMemoryBackend(backend), analyzer: new core.Analyzer() };
  if (full) {
    const ledger = await node.MemoryLedger.open({
      path: path.join(dir, 'ledger.jsonl'),
      key: node.generateLedgerKey(),
    });
    const vault = await node.MemoryVault.open({ path: path.join(dir, 'vault.db') });
    closers.push(
      () => ledger.close(),
      () => vault.close(),
    );
    Object.assign(options, { ledger, vault });
  }
  return { store: new core.SecureMemoryStore(options), close: () => Promise.all(closers.map((c) => c())) };
}

async function measure(name, full, inFlight) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'memgar-bench-store-'));
  try {
    const { store, close } = await open(dir, full);
    const times = [];
    let next = 0;
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (next < texts.length) {
          const i = next++;
          const s = process.hrtime.bigint();
          const r = await store.write(texts[i], { id: `m-${i}` });
          times.push(Number(process.hrtime.bigint() - s) / 1e6);
          if (!r.allowed) throw new Error(`benchmark text not allowed: ${texts[i]}`);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await close();
    times.sort((a, b) => a - b);
    const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
    const row = {
      name,
      inFlight,
      writes: times.length,
      perSecond: times.length / seconds,
      p50: q(0.5),
      p95: q(0.95),
    };
    log(
      `  ${name.padEnd(18)} ${String(inFlight).padStart(9)}  ${String(row.writes).padStart(6)}  ${row.perSecond.toFixed(0).padStart(8)}  ${row.p50.toFixed(2).padStart(7)}  ${row.p95.toFixed(2).padStart(7)}`,
    );
    return row;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

log('\nSecureMemoryStore writes (fresh temp dir; fsync-bound: the disk sets these figures)');
log(
  `  ${'path'.padEnd(18)} ${'in flight'.padStart(9)}  ${'writes'.padStart(6)}  ${'writes/s'.padStart(8)}  ${'p50 ms'.padStart(7)}  ${'p95 ms'.padStart(7)}`,
);
const rows = [];
for (const [name, full] of [
  ['backend only', false],
  ['+ ledger + vault', true],
]) {
  for (const inFlight of [1, 16]) rows.push(await measure(name, full, inFlight));
}
if (JSON_OUT)
  console.log(JSON.stringify({ machine: { node: process.version, cpus: os.cpus().length }, rows }, null, 2));
