import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntegrityError, InvalidOptionError, StorageError } from '../errors/index.js';
import { feedFailureReason, syncFeed } from './feed-cache.js';
import { FEED_FILE, FEED_STATE_FILE, readFeedState } from './feed-cache-files.js';
import { makeFeed, tempDir, testKey } from './fixtures/feed-fixtures.js';
import { loadFeed } from './load-feed.js';

const { key, publicPem } = testKey();
const trustedKeys = [publicPem];
const tmp = tempDir('memgar-feed-cache-');
afterAll(() => tmp.cleanup());
let n = 0;
const fresh = (): string => join(tmp.dir, `c${++n}`);

function writeFeedFile(doc: unknown, name = `f${++n}.json`): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  return path;
}

/** Loopback server: /feed serves `body`, /404 answers 404, /hang never answers. */
let server: Server;
let base: string;
let body = '';
beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/feed') res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    else if (req.url === '/hang') return;
    else res.writeHead(404).end('not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function syncFails(
  options: Parameters<typeof syncFeed>[0],
): Promise<{ error: unknown; reason: string | undefined }> {
  try {
    await syncFeed(options);
  } catch (error) {
    return { error, reason: feedFailureReason(error) };
  }
  throw new Error('sync did not fail');
}

describe('syncFeed', () => {
  it('syncs from a file: verifies, caches, records the state; the cache then loads', async () => {
    const cacheDir = fresh();
    const from = writeFeedFile(makeFeed(key, { version: 2 }));
    const r = await syncFeed({ from, cacheDir, trustedKeys });
    expect([r.feed.version, r.previousVersion, r.changed]).toEqual([2, 0, true]);
    expect(readFileSync(join(cacheDir, FEED_FILE), 'utf8')).toBe(readFileSync(from, 'utf8'));
    expect(readFeedState(cacheDir)).toMatchObject({ highestVersion: 2, lastSync: { ok: true, from } });
    const again = await syncFeed({ from, cacheDir, trustedKeys });
    expect(again.changed).toBe(false);
    const load = loadFeed({ cacheDir, trustedKeys });
    expect([load.status, load.feed?.version]).toEqual(['ok', 2]);
  });

  it('syncs from a loopback HTTP server, and a newer version replaces the cached one', async () => {
    const cacheDir = fresh();
    body = JSON.stringify(makeFeed(key, { version: 1 }));
    expect((await syncFeed({ from: `${base}/feed`, cacheDir, trustedKeys })).feed.version).toBe(1);
    body = JSON.stringify(makeFeed(key, { version: 5 }));
    const r = await syncFeed({ from: `${base}/feed`, cacheDir, trustedKeys });
    expect([r.previousVersion, r.feed.version]).toEqual([1, 5]);
    expect(loadFeed({ cacheDir, trustedKeys }).feed?.version).toBe(5);
  });

  it('refuses a rollback (older version, or another feed with the same version) and keeps the cache', async () => {
    const cacheDir = fresh();
    await syncFeed({ from: writeFeedFile(makeFeed(key, { version: 4 })), cacheDir, trustedKeys });
    const cached = readFileSync(join(cacheDir, FEED_FILE), 'utf8');
    const older = await syncFails({
      from: writeFeedFile(makeFeed(key, { version: 3 })),
      cacheDir,
      trustedKeys,
    });
    expect([older.reason, IntegrityError.isInstance(older.error)]).toEqual(['rolled-back', true]);
    const same = await syncFails({
      from: writeFeedFile(makeFeed(key, { version: 4, rules: [] })),
      cacheDir,
      trustedKeys,
    });
    expect(same.reason).toBe('rolled-back');
    expect(readFileSync(join(cacheDir, FEED_FILE), 'utf8')).toBe(cached);
    // The failed sync is recorded: the analyzer reports the feed degraded but keeps the cached rules.
    const load = loadFeed({ cacheDir, trustedKeys });
    expect([load.status, load.feed?.version, load.status !== 'ok' && load.reason]).toEqual([
      'degraded',
      4,
      'rolled-back',
    ]);
  });

  it('an unreachable source (closed port, HTTP 404, timeout, missing file) throws StorageError and is recorded', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const cacheDir = fresh();
    for (const from of [
      `http://127.0.0.1:${port}/feed`,
      `${base}/404`,
      `${base}/hang`,
      join(tmp.dir, 'missing.json'),
    ]) {
      const f = await syncFails({ from, cacheDir, trustedKeys, timeoutMs: 300 });
      expect([f.reason, StorageError.isInstance(f.error)], from).toEqual(['unreachable', true]);
    }
    expect(readFeedState(cacheDir).lastSync).toMatchObject({ ok: false, reason: 'unreachable' });
    const load = loadFeed({ cacheDir, trustedKeys });
    expect([load.status, load.feed]).toEqual(['refused', undefined]);
    expect(load.detail).toMatch(/last sync from .* failed \(unreachable\)/);
  });

  it('refuses a tampered feed from the server and keeps the cached one', async () => {
    const cacheDir = fresh();
    body = JSON.stringify(makeFeed(key, { version: 1 }));
    await syncFeed({ from: `${base}/feed`, cacheDir, trustedKeys });
    body = JSON.stringify({ ...makeFeed(key, { version: 2 }), version: 3 });
    const f = await syncFails({ from: `${base}/feed`, cacheDir, trustedKeys });
    expect(f.reason).toBe('bad-signature');
    expect(loadFeed({ cacheDir, trustedKeys }).feed?.version).toBe(1);
  });

  it('refuses unsupported URL schemes and a missing source as options errors', async () => {
    await expect(syncFeed({ from: 'ftp://x/feed.json', cacheDir: fresh() })).rejects.toThrow(
      InvalidOptionError,
    );
    await expect(syncFeed({ from: '' })).rejects.toThrow(InvalidOptionError);
  });
});

