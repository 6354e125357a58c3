import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  anthropicMessage,
  anthropicStream,
  chatCompletion,
  chatStream,
  type FakeUpstream,
  responsesStream,
  type Script,
  startUpstream,
} from '../test/fake-upstream.js';
import { ATTACK, BENIGN, CLIENT_KEY, OVERRIDE, UPSTREAM_KEY } from '../test/helpers.js';
import type { GatewayDecisionEvent, GatewayHandle, GatewayLogEntry, StartGatewayOptions } from './index.js';
import { listen } from './server.js';

// The Node server answers the model routes on a direct path (Node's request and response, no Web
// objects, no router) and everything else through app.fetch. These tests send the same bytes to a
// gateway with the direct path and to one without it (every request through app.fetch, as before
// the direct path existed) and require the same answers, the same bytes upstream, the same
// decisions, logs and metrics — and that the direct path was really taken where it applies.

const CANARY = 'QZXVHK-PLMWRT-BNCJDS-FGHKLA';
const SECRET = 'AKIAZ7Q2M4X9T1W8R3PL';
const FILLER = 'The forecast for the coming week is mild with light winds and some sun. '.repeat(8);

interface Side {
  up: FakeUpstream;
  gw: GatewayHandle;
  events: GatewayDecisionEvent[];
  logs: GatewayLogEntry[];
  ways: string[];
}

async function side(direct: boolean, options: Partial<StartGatewayOptions>): Promise<Side> {
  const up = await startUpstream();
  const events: GatewayDecisionEvent[] = [];
  const logs: GatewayLogEntry[] = [];
  const ways: string[] = [];
  const gw = await listen(
    {
      port: 0,
      upstreamBaseUrl: up.url,
      allowedUpstreamHosts: ['127.0.0.1'],
      allowPrivateUpstreams: ['127.0.0.1'],
      keys: [{ name: 'team-a', clientKey: CLIENT_KEY, upstreamKey: UPSTREAM_KEY }],
      canaries: [{ token: CANARY, label: 'system-prompt' }],
      onDecision: (e) => events.push(e),
      log: (e) => logs.push(e),
      ...options,
    },
    { direct, observe: (way) => ways.push(way) },
  );
  return { up, gw, events, logs, ways };
}

let sides: Side[] = [];
afterEach(async () => {
  for (const s of sides) {
    await s.gw.close();
    await s.up.close();
  }
  sides = [];
});

async function twin(options: Partial<StartGatewayOptions> = {}) {
  const direct = await side(true, options);
  const viaFetch = await side(false, options);
  sides = [direct, viaFetch];
  return { direct, viaFetch };
}

/** A request as bytes on the wire: raw header pairs (repeats kept), a body. */
interface Wire {
  method: string;
  target: string;
  headers: [string, string][];
  body?: string;
  /** Upstream replies to queue first. */
  scripts?: Script[];
}

const json = (extra: [string, string][] = []): [string, string][] => [
  ['Content-Type', 'application/json'],
  ['Authorization', `Bearer ${CLIENT_KEY}`],
  ...extra,
];

function send(
  port: number,
  w: Wire,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const hasHost = w.headers.some(([k]) => k.toLowerCase() === 'host');
    const raw = [...(hasHost ? [] : [['Host', `127.0.0.1:${port}`]]), ...w.headers].flat();
    if (w.body !== undefined) raw.push('Content-Length', String(Buffer.byteLength(w.body)));
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method: w.method,
        path: w.target,
        headers: raw,
        setHost: false,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(w.body);
  });
}

const ids = (text: string) =>
  text
    .replace(/req_[0-9a-f]{32}/g, 'req_ID')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'UUID');

