import { createHmac } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analysisToOcsf } from './ocsf.js';
import { analysisEvent, type LoopbackHttpServer, startHttpServer } from './siem-test-kit.js';
import { createWebhookHandler, hmacSha256Hex } from './webhook-handler.js';

let server: LoopbackHttpServer;
beforeEach(async () => {
  server = await startHttpServer();
});
afterEach(async () => {
  await server.close();
});

describe('createWebhookHandler', () => {
  it('POSTs a JSON array per batch with custom headers', async () => {
    const h = createWebhookHandler({
      url: `${server.url}/hook?x=1`,
      headers: { 'x-api-key': 'k' },
      batchSize: 2,
    });
    const e = analysisToOcsf(analysisEvent());
    h.send(e);
    h.send(e);
    h.send(e);
    await h.flush();
    expect(server.requests.map((r) => r.url)).toEqual(['/hook?x=1', '/hook?x=1']);
    expect(server.requests[0]!.headers['x-api-key']).toBe('k');
    expect(server.requests[0]!.headers['content-type']).toBe('application/json');
    expect(server.requests[0]!.headers['x-memgar-signature']).toBeUndefined();
    expect(JSON.parse(server.requests[0]!.body)).toHaveLength(2);
    expect(JSON.parse(server.requests[1]!.body)[0].class_uid).toBe(2004);
  });

  it('signs timestamp.body with HMAC-SHA256 when given a secret', async () => {
    const h = createWebhookHandler({ url: server.url, secret: 's3cret', signatureHeader: 'X-Sig' });
    h.send({ a: 1 });
    await h.flush();
    const r = server.requests[0]!;
    const ts = r.headers['x-memgar-timestamp'] as string;
    expect(ts).toMatch(/^\d+$/);
    const expected = createHmac('sha256', 's3cret').update(`${ts}.${r.body}`).digest('hex');
    expect(r.headers['x-sig']).toBe(`sha256=${expected}`);
    expect(await hmacSha256Hex('k', 'm')).toBe(createHmac('sha256', 'k').update('m').digest('hex'));
  });

  it('retries 500 and 429, not 400', async () => {
    server.reply = (r, i) => (JSON.parse(r.body)[0].n === 'bad' ? 400 : i === 0 ? 500 : i === 1 ? 429 : 200);
    const h = createWebhookHandler({
      url: server.url,
      retry: { retries: 5, initialDelayMs: 1, maxDelayMs: 2 },
    });
    h.send({ n: 'ok' });
    await h.flush();
    h.send({ n: 'bad' });
    await h.flush();
    expect(server.requests).toHaveLength(4);
    expect(h.stats()).toMatchObject({ sent: 1, failed: 1, retries: 2 });
  });
});