describe('loadFeed: the cache is re-verified on every load', () => {
  it('refuses a cached feed edited between loads, a corrupt cache file, and a cache rolled back under the state', async () => {
    const cacheDir = fresh();
    await syncFeed({ from: writeFeedFile(makeFeed(key, { version: 2 })), cacheDir, trustedKeys });
    expect(loadFeed({ cacheDir, trustedKeys }).status).toBe('ok');
    const file = join(cacheDir, FEED_FILE);
    const good = readFileSync(file, 'utf8');

    writeFileSync(file, good.replace('"version": 2', '"version": 9'));
    expect(loadFeed({ cacheDir, trustedKeys })).toMatchObject({ status: 'refused', reason: 'bad-signature' });

    writeFileSync(file, good.slice(0, good.length / 2));
    expect(loadFeed({ cacheDir, trustedKeys })).toMatchObject({ status: 'refused', reason: 'malformed' });

    writeFileSync(file, JSON.stringify(makeFeed(key, { version: 1 })));
    expect(loadFeed({ cacheDir, trustedKeys })).toMatchObject({ status: 'refused', reason: 'rolled-back' });

    writeFileSync(file, good);
    expect(loadFeed({ cacheDir, trustedKeys })).toMatchObject({ status: 'ok' });
    // A state file that is not JSON reads as "nothing accepted yet"; the feed still verifies.
    writeFileSync(join(cacheDir, FEED_STATE_FILE), '{');
    expect(loadFeed({ cacheDir, trustedKeys }).status).toBe('ok');
  });

  it('reports an empty cache as missing, and verifies an in-memory document without the cache', () => {
    const cacheDir = fresh();
    const load = loadFeed({ cacheDir, trustedKeys });
    expect([load.status, load.status !== 'ok' && load.reason]).toEqual(['refused', 'missing']);
    expect(load.detail).toContain('memgar feed sync');
    expect(loadFeed({ document: makeFeed(key), trustedKeys }).status).toBe('ok');
    expect(loadFeed({ document: makeFeed(key) })).toMatchObject({ status: 'refused', reason: 'unknown-key' });
  });
});
