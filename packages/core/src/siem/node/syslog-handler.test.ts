import { createSocket } from 'node:dgram';
import { type AddressInfo, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../errors/index.js';
import { analysisToOcsf } from '../ocsf.js';
import { analysisEvent, parseSyslog5424, splitOctetCounted } from '../siem-test-kit.js';
import { createSyslogHandler } from './syslog-handler.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function udpServer() {
  const messages: string[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const s = createSocket('udp4');
  s.on('message', (m) => {
    messages.push(m.toString('utf8'));
    for (const w of waiters) if (messages.length >= w.n) w.resolve();
  });
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => s.close(() => r())));
  return {
    port: (s.address() as AddressInfo).port,
    messages,
    waitFor: (n: number) =>
      new Promise<void>((resolve) => (messages.length >= n ? resolve() : waiters.push({ n, resolve }))),
  };
}

async function tcpServer() {
  const messages: string[] = [];
  const sockets = new Set<Socket>();
  let connections = 0;
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = createServer((sock) => {
    connections++;
    sockets.add(sock);
    let buf: Buffer = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      const split = splitOctetCounted(Buffer.concat([buf, d]));
      buf = split.rest;
      messages.push(...split.messages);
      for (const w of waiters) if (messages.length >= w.n) w.resolve();
    });
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  );
  return {
    port: (server.address() as AddressInfo).port,
    messages,
    connections: () => connections,
    dropClients: () => {
      for (const s of sockets) s.destroy();
    },
    waitFor: (n: number) =>
      new Promise<void>((resolve) => (messages.length >= n ? resolve() : waiters.push({ n, resolve }))),
  };
}

describe('createSyslogHandler (UDP)', () => {
  it('sends one RFC 5424 datagram per event', async () => {
    const srv = await udpServer();
    const h = createSyslogHandler({
      port: srv.port,
      hostname: 'agent-host',
      appName: 'my-agent',
      facility: 4,
    });
    h.send(analysisToOcsf(analysisEvent('block')));
    h.send(analysisToOcsf(analysisEvent('sanitize')));
    await h.flush();
    await srv.waitFor(2);
    const parsed = srv.messages.map(parseSyslog5424).sort((a, b) => a.msgId.localeCompare(b.msgId));
    expect(parsed.map((p) => [p.facility, p.severity, p.msgId, p.hostname, p.appName])).toEqual([
      [4, 2, 'block', 'agent-host', 'my-agent'],
      [4, 2, 'sanitize', 'agent-host', 'my-agent'],
    ]);
    expect(parsed[0]!.procId).toBe(String(process.pid));
    expect(JSON.parse(parsed[0]!.msg).class_uid).toBe(2004);
    expect(h.stats()).toMatchObject({ sent: 2, failed: 0 });
    await h.close();
  });

  it('does not send (and counts as failed) a message over maxMessageBytes', async () => {
    const srv = await udpServer();
    const h = createSyslogHandler({ port: srv.port, maxMessageBytes: 600, retry: { retries: 0 } });
    h.send({ decision: 'block', pad: 'x'.repeat(1000) });
    h.send({ decision: 'block' });
    await h.close();
    await srv.waitFor(1);
    expect(srv.messages).toHaveLength(1);
    expect(h.stats()).toMatchObject({ sent: 1, failed: 1 });
  });
});

describe('createSyslogHandler (TCP)', () => {
  it('writes octet-counted frames on one connection and reconnects after the collector drops it', async () => {
    const srv = await tcpServer();
    const h = createSyslogHandler({
      protocol: 'tcp',
      port: srv.port,
      batchSize: 10,
      retry: { initialDelayMs: 1 },
    });
    for (let i = 0; i < 3; i++)
      h.send({
        decision: 'block',
        riskScore: 90 + i,
        timestamp: '2026-01-01T00:00:00.000Z',
        note: 'é ünïcode',
      });
    await h.flush();
    await srv.waitFor(3);
    expect(srv.messages.map((m) => parseSyslog5424(m).params.risk)).toEqual(['90', '91', '92']);
    expect(JSON.parse(parseSyslog5424(srv.messages[0]!).msg).note).toBe('é ünïcode');
    expect(srv.connections()).toBe(1);

    srv.dropClients();
    // The next batch may hit the dead socket first; the retry opens a new connection.
    for (let attempt = 0; srv.messages.length < 4 && attempt < 20; attempt++) {
      h.send({ decision: 'quarantine' });
      await h.flush();
      await new Promise((r) => setImmediate(r));
    }
    await srv.waitFor(4);
    expect(srv.connections()).toBeGreaterThanOrEqual(2);
    expect(parseSyslog5424(srv.messages.at(-1)!).msgId).toBe('quarantine');
    await h.close();
  });

  it('fails a batch after its retries when nothing listens', async () => {
    const srv = await tcpServer();
    const port = srv.port;
    for (const c of cleanups.splice(0)) await c();
    const errors: unknown[] = [];
    const h = createSyslogHandler({
      protocol: 'tcp',
      port,
      retry: { retries: 2, initialDelayMs: 1 },
      onError: (e) => errors.push(e),
    });
    h.send({ decision: 'block' });
    await h.close();
    expect(h.stats()).toMatchObject({ failed: 1, retries: 2 });
    expect(errors[0]).toMatchObject({ name: 'SiemDeliveryError' });
  });

  it('rejects bad options', () => {
    expect(() => createSyslogHandler({ protocol: 'tls' as never })).toThrow(InvalidOptionError);
    expect(() => createSyslogHandler({ port: 0 })).toThrow(/port/);
    expect(() => createSyslogHandler({ hots: 'x' } as never)).toThrow(/hots/);
  });
});
