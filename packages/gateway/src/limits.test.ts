import { connect } from 'node:net';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { chatStream } from '../test/fake-upstream.js';
import {
  ADMIN_TOKEN,
  ATTACK,
  BENIGN,
  CLIENT_KEY,
  type Harness,
  harness,
  post,
  UPSTREAM_KEY,
} from '../test/helpers.js';
import { createGatewayApp } from './index.js';
import { MemoryRateLimitStore } from './limits.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: BENIGN }] };
const admin = (path: string, token = ADMIN_TOKEN) =>
  fetch(`${h.gw.url}/__memgar/${path}`, { headers: { authorization: `Bearer ${token}` } });
/** The value of one Prometheus sample line. */
const sample = (text: string, line: string) =>
  Number(
    text
      .split('\n')
      .find((l) => l.startsWith(`${line} `))
      ?.split(' ')[1],
  );
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
  );

describe('authentication and routing', () => {
  it('refuses a missing or unknown key with 401 in the route provider format', async () => {
    h = await harness();
    const none = await fetch(`${h.gw.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify(chat),
    });
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({
      error: { code: 'invalid_api_key', type: 'invalid_request_error' },
    });
    const wrong = await post(h.gw, '/v1/messages', { model: 'x', messages: [] }, { 'x-api-key': 'nope' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect(h.up.requests).toHaveLength(0);
  });

  it('refuses paths it does not serve (404), forwards allow-listed ones without scanning', async () => {
    h = await harness({ allowedPaths: ['/v1/files/*'] });
    const other = await post(h.gw, '/v1/fine_tuning/jobs', {}, { authorization: `Bearer ${CLIENT_KEY}` });
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ error: { code: 'unknown_url' } });
    const dots = await fetch(`${h.gw.url}/v1/files/%2e%2e/admin`, {
      headers: { authorization: `Bearer ${CLIENT_KEY}` },
    });
    expect(dots.status).toBe(404);
    const ok = await fetch(`${h.gw.url}/v1/files/file-1?purpose=x`, {
      headers: { authorization: `Bearer ${CLIENT_KEY}` },
    });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, path: '/v1/files/file-1' });
    expect(h.up.requests.map((r) => [r.method, r.path, r.headers.authorization])).toEqual([
      ['GET', '/v1/files/file-1', `Bearer ${UPSTREAM_KEY}`],
    ]);
  });
});

describe('Web-standard app', () => {
  it('answers app.fetch(request) without a server, reading bodies as web streams (limit included)', async () => {
    h = await harness();
    const app = createGatewayApp({
      upstreamBaseUrl: h.up.url,
      allowedUpstreamHosts: ['127.0.0.1'],
      allowPrivateUpstreams: ['127.0.0.1'],
      keys: [{ name: 'web', clientKey: CLIENT_KEY, upstreamKey: UPSTREAM_KEY }],
      limits: { maxBodyBytes: 2048 },
    });
    const request = (body: string | ReadableStream<Uint8Array>) =>
      new Request('http://gateway.local/v1/chat/completions', {
        method: 'POST',
        headers: { authorization: `Bearer ${CLIENT_KEY}`, 'content-type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit);
    const ok = await app.fetch(request(JSON.stringify(chat)));
    expect(ok.status).toBe(200);
    expect(
      ((await ok.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content,
    ).toBe('Hello from the upstream.');
    const big = new TextEncoder().encode('x'.repeat(5000));
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(big.slice(0, 2500));
        c.enqueue(big.slice(2500));
        c.close();
      },
    });
    expect((await app.fetch(request(stream))).status).toBe(413);
    await app.close();
  });
});

describe('malformed and oversized input', () => {
  it('answers 400 in the provider format for malformed JSON or a non-object body', async () => {
    h = await harness();
    const bad = await post(h.gw, '/v1/chat/completions', '{"model": "x", "messages": [', {
      authorization: `Bearer ${CLIENT_KEY}`,
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'invalid_json' } });
    const array = await post(h.gw, '/v1/messages', '[1,2]');
    expect(array.status).toBe(400);
    expect(await array.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(h.up.requests).toHaveLength(0);
  });

  it('refuses bodies over maxBodyBytes with 413, by Content-Length or while streaming it in', async () => {
    h = await harness({ limits: { maxBodyBytes: 4096 } });
    const huge = JSON.stringify({ ...chat, messages: [{ role: 'user', content: 'x'.repeat(1024 * 1024) }] });
    const byLength = await post(h.gw, '/v1/chat/completions', huge, {
      authorization: `Bearer ${CLIENT_KEY}`,
    });
    expect(byLength.status).toBe(413);
    expect(await byLength.json()).toMatchObject({ error: { code: 'request_too_large' } });
    const bytes = new TextEncoder().encode(huge);
    const chunked = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 1000) c.enqueue(bytes.slice(i, i + 1000));
        c.close();
      },
    });
    const streamed = await fetch(`${h.gw.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': CLIENT_KEY },
      body: chunked,
      duplex: 'half',
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(await streamed.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
    expect(h.up.requests).toHaveLength(0);
    expect(sample(await h.gw.metrics(), 'memgar_gateway_refusals_total{reason="body_too_large"}')).toBe(2);
  });

  it('answers 408 to a client that stops sending its body, and frees its slot', async () => {
    h = await harness({ limits: { clientBodyTimeoutMs: 200, maxConcurrent: 1 } });
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(h.gw.port, '127.0.0.1', () => {
        socket.write(
          `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${CLIENT_KEY}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"model":`,
        );
      });
      let data = '';
      socket.on('data', (d) => {
        data += d.toString();
        if (data.includes('}}')) {
          socket.destroy();
          resolve(data);
        }
      });
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 408/);
    expect(reply).toContain('"code":"request_timeout"');
    const next = await h.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: BENIGN }],
    });
    expect(next.choices[0]?.message.content).toBe('Hello from the upstream.');
  });
});

