import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LockedError } from '../errors/index.js';
import { acquireFileLock } from './file-lock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'memgar-lock-'));
  dirs.push(dir);
  return dir;
}

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  expect(r.status).toBe(0);
  return r.pid!;
}

async function lockedError(path: string): Promise<LockedError> {
  const e = await acquireFileLock(path).catch((x: unknown) => x);
  expect(LockedError.isInstance(e)).toBe(true);
  return e as LockedError;
}

describe('acquireFileLock', () => {
  it('creates a lock file with our pid and host, refuses a second taker, releases', async () => {
    const path = join(tempDir(), 'x.lock');
    const lock = await acquireFileLock(path);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    expect((await lockedError(path)).resource).toBe(path);
    await lock.release();
    expect(existsSync(path)).toBe(false);
    const again = await acquireFileLock(path);
    await again.release();
  });

  it('takes over a lock left by a dead process, and leaves no temp files behind', async () => {
    const dir = tempDir();
    const path = join(dir, 'x.lock');
    const pid = deadPid();
    writeFileSync(path, JSON.stringify({ pid, host: hostname(), nonce: 'n', createdAt: 'then' }));
    const lock = await acquireFileLock(path);
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    expect(readdirSync(dir)).toEqual(['x.lock']);
    await lock.release();
  });

  it('refuses a live holder, a holder on another host and an unreadable lock file', async () => {
    const path = join(tempDir(), 'x.lock');
    // The parent of this worker is alive.
    writeFileSync(path, JSON.stringify({ pid: process.ppid, host: hostname(), nonce: 'n' }));
    expect((await lockedError(path)).message).toContain(`process ${process.ppid}`);
    writeFileSync(path, JSON.stringify({ pid: deadPid(), host: 'elsewhere.example', nonce: 'n' }));
    expect((await lockedError(path)).message).toContain('elsewhere.example');
    writeFileSync(path, '');
    expect((await lockedError(path)).message).toContain('not a memgar lock file');
    expect(existsSync(path)).toBe(true);
  });

  it('release leaves a lock that someone else replaced', async () => {
    const path = join(tempDir(), 'x.lock');
    const lock = await acquireFileLock(path);
    const foreign = JSON.stringify({ pid: 1, host: hostname(), nonce: 'other' });
    writeFileSync(path, foreign);
    await lock.release();
    expect(readFileSync(path, 'utf8')).toBe(foreign);
  });
});
