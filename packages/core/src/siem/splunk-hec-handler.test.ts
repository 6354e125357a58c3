import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../errors/index.js';
import { analysisToOcsf } from './ocsf.js';
import { analysisEvent, type LoopbackHttpServer, startHttpServer } from './siem-test-kit.js';
import { createSplunkHecHandler, hecEndpoint } from './splunk-hec-handler.js';

let server: LoopbackHttpServer;
beforeEach(async () => {
  server = await startHttpServer();
});
afterEach(async () => {
  await server.close();
});

const fast = { retries: 3, initialDelayMs: 1, maxDelayMs: 5 };

describe('createSplunkHecHandler', () => {
  it('POSTs newline-joined HEC envelopes to /services/collector/event with the Splunk token', async () => {
    const h = createSplunkHecHandler({ url: server.url, token: 'tok-123', index: 'sec', batchSize: 2 });
    const events = [0, 1, 2].map((i) =>
      analysisToOcsf(analysisEvent('block'), { now: () => 1_700_000_000_000 + i }),
    );
    for (const e of events) h.send(e);
    await h.close();
    expect(server.requests).toHaveLength(2);
    const [first, second] = server.requests;
    expect(first).toMatchObject({ method: 'POST', url: '/services/collector/event' });
    expect(first!.headers.authorization).toBe('Splunk tok-123');
    expect(first!.headers['content-type']).toBe('application/json');
    const lines = first!.body.split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({
      time: 1_700_000_000,
      source: 'memgar',
      sourcetype: 'ocsf:detection_finding',
      index: 'sec',
      event: JSON.parse(JSON.stringify(events[0])),
    });
    expect(lines[1].time).toBe(1_700_000_000.001);
    expect(second!.body.split('\n')).toHaveLength(1);
    expect(h.stats()).toMatchObject({ sent: 3, failed: 0 });
  });

  it('retries after 500s and succeeds', async () => {
    server.reply = (_r, i) => (i < 2 ? 500 : 200);
    const h = createSplunkHecHandler({ url: server.url, token: 't', retry: fast });
    h.send({ n: 1 });
    await h.flush();
    expect(server.requests).toHaveLength(3);
    expect(new Set(server.requests.map((r) => r.body)).size).toBe(1);
    expect(h.stats()).toMatchObject({ sent: 1, failed: 0, retries: 2 });
  });

  it('does not retry a 403 (bad token) and reports it', async () => {
    server.reply = () => 403;
    const errors: unknown[] = [];
    const h = createSplunkHecHandler({
      url: server.url,
      token: 'bad',
      retry: fast,
      onError: (e) => errors.push(e),
    });
    h.send({ n: 1 });
    await h.flush();
    expect(server.requests).toHaveLength(1);
    expect(h.stats()).toMatchObject({ sent: 0, failed: 1 });
    expect(errors[0]).toMatchObject({
      name: 'SiemDeliveryError',
      status: 403,
      retryable: false,
      code: 'STORAGE_FAILED',
    });
  });

  it('drops and counts events while the collector hangs and the queue is full', async () => {
    server.reply = () => 'hold';
    const h = createSplunkHecHandler({ url: server.url, token: 't', batchSize: 1, maxQueueSize: 2 });
    h.send({ n: 0 });
    await server.waitFor(1);
    for (let n = 1; n < 6; n++) h.send({ n });
    expect(h.stats()).toMatchObject({ inFlight: 1, queued: 2, dropped: 3 });
    server.reply = () => 200;
    server.release();
    await h.flush();
    expect(server.requests.map((r) => JSON.parse(r.body).event.n)).toEqual([0, 1, 2]);
    expect(h.stats()).toMatchObject({ sent: 3, dropped: 3 });
  });

  it('counts a batch as failed when the collector is unreachable', async () => {
    const url = server.url;
    await server.close();
    const h = createSplunkHecHandler({ url, token: 't', retry: { retries: 1, initialDelayMs: 1 } });
    h.send({ n: 1 });
    await h.flush();
    expect(h.stats()).toMatchObject({ failed: 1, retries: 1 });
    server = await startHttpServer();
  });

  it('keeps an explicit collector path and validates options', () => {
    expect(hecEndpoint('https://splunk:8088')).toBe('https://splunk:8088/services/collector/event');
    expect(hecEndpoint('https://splunk:8088/services/collector')).toBe(
      'https://splunk:8088/services/collector',
    );
    expect(() => createSplunkHecHandler({ url: 'nope', token: 't' })).toThrow(InvalidOptionError);
    expect(() => createSplunkHecHandler({ url: server.url, token: '' })).toThrow(/token/);
  });
});