describe('rate limits, concurrency and timeouts', () => {
  it('rate-limits per key with a token bucket (429 with Retry-After), counted in the metrics', async () => {
    let now = 1_000_000;
    h = await harness({
      keys: [
        {
          name: 'team-a',
          clientKey: CLIENT_KEY,
          upstreamKey: UPSTREAM_KEY,
          rateLimit: { requestsPerMinute: 60, burst: 2 },
        },
        { name: 'team-b', clientKey: 'gw-client-key-0002', upstreamKey: UPSTREAM_KEY },
      ],
      rateLimitStore: new MemoryRateLimitStore(() => now),
    });
    await h.openai.chat.completions.create(chat);
    await h.openai.chat.completions.create(chat);
    const limited = await failure(h.openai.chat.completions.create(chat));
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited?.code).toBe('rate_limit_exceeded');
    expect(limited?.headers?.get('retry-after')).toBe('1');
    const other = new OpenAI({ apiKey: 'gw-client-key-0002', baseURL: `${h.gw.url}/v1`, maxRetries: 0 });
    await other.chat.completions.create(chat); // team-b has no limit
    now += 1000; // one token refilled
    await h.openai.chat.completions.create(chat);
    expect(h.up.requests).toHaveLength(4);
    const m = await h.gw.metrics();
    expect(sample(m, 'memgar_gateway_refusals_total{reason="rate_limited"}')).toBe(1);
    expect(sample(m, 'memgar_gateway_requests_total{route="chat_completions",status="429"}')).toBe(1);
  });

  it('fails closed (503) when the rate-limit store fails', async () => {
    h = await harness({
      limits: { rateLimit: { requestsPerMinute: 600 } },
      rateLimitStore: { take: () => Promise.reject(new Error('redis down')) },
    });
    const e = await failure(h.openai.chat.completions.create(chat));
    expect(e?.status).toBe(503);
    expect(e?.code).toBe('rate_limiter_unavailable');
  });

  it('refuses requests over the concurrency cap with 503, and frees the slot when a request ends', async () => {
    h = await harness({ limits: { maxConcurrent: 1 } });
    h.up.next({
      json: { id: 'x', object: 'chat.completion', created: 1, model: 'm', choices: [] },
      delayMs: 400,
    });
    const first = h.openai.chat.completions.create(chat);
    while (h.up.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    const second = await failure(h.openai.chat.completions.create(chat));
    expect(second?.status).toBe(503);
    expect(second?.code).toBe('overloaded');
    await first;
    await h.openai.chat.completions.create(chat);
    expect(h.up.requests).toHaveLength(2);
  });

  it('answers 504 when the upstream does not answer in time', async () => {
    h = await harness({ limits: { requestTimeoutMs: 200 } });
    h.up.next({ hang: true });
    const e = await failure(h.openai.chat.completions.create(chat));
    expect(e?.status).toBe(504);
    expect(e?.code).toBe('upstream_timeout');
    const health = (await (await admin('health')).json()) as { gateway: { inFlight: number } };
    expect(health.gateway.inFlight).toBe(0);
  });

  it('ends a stream whose upstream goes silent with an error event', async () => {
    h = await harness({ limits: { upstreamIdleTimeoutMs: 300 } });
    h.up.next({ sse: chatStream(['Hello ', 'there']).slice(0, 2), stall: true });
    const stream = await h.openai.chat.completions.create({ ...chat, stream: true });
    const e = await (async () => {
      for await (const _ of stream) {
        // drain
      }
    })().catch((x: unknown) => x as InstanceType<typeof OpenAI.APIError>);
    expect(e?.code).toBe('upstream_error');
    expect(h.logs.at(-1)?.outcome).toBe('upstream_error');
  });
});

