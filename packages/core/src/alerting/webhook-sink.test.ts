import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from './alert.js';
import { type AlertDeliveryFailure, AlertManager } from './alert-manager.js';
import { WebhookSink } from './webhook-sink.js';

interface Received {
  method: string | undefined;
  headers: IncomingMessage['headers'];
  body: unknown;
}

/** A loopback HTTP receiver answering with the given statuses in turn (`hang` never answers). */
async function receiver(statuses: (number | 'hang')[] = [200]) {
  const received: Received[] = [];
  let i = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method,
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      const status = statuses[Math.min(i++, statuses.length - 1)] ?? 200;
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  servers.push(server);
  return { url, received };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

const ALERT: Alert = {
  id: 'drift:overall:1:1',
  rule: 'drift',
  status: 'firing',
  severity: 'critical',
  key: 'overall',
  summary: 'Drift severity 4/4 on overall (PSI 0.612)',
  at: '2025-01-01T00:00:00.000Z',
  details: { severity: 4, psi: 0.612 },
};

describe('WebhookSink', () => {
  it('POSTs the alert as JSON with the configured headers', async () => {
    const r = await receiver();
    const sink = new WebhookSink({ url: r.url, headers: { authorization: 'Bearer t0ken' } });
    expect(await sink.deliver(ALERT)).toEqual({ ok: true, attempts: 1, status: 200 });
    expect(r.received).toHaveLength(1);
    expect(r.received[0]?.method).toBe('POST');
    expect(r.received[0]?.headers['content-type']).toBe('application/json');
    expect(r.received[0]?.headers.authorization).toBe('Bearer t0ken');
    expect(r.received[0]?.body).toEqual(ALERT);
  });

  it('retries 5xx and 429, then succeeds', async () => {
    const r = await receiver([503, 429, 200]);
    const sink = new WebhookSink({ url: r.url, retries: 3, backoffMs: 0 });
    expect(await sink.deliver(ALERT)).toEqual({ ok: true, attempts: 3, status: 200 });
    expect(r.received.map((x) => (x.body as Alert).id)).toEqual([ALERT.id, ALERT.id, ALERT.id]);
  });

  it('gives up after the retries, and never retries a 4xx other than 408/429', async () => {
    const down = await receiver([500]);
    expect(await new WebhookSink({ url: down.url, retries: 2, backoffMs: 0 }).deliver(ALERT)).toEqual({
      ok: false,
      attempts: 3,
      status: 500,
    });
    const rejecting = await receiver([401]);
    expect(await new WebhookSink({ url: rejecting.url, retries: 5, backoffMs: 0 }).deliver(ALERT)).toEqual({
      ok: false,
      attempts: 1,
      status: 401,
    });
  });

  it('times out a receiver that never answers, and retries', async () => {
    const r = await receiver(['hang']);
    const out = await new WebhookSink({ url: r.url, timeoutMs: 50, retries: 1, backoffMs: 0 }).deliver(ALERT);
    expect(out).toMatchObject({ ok: false, attempts: 2 });
    expect((out.error as Error).name).toBe('TimeoutError');
  });

  it('reports a refused connection without throwing', async () => {
    const r = await receiver();
    for (const s of servers.splice(0)) s.close();
    const out = await new WebhookSink({ url: r.url, retries: 1, backoffMs: 0 }).deliver(ALERT);
    expect(out.ok).toBe(false);
    expect(out.attempts).toBe(2);
    expect(out.error).toBeInstanceOf(Error);
  });

  it('formats the body, e.g. for a Slack incoming webhook', async () => {
    const r = await receiver();
    await new WebhookSink({ url: r.url, format: (a) => ({ text: `[${a.severity}] ${a.summary}` }) }).deliver(
      ALERT,
    );
    expect(r.received[0]?.body).toEqual({ text: '[critical] Drift severity 4/4 on overall (PSI 0.612)' });
  });
});

describe('AlertManager → webhook', () => {
  it('delivers alerts to the webhook and the callback, and reports failed deliveries', async () => {
    const ok = await receiver();
    const seen: Alert[] = [];
    const m = new AlertManager({ webhook: ok.url, onAlert: (a) => void seen.push(a), now: () => 0 });
    m.observeDrift({ severity: 4, psi: 0.7 });
    await m.flush();
    expect(ok.received.map((x) => (x.body as Alert).rule)).toEqual(['drift']);
    expect(seen).toHaveLength(1);
    expect(m.stats()).toMatchObject({ fired: 1, delivered: 2, failed: 0 });

    const bad = await receiver([500]);
    const failures: AlertDeliveryFailure[] = [];
    const m2 = new AlertManager({
      webhook: { url: bad.url, retries: 1, backoffMs: 0 },
      onDeliveryError: (f) => failures.push(f),
    });
    m2.observeDrift({ severity: 3, psi: 0.3 });
    await m2.flush();
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ target: 'webhook', attempts: 2, status: 500 });
    expect(bad.received).toHaveLength(2);
  });
});
