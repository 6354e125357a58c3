// Added latency of the gateway over a direct call, on loopback: autocannon at a fixed request rate
// against (a) the upstream directly and (b) the gateway in front of it, for a 1 KB prompt, non-streaming
// and streaming. The upstream and the gateway (the built dist) run in their own processes; autocannon
// runs here. Latencies are each response's full duration (autocannon's per-response timer, in µs
// precision), 2xx only. The gateway's CPU time per request is reported too: on a shared machine it is
// steadier than latency.
//
//   node bench/gateway.bench.mjs [--quick] [--duration 10] [--rates 200,1000] [--json]
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const role = process.argv[2];
const UPSTREAM_KEY = 'sk-bench-upstream';
const CLIENT_KEY = 'bench-client-key';

if (role === 'upstream') {
  const answer = 'The capital of France is Paris. It has been the capital since the tenth century.';
  const completion = JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'gpt-4o-mini',
    choices: [
      { index: 0, message: { role: 'assistant', content: answer, refusal: null }, finish_reason: 'stop' },
    ],
    usage: { prompt_tokens: 250, completion_tokens: 20, total_tokens: 270 },
  });
  const chunk = (delta, finish = null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'gpt-4o-mini', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const words = answer.split(/(?<= )/);
  const stream = [
    chunk({ role: 'assistant', content: '' }),
    ...words.map((w) => chunk({ content: w })),
    chunk({}, 'stop'),
    'data: [DONE]\n\n',
  ].join('');
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      if (body.includes('"stream":true')) {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(stream);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(completion);
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
} else if (role === 'gateway') {
  const { startGateway } = await import('../dist/index.js');
  const gw = await startGateway({
    port: 0,
    upstreamBaseUrl: `http://127.0.0.1:${process.argv[3]}`,
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

const PROMPT = (
  'Our team is planning a two-day offsite in the spring and would like a short overview of the city first. ' +
  'Please describe the main districts, how public transport works, which museums are worth a morning, ' +
  'and where a group of twelve could have dinner without booking months ahead. Keep it practical. '
)
  .repeat(4)
  .slice(0, 1024);

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function measure(autocannon, port, rate, seconds, stream) {
  const body = JSON.stringify({
    model: 'gpt-4o-mini',
    stream,
    messages: [{ role: 'user', content: PROMPT }],
  });
  const durations = [];
  let non2xx = 0;
  const instance = autocannon({
    url: `http://127.0.0.1:${port}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
    body,
    connections: Math.max(10, Math.ceil(rate / 20)),
    overallRate: rate,
    duration: seconds,
  });
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) durations.push(ms);
    else non2xx++;
  });
  const result = await instance;
  durations.sort((a, b) => a - b);
  return {
    p50: percentile(durations, 50),
    p99: percentile(durations, 99),
    requests: durations.length,
    errors: result.errors + result.timeouts + non2xx,
  };
}

async function main() {
  const args = process.argv.slice(2);
  const flag = (name) => args.includes(name);
  const value = (name, fallback) => {
    const i = args.indexOf(name);
    return i === -1 ? fallback : args[i + 1];
  };
  const quick = flag('--quick');
  const seconds = Number(value('--duration', quick ? 3 : 10));
  const rates = String(value('--rates', '200,1000')).split(',').map(Number);
  const { default: autocannon } = await import('autocannon');
  const upstream = await start('upstream');
  const gateway = await start('gateway', String(upstream.port));
  const rows = [];
  try {
    for (const stream of [false, true]) {
      for (const rate of rates) {
        // Warm both paths (JIT, connection pools) at the same rate first.
        await measure(autocannon, upstream.port, rate, 2, stream);
        await measure(autocannon, gateway.port, rate, 2, stream);
        const direct = await measure(autocannon, upstream.port, rate, seconds, stream);
        gateway.child.send('cpu-start');
        const via = await measure(autocannon, gateway.port, rate, seconds, stream);
        const cpuMs = await new Promise((resolve) => {
          gateway.child.once('message', (m) => resolve(m.cpuMs));
          gateway.child.send('cpu-end');
        });
        via.cpuPerRequest = cpuMs / Math.max(1, via.requests);
        rows.push({ mode: stream ? 'streaming' : 'non-streaming', rate, direct, gateway: via });
      }
    }
  } finally {
    upstream.child.kill();
    gateway.child.kill();
  }
  if (flag('--json')) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const f = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
  const header = [
    'mode',
    'req/s',
    'direct p50',
    'gateway p50',
    'added p50',
    'direct p99',
    'gateway p99',
    'added p99',
    'gateway CPU/req',
    'requests',
    'errors',
  ];
  const lines = rows.map((r) => [
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
    cells.map((c, i) => (i < 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const load = loadavg()[0].toFixed(1);
  console.log(
    `gateway added latency, 1 KB prompt, loopback, ${seconds} s per run (ms; load average ${load})`,
  );
  console.log(row(header));
  for (const l of lines) console.log(row(l));
}

if (role !== 'upstream' && role !== 'gateway') await main();