describe('admin routes, metrics and logs', () => {
  it('protects /__memgar/* with the admin token, and turns them off without one', async () => {
    h = await harness();
    expect((await admin('health', 'wrong-token-0000000')).status).toBe(401);
    expect((await fetch(`${h.gw.url}/__memgar/health`)).status).toBe(401);
    expect((await admin('nothing')).status).toBe(404);
    const health = await admin('health');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'ok',
      gateway: { inFlight: 0, maxConcurrent: 64, pendingReviews: 0 },
    });
    await h.close();
    h = await harness({ adminToken: undefined });
    expect((await admin('health')).status).toBe(404);
  });

  it('exposes Prometheus metrics and a policy view without any key', async () => {
    h = await harness({ limits: { rateLimit: { requestsPerMinute: 120, burst: 10 } } });
    await h.openai.chat.completions.create(chat);
    await failure(
      h.openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: ATTACK }] }),
    );
    const res = await admin('metrics');
    expect(res.headers.get('content-type')).toContain('text/plain');
    const m = await res.text();
    expect(m).toContain('# TYPE memgar_gateway_requests_total counter');
    expect(sample(m, 'memgar_gateway_requests_total{route="chat_completions",status="200"}')).toBe(1);
    expect(sample(m, 'memgar_gateway_requests_total{route="chat_completions",status="403"}')).toBe(1);
    expect(sample(m, 'memgar_gateway_decisions_total{stage="request",decision="block"}')).toBe(1);
    expect(sample(m, 'memgar_gateway_refusals_total{reason="request_blocked"}')).toBe(1);
    expect(sample(m, 'memgar_gateway_request_duration_seconds_count{route="chat_completions"}')).toBe(2);
    const policy = await (await admin('policy')).text();
    expect(JSON.parse(policy)).toMatchObject({
      routes: expect.arrayContaining(['POST /v1/chat/completions', 'POST /v1/messages']),
      keys: [{ name: 'team-a', rateLimit: { requestsPerMinute: 120, burst: 10 } }],
      upstream: { allowedHosts: ['127.0.0.1'], redirects: 'refused' },
    });
    for (const secret of [CLIENT_KEY, UPSTREAM_KEY, ADMIN_TOKEN]) expect(policy).not.toContain(secret);
  });

  it('logs one line per request with its id, key name, status and outcome, and no key or content', async () => {
    h = await harness();
    await h.openai.chat.completions.create(chat);
    await failure(
      h.openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: ATTACK }] }),
    );
    expect(h.logs.map((l) => [l.route, l.key, l.status, l.outcome])).toEqual([
      ['chat_completions', 'team-a', 200, 'ok'],
      ['chat_completions', 'team-a', 403, 'request_blocked'],
    ]);
    expect(h.logs[0]?.requestId).toMatch(/^req_/);
    const text = JSON.stringify(h.logs);
    for (const secret of [CLIENT_KEY, UPSTREAM_KEY, 'evil-payments', BENIGN])
      expect(text).not.toContain(secret);
  });
});
