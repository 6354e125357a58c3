import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, type CliRun, cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'memgar-cli-feed-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(tmp, `case-${++n}`);

/** The sample feed, signed with the pinned key, and a time inside its window. */
const SAMPLE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'examples',
  'threat-feed',
  'feed.json',
);
const SAMPLE_AT = '2026-11-23T00:00:00Z';

/** A cache directory under tmp for every run: tests never touch the real ~/.cache. */
const env = { MEMGAR_FEED_CACHE_DIR: join(tmp, 'default-cache'), MEMGAR_FEED_ENABLED: '' };
const run = (args: string[], cwd = tmp): CliRun => cli(args, { cwd, env });

/** Like `cli`, but without blocking this process (the loopback server must answer). */
function cliAsync(args: string[], cwd = tmp): Promise<CliRun> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => done({ status, stdout, stderr }));
    child.stdin.end();
  });
}

const iso = (t: number): string => new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** keygen + an unsigned feed from the sample's rules, issued an hour ago. */
function setup(version = 1): { dir: string; content: string } {
  const dir = fresh();
  expect(run(['feed', 'keygen', dir]).status).toBe(0);
  const sample = JSON.parse(readFileSync(SAMPLE, 'utf8')) as Record<string, unknown>;
  const content = join(dir, `content-${version}.json`);
  writeFileSync(
    content,
    JSON.stringify({
      version,
      issuedAt: iso(Date.now() - 3_600_000),
      expiresAt: iso(Date.now() + 30 * 86_400_000),
      rules: sample.rules,
      signals: sample.signals,
    }),
  );
  return { dir, content };
}

function sign(dir: string, content: string, out: string): void {
  const r = run(['feed', 'sign', content, '--key', 'feed.key', '--out', out], dir);
  expect(r.status, r.stderr).toBe(0);
}

describe('memgar feed keygen / sign / verify (built CLI)', () => {
  it('keygen writes feed.key (0600) and feed.pub and refuses to overwrite without --force', () => {
    const dir = fresh();
    const r = run(['feed', 'keygen', dir, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { keyId: string; privateKey: string; publicKey: string };
    expect(out.keyId).toMatch(/^[0-9a-f]{32}$/);
    expect(readFileSync(out.privateKey, 'utf8')).toContain('BEGIN PRIVATE KEY');
    expect(readFileSync(out.publicKey, 'utf8')).toContain('BEGIN PUBLIC KEY');
    expect(statSync(out.privateKey).mode & 0o777).toBe(0o600);
    expect(run(['feed', 'keygen', dir]).status).toBe(2);
    expect(run(['feed', 'keygen', dir, '--force']).status).toBe(0);
  });

  it('verifies the sample feed with the pinned key (no --key), and refuses an edited copy with exit 4', () => {
    const ok = run(['feed', 'verify', SAMPLE, '--at', SAMPLE_AT]);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      /valid: version 1, 3 rule\(s\), signed by key 67042528c9ae8b4889f74942323e1856 \(pinned\)/,
    );
    const edited = `${fresh()}.json`;
    writeFileSync(edited, readFileSync(SAMPLE, 'utf8').replace('"weight": 0.8', '"weight": 0.1'));
    const bad = run(['feed', 'verify', edited, '--at', SAMPLE_AT, '--json']);
    expect(bad.status).toBe(4);
    expect(JSON.parse(bad.stdout)).toMatchObject({
      valid: false,
      reason: 'bad-signature',
      code: 'INTEGRITY_FAILED',
    });
    const late = run(['feed', 'verify', SAMPLE, '--at', '2026-12-15T00:00:00Z']);
    expect([late.status, late.stdout]).toEqual([4, expect.stringContaining('REFUSED (stale)')]);
    expect(
      run(['feed', 'verify', SAMPLE, '--at', '2026-12-15T00:00:00Z', '--max-age-days', '30']).status,
    ).toBe(0);
  });

  it('signs with a new key; the feed verifies only with that key trusted (rotation)', () => {
    const { dir, content } = setup();
    const signed = join(dir, 'feed.json');
    sign(dir, content, signed);
    const unknown = run(['feed', 'verify', signed]);
    expect([unknown.status, unknown.stdout]).toEqual([4, expect.stringContaining('REFUSED (unknown-key)')]);
    const ok = run(['feed', 'verify', signed, '--key', join(dir, 'feed.pub'), '--json']);
    expect(ok.status, ok.stdout).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, version: 1, pinnedKey: false });
    // Tampered version and dates break the signature.
    const doc = JSON.parse(readFileSync(signed, 'utf8')) as Record<string, unknown>;
    for (const edit of [{ version: 2 }, { expiresAt: '2099-01-01T00:00:00Z' }]) {
      const path = join(dir, 'edited.json');
      writeFileSync(path, JSON.stringify({ ...doc, ...edit }));
      expect(run(['feed', 'verify', path, '--key', join(dir, 'feed.pub')]).status).toBe(4);
    }
  });

  it('refuses to sign a feed with a catastrophic pattern or a colliding id (exit 4), and a public key (exit 2)', () => {
    const { dir, content } = setup();
    const c = JSON.parse(readFileSync(content, 'utf8')) as { rules: Record<string, unknown>[] };
    writeFileSync(
      join(dir, 'redos.json'),
      JSON.stringify({ ...c, rules: [{ ...c.rules[0], pattern: '<important>(a+)+$' }] }),
    );
    const redos = run(['feed', 'sign', 'redos.json', '--key', 'feed.key'], dir);
    expect([redos.status, redos.stderr]).toEqual([4, expect.stringContaining('INVALID_PATTERN')]);
    writeFileSync(
      join(dir, 'clash.json'),
      JSON.stringify({ ...c, rules: [{ ...c.rules[0], id: 'MG-EXF-001' }] }),
    );
    expect(run(['feed', 'sign', 'clash.json', '--key', 'feed.key'], dir).status).toBe(4);
    expect(run(['feed', 'sign', content, '--key', 'feed.pub'], dir).status).toBe(2);
    expect(run(['feed', 'sign', 'missing.json', '--key', 'feed.key'], dir).status).toBe(2);
    expect(run(['feed', 'verify', 'missing.json'], dir).status).toBe(2);
    expect(run(['feed', 'verify', content, '--at', 'yesterday'], dir).status).toBe(2);
  });
});

