// A/B comparison of two gateway builds on a noisy machine: both run side by side (own processes, one
// upstream), and short paced runs alternate A, B, B, A, … so that background load hits both alike.
// Reports, per build, the median over rounds of the gateway's CPU time per request and of the added
// p50/p99 over a direct call made in the same round.
//
//   node bench/ab.mjs --a <dist dir | @passthrough> --b <dist dir | @passthrough> [--rounds 6] [--seconds 4]
//                     [--rate 200] [--stream] [--prof <dir>] [--noop]
//
// `--noop` gives both gateways an enforcer that allows everything (the checks' cost left out);
// `--opts-a` / `--opts-b` '<json>': further startGateway options for one side (e.g. scan switches;
// `{"timeChecks":true}`: the default enforcer and canaries with each call into core timed);
// `--prof <dir>` writes a V8 CPU profile of each gateway process there.
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CLIENT_KEY, pacedRequests, runUpstream } from './fixture.mjs';

const role = process.argv[2];

/** The floor: a minimal Node http + undici pass-through proxy (no auth, no checks). */
async function runPassthrough(upstreamPort) {
  const { Agent, request } = await import('undici');
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', async () => {
      const up = await request(`http://127.0.0.1:${upstreamPort}${req.url}`, {
        method: req.method,
        headers: { 'content-type': req.headers['content-type'], authorization: 'Bearer sk-bench-upstream' },
        body: Buffer.concat(chunks),
        dispatcher: agent,
      });
      const body = Buffer.from(await up.body.arrayBuffer());
      res.writeHead(up.statusCode, {
        'content-type': up.headers['content-type'],
        'content-length': body.length,
      });
      res.end(body);
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server.address().port;
}

/** Wall time spent in the checks' calls into core, per kind (`--time-checks`). */
const checkMs = {};
const timed = (name, fn) =>
  async function (...args) {
    const t0 = performance.now();
    try {
      return await fn.apply(this, args);
    } finally {
      checkMs[name] = (checkMs[name] ?? 0) + performance.now() - t0;
    }
  };

/** The default enforcer and a canary registry, with each call into core timed. */
async function timedChecks() {
  const { Analyzer, CanaryRegistry, canaryFingerprint, MemoryRuntimeEnforcer } = await import('@memgar/core');
  const e = new MemoryRuntimeEnforcer({ analyzer: new Analyzer() });
  const enforcer = {
    onRetrieval: timed('onRetrieval', e.onRetrieval.bind(e)),
    onMemoryWrite: timed('onMemoryWrite', e.onMemoryWrite.bind(e)),
    onToolResult: timed('onToolResult', e.onToolResult.bind(e)),
  };
  const token = 'QZXVHK-PLMWRT-BNCJDS-FGHKLA';
  const registry = new CanaryRegistry({
    canaries: [{ format: 'token', token, label: 'system-prompt', fingerprint: canaryFingerprint(token) }],
  });
  const scan = registry.scan.bind(registry);
  const canaries = {
    scan(text) {
      const t0 = performance.now();
      try {
        return scan(text);
      } finally {
        checkMs.canaries = (checkMs.canaries ?? 0) + performance.now() - t0;
      }
    },
  };
  return { enforcer, canaries };
}

async function runGateway(dir, upstreamPort, noop, extra) {
  let port;
  const options = JSON.parse(extra || '{}');
  if (options.timeChecks) Object.assign(options, await timedChecks(), { timeChecks: undefined });
  if (dir === '@passthrough') port = await runPassthrough(upstreamPort);
  else port = await startBuild(dir, upstreamPort, noop, options);
  let since = process.cpuUsage();
  process.on('message', (m) => {
    if (m === 'cpu-start') {
      since = process.cpuUsage();
      for (const k of Object.keys(checkMs)) checkMs[k] = 0;
    }
    if (m === 'cpu-end') {
      const used = process.cpuUsage(since);
      process.send({
        cpuMs: (used.user + used.system) / 1000,
        sysMs: used.system / 1000,
        checkMs: { ...checkMs },
      });
    }
    if (m === 'exit') process.exit(0);
  });
  process.send({ port });
}

async function startBuild(dir, upstreamPort, noop, extra) {
  const { startGateway } = await import(pathToFileURL(resolve(dir, 'index.js')).href);
  const allow = async (content) => ({
    allowed: true,
    decision: 'allow',
    safeContent: content,
    reason: 'noop',
    rule: 'noop',
    riskScore: 0,
    findings: [],
  });
  const enforcer = {
    onMemoryWrite: allow,
    onRetrieval: async (chunks) => ({
      verdicts: await Promise.all(chunks.map((c) => allow(c.content))),
    }),
    onToolResult: async (_n, out) => ({ ...(await allow(out)), safeOutput: out }),
  };
  const gw = await startGateway({
    port: 0,
    upstreamBaseUrl: `http://127.0.0.1:${upstreamPort}`,
    allowedUpstreamHosts: ['127.0.0.1'],
    allowPrivateUpstreams: ['127.0.0.1'],
    keys: [{ name: 'bench', clientKey: CLIENT_KEY, upstreamKey: 'sk-bench-upstream' }],
    ...(noop
      ? { enforcer }
      : { canaries: [{ token: 'QZXVHK-PLMWRT-BNCJDS-FGHKLA', label: 'system-prompt' }] }),
    limits: { maxConcurrent: 4096 },
    ...Object.fromEntries(Object.entries(extra).filter(([, v]) => v !== undefined)),
  });
  return gw.port;
}