/** Everything observable about one request on one side (ids and timings left out). */
async function outcome(s: Side, w: Wire) {
  const before = { up: s.up.requests.length, events: s.events.length, logs: s.logs.length };
  if (w.scripts) s.up.next(...w.scripts);
  const res = await send(s.gw.port, w);
  // The log line of a stream is written when it ends, just after the client read the last byte.
  for (let i = 0; i < 50 && s.logs.length === before.logs && res.status !== 404; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  const h = res.headers;
  return {
    status: res.status,
    headers: {
      'content-type': h['content-type'],
      'retry-after': h['retry-after'],
      'cache-control': h['cache-control'],
      ids:
        h['x-request-id'] === undefined ? 'none' : h['x-request-id'] === h['request-id'] ? 'same' : 'differ',
    },
    body: ids(res.body),
    upstream: s.up.requests.slice(before.up).map((r) => ({
      method: r.method,
      url: r.url,
      raw: r.raw.toString('utf8'),
      authorization: r.headers.authorization,
      apiKey: r.headers['x-api-key'],
      contentType: r.headers['content-type'],
      anthropicVersion: r.headers['anthropic-version'],
      encoding: r.headers['accept-encoding'],
    })),
    events: s.events.slice(before.events).map(({ requestId: _r, reviewId, ...e }) => ({
      ...e,
      reason: ids(e.reason),
      review: reviewId !== undefined,
    })),
    logs: s.logs.slice(before.logs).map(({ time: _t, requestId: _r, durationMs: _d, ...l }) => l),
  };
}

/** Sends `w` to both sides; expects the same outcome and returns it with the ways taken. */
async function same(t: { direct: Side; viaFetch: Side }, w: Wire) {
  const d = await outcome(t.direct, w);
  const f = await outcome(t.viaFetch, w);
  expect(d, `${w.method} ${w.target}`).toEqual(f);
  return { ...d, way: t.direct.ways.at(-1), fetchWay: t.viaFetch.ways.at(-1) };
}

const chatBody = (content: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...extra });

const counters = async (gw: GatewayHandle) =>
  (await gw.metrics())
    .split('\n')
    .filter((l) => /^memgar_gateway_(requests|refusals|decisions)_total/.test(l))
    .sort();

