/**
 * An exclusive, advisory writer lock: a lock file created with `O_EXCL` that names its holder
 * (pid, host, a random token). A lock left by a process that no longer runs (same host) is taken
 * over; any other existing lock is a `LockedError`.
 */
import { randomUUID } from 'node:crypto';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { LockedError } from '../errors/locked-error.js';
import { StorageError } from '../errors/storage-error.js';

/** What a lock file holds. */
export interface LockInfo {
  pid: number;
  hostname: string;
  /** Random: tells this holder from a later one with the same pid. */
  token: string;
  /** ISO time the lock was taken. */
  createdAt: string;
}

/** A held lock. */
export interface FileLock {
  /** The lock file. */
  readonly path: string;
  readonly info: LockInfo;
  /** Removes the lock file if it is still this holder's. Idempotent. */
  release(): Promise<void>;
}

function errorCode(e: unknown): string | undefined {
  return typeof e === 'object' && e !== null ? (e as { code?: string }).code : undefined;
}

/** Whether a process with this pid runs on this host (`EPERM`: it runs, as another user). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errorCode(e) === 'EPERM';
  }
}

function parseLock(text: string): LockInfo | null {
  try {
    const v = JSON.parse(text) as Partial<LockInfo> | null;
    if (
      typeof v === 'object' &&
      v !== null &&
      typeof v.pid === 'number' &&
      typeof v.hostname === 'string' &&
      typeof v.token === 'string'
    ) {
      return v as LockInfo;
    }
  } catch {
    // not JSON
  }
  return null;
}

/** The lock file's text, or `null` when there is none. */
async function readLockText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if (errorCode(e) === 'ENOENT') return null;
    throw new StorageError(`cannot read lock file ${path}`, { cause: e });
  }
}

/** Creates `path` with `O_EXCL`; false when it exists. */
async function createExclusive(path: string, text: string): Promise<boolean> {
  try {
    await writeFile(path, text, { flag: 'wx' });
    return true;
  } catch (e) {
    if (errorCode(e) === 'EEXIST') return false;
    throw new StorageError(`cannot create lock file ${path}`, { cause: e });
  }
}

async function unlinkIfExists(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (e) {
    if (errorCode(e) !== 'ENOENT') throw new StorageError(`cannot remove lock file ${path}`, { cause: e });
  }
}

/** Why a lock is not free: a `LockedError`, or null when its holder is gone (stale). */
function heldError(path: string, text: string, resource: string): LockedError | null {
  const holder = parseLock(text);
  if (holder === null) {
    return new LockedError(
      `${resource} is locked by ${path}, which cannot be read (a writer may be starting up; if no process uses the store, delete the lock file)`,
      { resource },
    );
  }
  if (holder.hostname !== hostname()) {
    return new LockedError(
      `${resource} is locked by pid ${holder.pid} on host ${holder.hostname} (${path}); a lock from another host is never taken over`,
      { resource },
    );
  }
  if (isProcessAlive(holder.pid)) {
    return new LockedError(`${resource} is locked by running process ${holder.pid} (${path})`, { resource });
  }
  return null;
}

/**
 * Takes the exclusive lock `path` for `resource`, or throws `LockedError` when a live process (or
 * one on another host, or an unreadable lock file) holds it. A lock whose pid no longer runs on
 * this host is taken over. Two processes taking over the same stale lock are serialised by a
 * second, short-lived `O_EXCL` file (`<path>.takeover`), so only one of them wins.
 */
export async function acquireFileLock(path: string, resource: string): Promise<FileLock> {
  const info: LockInfo = {
    pid: process.pid,
    hostname: hostname(),
    token: randomUUID(),
    createdAt: new Date().toISOString(),
  };
  const text = `${JSON.stringify(info)}\n`;
  // A few rounds: the lock may vanish (released) or be taken over between our steps.
  for (let round = 0; round < 4; round++) {
    if (await createExclusive(path, text)) return heldLock(path, info);
    const current = await readLockText(path);
    if (current === null) continue; // released meanwhile: try again
    const held = heldError(path, current, resource);
    if (held !== null) throw held;
    if (await takeOver(path, current, text, resource)) return heldLock(path, info);
  }
  throw new LockedError(`${resource} is locked (${path}): the lock kept changing hands`, { resource });
}

/**
 * Replaces the stale lock `path` (whose text was `stale`) with ours, under `<path>.takeover`.
 * Returns false when the lock changed meanwhile (the caller looks again).
 */
async function takeOver(path: string, stale: string, text: string, resource: string): Promise<boolean> {
  const mutex = `${path}.takeover`;
  if (!(await createExclusive(mutex, text))) {
    // Another process is taking over right now, or died doing so.
    const other = await readLockText(mutex);
    if (other === null) return false;
    const held = heldError(mutex, other, resource);
    if (held !== null) throw held;
    const again = await readLockText(mutex);
    if (again === other) await unlinkIfExists(mutex);
    return false;
  }
  try {
    // Still the same stale lock? Then no one else replaced it while we got the mutex.
    if ((await readLockText(path)) !== stale) return false;
    await unlinkIfExists(path);
    return await createExclusive(path, text);
  } finally {
    await unlinkIfExists(mutex);
  }
}

function heldLock(path: string, info: LockInfo): FileLock {
  let released = false;
  return {
    path,
    info,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      const current = await readLockText(path);
      if (current !== null && parseLock(current)?.token === info.token) await unlinkIfExists(path);
    },
  };
}
