// Added latency of the gateway over a direct call, on loopback, for a 1 KB prompt, non-streaming and
// streaming, at fixed request rates. The upstream and the gateway (the built dist) run in their own
// processes; the load runs here, in two ways:
// - paced: requests sent at evenly spaced instants (open loop, undici), each timed from send to the
//   last byte — the added latency a steady stream of requests sees;
// - autocannon (`overallRate`): autocannon's own rate limiting, which sends each connection's
//   per-second quota back to back at the start of every second, so it measures bursts of
//   `connections` concurrent requests.
// The gateway's CPU time per request is reported too: on a shared machine it is steadier than latency.
//
//   node bench/gateway.bench.mjs [--quick] [--duration 10] [--rates 200,1000] [--json]
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { CLIENT_KEY, HEADERS, pacedRequests, requestBody, runUpstream } from './fixture.mjs';

const role = process.argv[2];
const UPSTREAM_KEY = 'sk-bench-upstream';

/** The gateway (built dist) with the default policy, one canary, response DLP and injection checks on. */
async function runGateway(upstreamPort) {
  const { startGateway } = await import('../dist/index.js');
  const gw = await startGateway({
    port: 0,
    upstreamBaseUrl: `http://127.0.0.1:${upstreamPort}`,
    allowedUpstreamHosts: ['127.0.0.1'],
    allowPrivateUpstreams: ['127.0.0.1'],
    keys: [{ name: 'bench', clientKey: CLIENT_KEY, upstreamKey: UPSTREAM_KEY }],
    canaries: [{ token: 'QZXVHK-PLMWRT-BNCJDS-FGHKLA', label: 'system-prompt' }],
    limits: { maxConcurrent: 4096 },
  });
  let since = process.cpuUsage();
  process.on('message', (m) => {
    if (m === 'cpu-start') since = process.cpuUsage();
    if (m === 'cpu-end') {
      const used = process.cpuUsage(since);
      process.send({ cpuMs: (used.user + used.system) / 1000 });
    }
  });
  process.send({ port: gw.port });
}

function start(...args) {
  const child = fork(fileURLToPath(import.meta.url), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => resolve({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const summary = (durations, errors) => {
  durations.sort((a, b) => a - b);
  return {
    p50: percentile(durations, 50),
    p99: percentile(durations, 99),
    requests: durations.length,
    errors,
  };
};

/** Evenly spaced requests (open loop) for `seconds`; each timed from its send to its last byte. */
async function paced(undici, port, rate, seconds, stream) {
  const { durations, errors } = await pacedRequests(undici, port, rate, seconds, stream);
  return summary(durations, errors);
}

/** autocannon at `overallRate` (per-second quotas over `connections`: bursty), 2xx latencies. */
async function cannon(autocannon, port, rate, seconds, stream) {
  const durations = [];
  let non2xx = 0;
  const instance = autocannon({
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    method: 'POST',
    headers: HEADERS,
    body: requestBody(stream),
    connections: Math.max(10, Math.ceil(rate / 20)),
    overallRate: rate,
    duration: seconds,
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) durations.push(ms);
    else non2xx++;
  });
  const result = await instance;
  return summary(durations, result.errors + result.timeouts + non2xx);
}

async function main() {
  const args = process.argv.slice(2);
  const value = (name, fallback) => {
    const i = args.indexOf(name);
    return i === -1 ? fallback : args[i + 1];
  };
  const quick = args.includes('--quick');
  const seconds = Number(value('--duration', quick ? 3 : 10));
  const rates = String(value('--rates', '200,1000')).split(',').map(Number);
  const { default: autocannon } = await import('autocannon');
  const undici = await import('undici');
  const upstream = await start('upstream');
  const gateway = await start('gateway', String(upstream.port));
  const cpu = async (fn) => {
    gateway.child.send('cpu-start');
    const r = await fn();
    const ms = await new Promise((resolve) => {
      gateway.child.once('message', (m) => resolve(m.cpuMs));
      gateway.child.send('cpu-end');
    });
    return { ...r, cpuPerRequest: ms / Math.max(1, r.requests) };
  };
  const rows = [];
  try {
    for (const stream of [false, true]) {
      for (const rate of rates) {
        // Warm both paths (JIT, connection pools) at the same rate first.
        await paced(undici, upstream.port, rate, 2, stream);
        await paced(undici, gateway.port, rate, 2, stream);
        const mode = stream ? 'streaming' : 'non-streaming';
        const direct = await paced(undici, upstream.port, rate, seconds, stream);
        const via = await cpu(() => paced(undici, gateway.port, rate, seconds, stream));
        rows.push({ load: 'paced', mode, rate, direct, gateway: via });
        const cDirect = await cannon(autocannon, upstream.port, rate, seconds, stream);
        const cVia = await cpu(() => cannon(autocannon, gateway.port, rate, seconds, stream));
        rows.push({ load: 'autocannon', mode, rate, direct: cDirect, gateway: cVia });
      }
    }
  } finally {
    upstream.child.kill();
    gateway.child.kill();
  }
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const f = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
  const header = [
    'load',
    'mode',
    'req/s',
    'direct p50',
    'gateway p50',
    'added p50',
    'direct p99',
    'gateway p99',
    'added p99',
    'CPU ms/req',
    'ok',
    'errors',
  ];
  const lines = rows.map((r) => [
    r.load,
    r.mode,
    String(r.rate),
    f(r.direct.p50),
    f(r.gateway.p50),
    f(r.gateway.p50 - r.direct.p50),
    f(r.direct.p99),
    f(r.gateway.p99),
    f(r.gateway.p99 - r.direct.p99),
    f(r.gateway.cpuPerRequest),
    String(r.gateway.requests),
    String(r.direct.errors + r.gateway.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const row = (cells) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(
    `memgar gateway: added latency (ms), 1 KB prompt, loopback, ${seconds} s per run, load average ${loadavg()[0].toFixed(1)}`,
  );
  console.log(row(header));
  for (const l of lines) console.log(row(l));
}

if (role === 'upstream') runUpstream();
else if (role === 'gateway') await runGateway(process.argv[3]);
else await main();