describe('direct path = app.fetch path', () => {
  it('forwards a clean request byte for byte and returns the same answer', async () => {
    const t = await twin();
    // Odd spacing and key order: a re-serialized body would differ.
    const body = `{ "messages": [ {"content": "${BENIGN}", "role": "user"} ],  "model": "gpt-4o-mini" }`;
    const r = await same(t, { method: 'POST', target: '/v1/chat/completions', headers: json(), body });
    expect(r.way).toBe('direct');
    expect(r.fetchWay).toBe('fetch');
    expect(r.status).toBe(200);
    expect(r.upstream).toHaveLength(1);
    expect(r.upstream[0]?.raw).toBe(body);
    expect(r.upstream[0]?.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(JSON.parse(r.body)).toEqual(chatCompletion('Hello from the upstream.'));
  });

  it('forwards the same rewrite of a sanitized request (request DLP)', async () => {
    const t = await twin({ dlp: { requests: { secrets: 'redact', pii: 'redact' } } });
    const body = chatBody('Please write to jane.doe@acme-corp.com about the meeting.');
    const r = await same(t, { method: 'POST', target: '/v1/chat/completions', headers: json(), body });
    expect(r.way).toBe('direct');
    expect(r.upstream[0]?.raw).not.toBe(body);
    expect(JSON.parse(r.upstream[0]?.raw ?? '{}').messages[0].content).toBe(
      'Please write to [REDACTED:email] about the meeting.',
    );
    expect(r.events[0]).toMatchObject({ action: 'sanitized', decision: 'sanitize' });
  });

  it('refuses blocked and held requests alike, before the upstream', async () => {
    const t = await twin();
    const blocked = await same(t, {
      method: 'POST',
      target: '/v1/chat/completions',
      headers: json(),
      body: chatBody(ATTACK),
    });
    expect(blocked.way).toBe('direct');
    expect(blocked.status).toBe(403);
    expect(blocked.body).toContain('memgar_blocked');
    const held = await same(t, {
      method: 'POST',
      target: '/v1/messages',
      headers: [
        ['content-type', 'application/json'],
        ['x-api-key', CLIENT_KEY],
      ],
      body: JSON.stringify({
        model: 'claude',
        max_tokens: 10,
        messages: [{ role: 'user', content: OVERRIDE }],
      }),
    });
    expect(held.way).toBe('direct');
    expect(held.status).toBe(403);
    expect(held.body).toContain('held');
    expect(held.events.some((e) => e.review)).toBe(true);
    expect([...blocked.upstream, ...held.upstream]).toEqual([]);
    expect(await t.direct.gw.reviewQueue.pending()).toBe(await t.viaFetch.gw.reviewQueue.pending());
  });

  it('checks answers alike: canary leak withheld, secret redacted, upstream errors passed', async () => {
    const t = await twin();
    const ask = { method: 'POST', target: '/v1/chat/completions', headers: json(), body: chatBody(BENIGN) };
    const leak = await same(t, { ...ask, scripts: [{ json: chatCompletion(`The code is ${CANARY}.`) }] });
    expect(leak.way).toBe('direct');
    expect(leak.status).toBe(403);
    expect(leak.body).not.toContain(CANARY);
    const secret = await same(t, { ...ask, scripts: [{ json: chatCompletion(`The key is ${SECRET}.`) }] });
    expect(secret.status).toBe(200);
    expect(secret.body).not.toContain(SECRET);
    const failed = await same(t, {
      ...ask,
      scripts: [{ status: 500, text: 'upstream exploded', headers: { 'content-type': 'text/plain' } }],
    });
    expect(failed.status).toBe(500);
    expect(failed.body).toBe('upstream exploded');
    const anthropic = await same(t, {
      method: 'POST',
      target: '/v1/messages',
      headers: [
        ['content-type', 'application/json'],
        ['x-api-key', CLIENT_KEY],
      ],
      body: JSON.stringify({
        model: 'claude',
        max_tokens: 10,
        messages: [{ role: 'user', content: BENIGN }],
      }),
      scripts: [{ json: anthropicMessage(`Sure: ${CANARY}`) }],
    });
    expect(anthropic.status).toBe(403);
    expect(anthropic.upstream[0]?.apiKey).toBe(UPSTREAM_KEY);
  });

  it('streams alike: a clean stream whole, a canary split across chunks ends in the same error event', async () => {
    const t = await twin();
    const ask = {
      method: 'POST',
      target: '/v1/chat/completions',
      headers: json(),
      body: chatBody(BENIGN, { stream: true }),
    };
    const clean = await same(t, {
      ...ask,
      scripts: [{ sse: chatStream([FILLER.slice(0, 300), FILLER.slice(300)]) }],
    });
    expect(clean.way).toBe('direct');
    expect(clean.status).toBe(200);
    expect(clean.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(clean.body).toContain('[DONE]');
    const leaked = `${FILLER} the code is ${CANARY} ${FILLER}`;
    const cut = leaked.indexOf(CANARY) + 10;
    const leak = await same(t, {
      ...ask,
      scripts: [{ sse: chatStream([leaked.slice(0, cut), leaked.slice(cut)]) }],
    });
    expect(leak.body).toContain('memgar_response_blocked');
    expect(leak.body).not.toContain('QZXVHK');
    expect(leak.logs[0]?.outcome).toBe('response_blocked');
    // A secret split across chunks is redacted whole; Responses and Anthropic streams too.
    const secret = `${FILLER} key ${SECRET} ${FILLER}`;
    const at = secret.indexOf(SECRET) + 8;
    const redacted = await same(t, {
      ...ask,
      scripts: [{ sse: chatStream([secret.slice(0, at), secret.slice(at)]) }],
    });
    expect(redacted.body).not.toContain(SECRET);
    expect(redacted.events.some((e) => e.action === 'redacted')).toBe(true);
    const responses = await same(t, {
      method: 'POST',
      target: '/v1/responses',
      headers: json(),
      body: JSON.stringify({ model: 'gpt-4o-mini', input: BENIGN, stream: true }),
      scripts: [{ sse: responsesStream([FILLER.slice(0, 200), `${FILLER.slice(200)} ${CANARY}`]) }],
    });
    expect(responses.way).toBe('direct');
    expect(responses.body).toContain('event: error');
    expect(responses.body).not.toContain(CANARY);
    const anthropic = await same(t, {
      method: 'POST',
      target: '/v1/messages',
      headers: [
        ['content-type', 'application/json'],
        ['x-api-key', CLIENT_KEY],
      ],
      body: JSON.stringify({
        model: 'claude',
        max_tokens: 10,
        stream: true,
        messages: [{ role: 'user', content: BENIGN }],
      }),
      scripts: [{ sse: anthropicStream([FILLER, FILLER]) }],
    });
    expect(anthropic.status).toBe(200);
    expect(anthropic.body).toContain('message_stop');
    expect(await counters(t.direct.gw)).toEqual(await counters(t.viaFetch.gw));
  });

  it('authenticates alike: repeated Authorization headers are joined (and refused), x-api-key wins', async () => {
    const t = await twin();
    const base = { method: 'POST', target: '/v1/chat/completions', body: chatBody(BENIGN) };
    const twice = await same(t, {
      ...base,
      headers: [
        ['Content-Type', 'application/json'],
        ['Authorization', `Bearer ${CLIENT_KEY}`],
        ['Authorization', `Bearer ${CLIENT_KEY}`],
      ],
    });
    expect(twice.way).toBe('direct');
    expect(twice.status).toBe(401);
    const wrongThenRight = await same(t, {
      ...base,
      headers: [
        ['Content-Type', 'application/json'],
        ['Authorization', 'Bearer nope'],
        ['x-api-key', CLIENT_KEY],
      ],
    });
    expect(wrongThenRight.status).toBe(200);
    const none = await same(t, { ...base, headers: [['Content-Type', 'application/json']] });
    expect(none.status).toBe(401);
    // Repeated forwarded headers reach the upstream joined, as Headers joins them.
    const beta = await same(t, {
      ...base,
      headers: json([
        ['OpenAI-Beta', 'a'],
        ['OpenAI-Beta', 'b'],
      ]),
    });
    expect(beta.status).toBe(200);
    expect(t.direct.up.requests.at(-1)?.headers['openai-beta']).toBe('a, b');
  });

  it('refuses bad input alike: malformed JSON, a body over the limit, an unknown path', async () => {
    const t = await twin({ limits: { maxBodyBytes: 2048 } });
    const bad = await same(t, {
      method: 'POST',
      target: '/v1/chat/completions',
      headers: json(),
      body: '{"x": [',
    });
    expect(bad.way).toBe('direct');
    expect(bad.status).toBe(400);
    const big = await same(t, {
      method: 'POST',
      target: '/v1/chat/completions',
      headers: json(),
      body: chatBody('x'.repeat(4000)),
    });
    expect(big.status).toBe(413);
    const unknown = await same(t, { method: 'POST', target: '/v1/chat/other', headers: json(), body: '{}' });
    expect(unknown.way).toBe('fetch');
    expect(unknown.status).toBe(404);
    expect(await counters(t.direct.gw)).toEqual(await counters(t.viaFetch.gw));
  });

  it('leaves odd targets to app.fetch, whose URL parsing decides them as before', async () => {
    const t = await twin({ allowedPaths: ['/v1/files/*'] });
    const post = (target: string, headers = json()) => ({
      method: 'POST',
      target,
      headers,
      body: chatBody(ATTACK),
    });
    const cases: [string, 'direct' | 'fetch'][] = [
      ['/v1/chat/completions?api-version=2024-06-01', 'direct'],
      ['/v1/chat/completions?', 'fetch'],
      ["/v1/chat/completions?q='x'", 'fetch'],
      ['/v1/./chat/completions', 'fetch'],
      ['/v1//chat/completions', 'fetch'],
      ['/v1/chat/completions/', 'fetch'],
      ['/v1/chat/%63ompletions', 'fetch'],
      ['/v1/files/../chat/completions', 'fetch'],
      ['/v1/files/%2e%2e/chat/completions', 'fetch'],
    ];
    for (const [target, way] of cases) {
      const r = await same(t, post(target));
      expect(r.way, target).toBe(way);
      // An attack sent to any spelling of the route never reaches the upstream unscanned.
      expect(r.upstream, target).toEqual([]);
    }
    const get = await same(t, { method: 'GET', target: '/v1/models', headers: json() });
    expect(get.way).toBe('direct');
    expect(get.status).toBe(200);
    const head = await same(t, { method: 'HEAD', target: '/v1/models', headers: json() });
    expect(head.way).toBe('fetch');
    const host = await same(t, post('/v1/chat/completions', [...json(), ['Host', 'Example.COM']]));
    expect(host.way).toBe('fetch');
  });
});

describe('direct path: a client that goes away', () => {
  it('ends the stream, aborts the upstream and frees the slot, on both paths', async () => {
    const t = await twin({ limits: { maxConcurrent: 1 } });
    for (const s of [t.direct, t.viaFetch]) {
      s.up.next({ sse: chatStream([FILLER, FILLER]), stall: true });
      await new Promise<void>((resolve, reject) => {
        const body = chatBody(BENIGN, { stream: true });
        const req = httpRequest(
          {
            host: '127.0.0.1',
            port: s.gw.port,
            method: 'POST',
            path: '/v1/chat/completions',
            agent: false,
            headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_KEY}` },
          },
          (res) => {
            res.once('data', () => {
              req.destroy();
              resolve();
            });
          },
        );
        req.on('error', () => {});
        req.on('close', () => resolve());
        setTimeout(() => reject(new Error('no first chunk')), 5000);
        req.end(body);
      });
      for (let i = 0; i < 100 && s.logs.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(s.logs.at(-1)).toMatchObject({ status: 200, outcome: 'client_closed' });
      const next = await send(s.gw.port, {
        method: 'POST',
        target: '/v1/chat/completions',
        headers: json(),
        body: chatBody(BENIGN),
      });
      expect(next.status).toBe(200);
    }
    expect(t.direct.ways[0]).toBe('direct');
  });
});

describe('direct path: a client that leaves before its body is read', () => {
  it('is refused at once and frees its slot (not held until the body timeout)', async () => {
    const slowStore = {
      take: () =>
        new Promise<{ allowed: boolean; retryAfterMs: number }>((r) =>
          setTimeout(() => r({ allowed: true, retryAfterMs: 0 }), 150),
        ),
    };
    const t = await twin({
      rateLimitStore: slowStore,
      limits: { rateLimit: { requestsPerMinute: 6000 }, maxConcurrent: 1, clientBodyTimeoutMs: 30_000 },
    });
    for (const s of [t.direct, t.viaFetch]) {
      await new Promise<void>((resolve) => {
        const socket = connect(s.gw.port, '127.0.0.1', () => {
          socket.write(
            `POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${CLIENT_KEY}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":`,
          );
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 30);
        });
        socket.on('error', () => {});
      });
      for (let i = 0; i < 100 && s.logs.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(s.logs.at(-1)).toMatchObject({ status: 400, outcome: 'bad_request' });
      const next = await send(s.gw.port, {
        method: 'POST',
        target: '/v1/chat/completions',
        headers: json(),
        body: chatBody(BENIGN),
      });
      expect(next.status).toBe(200);
    }
    expect(t.direct.ways[0]).toBe('direct');
  });
});
