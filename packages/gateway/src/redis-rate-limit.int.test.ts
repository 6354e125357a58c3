// Two gateway instances sharing one rate limit through a real redis-server (Debian's 7.0) on
// 127.0.0.1 and a free port, started for this file (persistence off, temp working dir) and stopped after.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeUpstream, startUpstream } from '../test/fake-upstream.js';
import { BENIGN, CLIENT_KEY, UPSTREAM_KEY } from '../test/helpers.js';
import { type GatewayHandle, redisRateLimitStore, startGateway } from './index.js';

async function freePort(): Promise<number> {
  const s = createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

let redis: ChildProcess;
let dir: string;
let port: number;
let up: FakeUpstream;
const clients: ReturnType<typeof createClient>[] = [];
const gateways: GatewayHandle[] = [];

beforeAll(async () => {
  port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'memgar-gateway-redis-'));
  redis = spawn('redis-server', [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    dir,
  ]);
  let log = '';
  await new Promise<void>((resolve, reject) => {
    redis.stdout?.on('data', (d: Buffer) => {
      log += d.toString();
      if (log.includes('Ready to accept connections')) resolve();
    });
    redis.once('error', (e) =>
      reject(
        new Error(`cannot run redis-server (packages/redis/scripts/ci-setup.sh installs it): ${e.message}`),
      ),
    );
    redis.once('exit', (code) => reject(new Error(`redis-server exited with ${code}: ${log}`)));
  });
  up = await startUpstream();
  for (let i = 0; i < 2; i++) {
    const client = createClient({ url: `redis://127.0.0.1:${port}` });
    client.on('error', () => {}); // reconnect noise when the server is stopped below
    await client.connect();
    clients.push(client);
    gateways.push(
      await startGateway({
        port: 0,
        upstreamBaseUrl: up.url,
        allowedUpstreamHosts: ['127.0.0.1'],
        allowPrivateUpstreams: ['127.0.0.1'],
        keys: [
          {
            name: 'team-a',
            clientKey: CLIENT_KEY,
            upstreamKey: UPSTREAM_KEY,
            rateLimit: { requestsPerMinute: 6, burst: 3 },
          },
        ],
        rateLimitStore: redisRateLimitStore(client, { prefix: `test:${port}:` }),
      }),
    );
  }
}, 60_000);

afterAll(async () => {
  for (const g of gateways) await g.close();
  for (const c of clients) await c.disconnect().catch(() => {});
  await up?.close();
  if (redis?.exitCode === null) {
    const exited = once(redis, 'exit');
    redis.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

const ask = (g: GatewayHandle) =>
  new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${g.url}/v1`, maxRetries: 0 }).chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: BENIGN }] })
    .then(
      () => 200,
      (e: { status?: number }) => e.status,
    );

describe('rate limit shared through Redis', () => {
  it('two gateway instances enforce one bucket per key', async () => {
    const [a, b] = gateways as [GatewayHandle, GatewayHandle];
    const statuses = [await ask(a), await ask(b), await ask(a), await ask(b), await ask(a)];
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(up.requests).toHaveLength(3);
    const keys = await clients[0]?.keys(`test:${port}:*`);
    expect(keys).toEqual([`test:${port}:team-a`]);
    const ttl = await clients[0]?.pTTL(`test:${port}:team-a`);
    expect(ttl).toBeGreaterThan(0);
  });

  it('fails closed (503) when Redis is gone', async () => {
    const exited = once(redis, 'exit');
    redis.kill('SIGTERM');
    await exited;
    expect(await ask(gateways[0] as GatewayHandle)).toBe(503);
  });
});
