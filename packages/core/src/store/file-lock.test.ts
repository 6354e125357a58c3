import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LockedError } from '../errors/index.js';
import { acquireFileLock, isProcessAlive, type LockInfo } from './file-lock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function lockPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'memgar-lock-'));
  dirs.push(dir);
  return join(dir, 'store.jsonl.lock');
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  expect(r.status).toBe(0);
  expect(isProcessAlive(r.pid!)).toBe(false);
  return r.pid!;
}

function lockText(info: Partial<LockInfo>): string {
  return JSON.stringify({ hostname: hostname(), token: 'other', createdAt: '2024-01-01T00:00:00Z', ...info });
}

async function lockedError(path: string): Promise<LockedError> {
  const err = await acquireFileLock(path, 'the store').catch((e: unknown) => e);
  expect(LockedError.isInstance(err)).toBe(true);
  return err as LockedError;
}

describe('acquireFileLock', () => {
  it('creates the lock file with our pid, host and a token, and release removes it', async () => {
    const path = lockPath();
    const lock = await acquireFileLock(path, 'the store');
    const info = JSON.parse(readFileSync(path, 'utf8')) as LockInfo;
    expect(info).toMatchObject({ pid: process.pid, hostname: hostname(), token: lock.info.token });
    await lock.release();
    expect(existsSync(path)).toBe(false);
    await lock.release();
  });

  it('refuses a lock held by a live process (here: this one)', async () => {
    const path = lockPath();
    const lock = await acquireFileLock(path, 'the store');
    const err = await lockedError(path);
    expect(err.resource).toBe('the store');
    expect(err.message).toMatch(new RegExp(`running process ${process.pid}`));
    await lock.release();
  });

  it('takes over a lock whose process is gone', async () => {
    const path = lockPath();
    const pid = deadPid();
    writeFileSync(path, lockText({ pid }));
    const lock = await acquireFileLock(path, 'the store');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({
      pid: process.pid,
      token: lock.info.token,
    });
    expect(existsSync(`${path}.takeover`)).toBe(false);
    await lock.release();
  });

  it('never takes over a lock from another host or one it cannot read', async () => {
    const path = lockPath();
    writeFileSync(path, lockText({ pid: deadPid(), hostname: `not-${hostname()}` }));
    expect((await lockedError(path)).message).toMatch(/another host/);
    writeFileSync(path, '');
    expect((await lockedError(path)).message).toMatch(/cannot be read/);
    writeFileSync(path, '{"pid":');
    await lockedError(path);
    expect(existsSync(path)).toBe(true);
  });

  it('waits out a takeover in progress by a live process, and clears one left by a dead process', async () => {
    const path = lockPath();
    writeFileSync(path, lockText({ pid: deadPid() }));
    writeFileSync(`${path}.takeover`, lockText({ pid: process.pid }));
    expect((await lockedError(path)).message).toMatch(/takeover/);
    writeFileSync(`${path}.takeover`, lockText({ pid: deadPid() }));
    const lock = await acquireFileLock(path, 'the store');
    expect(existsSync(`${path}.takeover`)).toBe(false);
    await lock.release();
  });

  it('release leaves alone a lock that is no longer ours', async () => {
    const path = lockPath();
    const lock = await acquireFileLock(path, 'the store');
    const other = lockText({ pid: process.pid, token: 'someone-else' });
    writeFileSync(path, other);
    await lock.release();
    expect(readFileSync(path, 'utf8')).toBe(other);
  });

  it('one of several concurrent takeovers of a stale lock wins, the others get LockedError', async () => {
    const path = lockPath();
    writeFileSync(path, lockText({ pid: deadPid() }));
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => acquireFileLock(path, 's')));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(LockedError.isInstance(r.reason)).toBe(true);
    }
  });
});

describe('isProcessAlive', () => {
  it('tells a running process from a gone one', () => {
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(isProcessAlive(deadPid())).toBe(false);
    expect(isProcessAlive(0)).toBe(false);
    expect(isProcessAlive(-1)).toBe(false);
  });
});