function start(args, execArgv = []) {
  const child = fork(fileURLToPath(import.meta.url), args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv,
  });
  return new Promise((res, rej) => {
    child.once('message', (m) => res({ child, port: m.port }));
    child.once('exit', (code) => rej(new Error(`${args[0]} exited with ${code}`)));
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function paced(undici, port, rate, seconds, stream) {
  const { durations, errors } = await pacedRequests(undici, port, rate, seconds, stream);
  durations.sort((a, b) => a - b);
  return { p50: pct(durations, 50), p99: pct(durations, 99), n: durations.length, errors };
}

async function main() {
  const args = process.argv.slice(2);
  const value = (name, fallback) => {
    const i = args.indexOf(name);
    return i === -1 ? fallback : args[i + 1];
  };
  const a = value('--a');
  const b = value('--b');
  if (!a || !b) throw new Error('--a <dist dir> and --b <dist dir> are required');
  const rounds = Number(value('--rounds', 6));
  const seconds = Number(value('--seconds', 4));
  const rate = Number(value('--rate', 200));
  const stream = args.includes('--stream');
  const noop = args.includes('--noop') ? '1' : '0';
  const prof = value('--prof');
  const undici = await import('undici');
  const upstream = await start(['upstream']);
  const profArgs = (name) =>
    prof ? ['--cpu-prof', `--cpu-prof-dir=${prof}`, `--cpu-prof-name=${name}.cpuprofile`] : [];
  const gws = {
    A: await start(['gateway', a, String(upstream.port), noop, value('--opts-a', '{}')], profArgs('A')),
    B: await start(['gateway', b, String(upstream.port), noop, value('--opts-b', '{}')], profArgs('B')),
  };
  const cpu = async (g, fn) => {
    g.child.send('cpu-start');
    const r = await fn();
    const m = await new Promise((res) => {
      g.child.once('message', res);
      g.child.send('cpu-end');
    });
    const per = (x) => x / Math.max(1, r.n);
    const checks = Object.fromEntries(Object.entries(m.checkMs ?? {}).map(([k, v]) => [k, per(v)]));
    return { ...r, cpu: per(m.cpuMs), sys: per(m.sysMs), checks };
  };
  const results = { A: [], B: [] };
  const loads = [];
  try {
    for (const name of ['A', 'B']) await paced(undici, gws[name].port, rate, 2, stream); // warm-up
    await paced(undici, upstream.port, rate, 2, stream);
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? ['A', 'B'] : ['B', 'A'];
      for (const name of order) {
        const direct = await paced(undici, upstream.port, rate, seconds / 2, stream);
        const via = await cpu(gws[name], () => paced(undici, gws[name].port, rate, seconds, stream));
        results[name].push({
          cpu: via.cpu,
          added50: via.p50 - direct.p50,
          added99: via.p99 - direct.p99,
          p50: via.p50,
          direct50: direct.p50,
          checks: via.checks,
          sys: via.sys,
          errors: via.errors + direct.errors,
        });
      }
      loads.push(loadavg()[0]);
      const last = (n) => results[n].at(-1);
      console.error(
        `round ${r + 1}: A cpu ${last('A').cpu.toFixed(3)} added p50 ${last('A').added50.toFixed(2)} | B cpu ${last('B').cpu.toFixed(3)} added p50 ${last('B').added50.toFixed(2)} | load ${loads.at(-1).toFixed(2)}`,
      );
    }
  } finally {
    for (const g of [gws.A, gws.B]) g.child.send('exit');
    upstream.child.kill();
  }
  const f = (x) => x.toFixed(3);
  console.log(
    `rate ${rate} req/s, ${stream ? 'streaming' : 'non-streaming'}${noop === '1' ? ', no-op enforcer' : ''}, ${rounds} rounds × ${seconds} s, load average ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`,
  );
  for (const name of ['A', 'B']) {
    const rs = results[name];
    console.log(
      `${name}: CPU ms/req ${f(median(rs.map((x) => x.cpu)))} (min ${f(Math.min(...rs.map((x) => x.cpu)))})  added p50 ${f(median(rs.map((x) => x.added50)))} (min ${f(Math.min(...rs.map((x) => x.added50)))})  added p99 ${f(median(rs.map((x) => x.added99)))}  (kernel time ${f(median(rs.map((x) => x.sys)))} ms/req)  errors ${rs.reduce((s, x) => s + x.errors, 0)}`,
    );
    const kinds = Object.keys(rs[0]?.checks ?? {});
    if (kinds.length > 0)
      console.log(
        `   in core per request (ms, median): ${kinds.map((k) => `${k} ${f(median(rs.map((x) => x.checks[k] ?? 0)))}`).join(', ')}`,
      );
  }
}

if (role === 'upstream') runUpstream();
else if (role === 'gateway')
  await runGateway(process.argv[3], process.argv[4], process.argv[5] === '1', process.argv[6]);
else await main();