describe('memgar feed sync (built CLI)', () => {
  let server: Server;
  let base: string;
  let body = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/feed.json') res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('syncs from a loopback HTTP server into --cache-dir; a rollback is refused (exit 4)', async () => {
    const { dir, content } = setup(2);
    sign(dir, content, join(dir, 'v2.json'));
    body = readFileSync(join(dir, 'v2.json'), 'utf8');
    const cache = join(dir, 'cache');
    const r = await cliAsync([
      'feed',
      'sync',
      '--from',
      `${base}/feed.json`,
      '--cache-dir',
      cache,
      '--key',
      join(dir, 'feed.pub'),
      '--json',
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      synced: true,
      changed: true,
      version: 2,
      previousVersion: 0,
    });
    expect(readFileSync(join(cache, 'feed.json'), 'utf8')).toBe(body);

    const older = setup(1);
    writeFileSync(join(dir, 'content-1.json'), readFileSync(older.content));
    sign(dir, join(dir, 'content-1.json'), join(dir, 'v1.json'));
    body = readFileSync(join(dir, 'v1.json'), 'utf8');
    const back = await cliAsync([
      'feed',
      'sync',
      '--from',
      `${base}/feed.json`,
      '--cache-dir',
      cache,
      '--key',
      join(dir, 'feed.pub'),
    ]);
    expect([back.status, back.stderr]).toEqual([4, expect.stringContaining('(rolled-back)')]);
    expect(JSON.parse(readFileSync(join(cache, 'feed.json'), 'utf8')).version).toBe(2);
  });

  it('an unreachable source exits 3, and the analyzer then reports the feed degraded (memgar health)', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const cache = join(fresh(), 'cache');
    const r = await cliAsync([
      'feed',
      'sync',
      '--from',
      `http://127.0.0.1:${port}/feed.json`,
      '--cache-dir',
      cache,
      '--timeout',
      '2000',
    ]);
    expect([r.status, r.stderr]).toEqual([3, expect.stringContaining('(unreachable)')]);
    expect((await cliAsync(['feed', 'sync', '--from', `${base}/nope`, '--cache-dir', cache])).status).toBe(3);
    expect((await cliAsync(['feed', 'sync', '--from', 'missing.json', '--cache-dir', cache])).status).toBe(3);
    const health = cli(['health', '--json'], {
      cwd: tmp,
      env: { MEMGAR_FEED_ENABLED: 'true', MEMGAR_FEED_CACHE_DIR: cache },
    });
    expect(health.status).toBe(1);
    const report = JSON.parse(health.stdout) as {
      subsystems: Record<string, { status: string; detail: string }>;
    };
    expect(report.subsystems.feed?.status).toBe('degraded');
    expect(report.subsystems.feed?.detail).toMatch(/unreachable/);
  });

  it('syncs the sample file and a tampered copy is refused without replacing the cache', async () => {
    const { dir, content } = setup(3);
    sign(dir, content, join(dir, 'v3.json'));
    const cache = join(dir, 'cache');
    const key = join(dir, 'feed.pub');
    expect(
      (await cliAsync(['feed', 'sync', '--from', 'v3.json', '--cache-dir', cache, '--key', key], dir)).status,
    ).toBe(0);
    const again = await cliAsync(
      ['feed', 'sync', '--from', 'v3.json', '--cache-dir', cache, '--key', key],
      dir,
    );
    expect([again.status, again.stdout]).toEqual([0, expect.stringContaining('already cached')]);
    writeFileSync(
      join(dir, 'v4.json'),
      readFileSync(join(dir, 'v3.json'), 'utf8').replace('"version": 3', '"version": 4'),
    );
    const bad = await cliAsync(
      ['feed', 'sync', '--from', 'v4.json', '--cache-dir', cache, '--key', key],
      dir,
    );
    expect([bad.status, bad.stderr]).toEqual([4, expect.stringContaining('(bad-signature)')]);
    expect(JSON.parse(readFileSync(join(cache, 'feed.json'), 'utf8')).version).toBe(3);
  });
});
