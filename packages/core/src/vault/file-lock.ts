import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { LockedError, StorageError } from '../errors/index.js';

/** What a lock file holds. */
interface LockContent {
  pid: number;
  host: string;
  nonce: string;
  createdAt: string;
}

/** A held lock: `release()` removes the lock file if it is still ours. */
export interface FileLock {
  /** The lock file's path. */
  readonly path: string;
  release(): Promise<void>;
}

function errno(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error
    ? String((error as { code: unknown }).code)
    : undefined;
}

function parseLock(text: string): LockContent | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockContent>;
    if (typeof v.pid === 'number' && Number.isInteger(v.pid) && v.pid > 0 && typeof v.host === 'string') {
      return { pid: v.pid, host: v.host, nonce: String(v.nonce ?? ''), createdAt: String(v.createdAt ?? '') };
    }
  } catch {
    // fall through
  }
  return undefined;
}

/** Whether a process with this pid exists on this host (EPERM: it exists but is not ours). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errno(error) !== 'ESRCH';
  }
}

async function readLockText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined;
    throw new StorageError(`cannot read the lock file ${path}`, { cause: error });
  }
}

/**
 * Publishes a complete lock file atomically: the content is written to a private temp file, then
 * hard-linked to `path` (link(2) fails with EEXIST exactly like O_EXCL, and never exposes a
 * half-written lock). Filesystems without hard links fall back to `open(path, 'wx')`.
 */
async function tryCreate(path: string, content: string): Promise<boolean> {
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', 0o644);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(tmp, path);
    return true;
  } catch (error) {
    const code = errno(error);
    if (code === 'EEXIST') return false;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV') {
      try {
        const h = await open(path, 'wx', 0o644);
        await h.writeFile(content);
        await h.close();
        return true;
      } catch (e) {
        if (errno(e) === 'EEXIST') return false;
        throw e;
      }
    }
    throw error;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/**
 * Moves a lock judged stale out of the way, but only if it is still the same lock: it is renamed
 * to a unique name first, then compared with what was judged stale. If another process replaced it
 * in between, it is put back and the caller sees the lock as held.
 */
async function takeOverStale(path: string, staleText: string): Promise<boolean> {
  const aside = `${path}.stale.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (errno(error) === 'ENOENT') return true; // someone else removed it; just retry
    throw error;
  }
  const moved = await readLockText(aside);
  if (moved !== staleText) {
    // We moved a fresh lock: restore it unless yet another one appeared.
    await link(aside, path).catch(() => undefined);
    await unlink(aside).catch(() => undefined);
    return false;
  }
  await unlink(aside).catch(() => undefined);
  return true;
}

/**
 * @internal Takes the exclusive lock file `path` for this process: a JSON file holding the pid,
 * host and a nonce. A lock left by a dead process on this host (the pid no longer exists) is taken
 * over; a live one, one from another host, or an unreadable one throws `LockedError`. Pid reuse
 * can make a stale lock look alive; remove it by hand then.
 */
export async function acquireFileLock(path: string): Promise<FileLock> {
  const content: LockContent = {
    pid: process.pid,
    host: hostname(),
    nonce: randomBytes(12).toString('hex'),
    createdAt: new Date().toISOString(),
  };
  const text = `${JSON.stringify(content)}\n`;
  for (let attempt = 0; attempt < 5; attempt++) {
    let created: boolean;
    try {
      created = await tryCreate(path, text);
    } catch (error) {
      throw new StorageError(`cannot create the lock file ${path}`, { cause: error });
    }
    if (created) return heldLock(path, text);
    const existing = await readLockText(path);
    if (existing === undefined) continue; // released meanwhile
    const holder = parseLock(existing);
    if (holder === undefined) {
      throw new LockedError(
        `${path} exists but is not a memgar lock file; remove it if no writer is running`,
        { resource: path },
      );
    }
    if (holder.host !== content.host) {
      throw new LockedError(`${path} is held by pid ${holder.pid} on host ${holder.host}`, {
        resource: path,
      });
    }
    if (holder.pid === process.pid || isAlive(holder.pid)) {
      throw new LockedError(`${path} is held by the running process ${holder.pid}`, { resource: path });
    }
    if (!(await takeOverStale(path, existing))) {
      throw new LockedError(`${path} was taken by another process`, { resource: path });
    }
  }
  throw new LockedError(`${path}: could not take the lock (contended)`, { resource: path });
}

function heldLock(path: string, text: string): FileLock {
  let released = false;
  return {
    path,
    async release() {
      if (released) return;
      released = true;
      // Remove only our own lock: a lock replaced by someone else is left alone.
      if ((await readLockText(path)) === text) await unlink(path).catch(() => undefined);
    },
  };
}
