/**
 * Syncing the feed into the cache (Node-bound): fetch from a URL (with a timeout) or read a file,
 * verify, refuse rollbacks, and write the cache atomically. The analyzer never calls this; it
 * only reads what a sync left (see `load-feed.ts`).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { IntegrityError, InvalidOptionError, type MemgarError, StorageError } from '../errors/index.js';
import {
  defaultFeedCacheDir,
  FEED_FILE,
  FEED_STATE_FILE,
  type FeedCacheState,
  readCacheFile,
  readFeedState,
} from './feed-cache-files.js';
import { feedSigningPayload, parseFeedDocument } from './feed-document.js';
import {
  type FeedFailureReason,
  inspectFeed,
  type VerifiedFeed,
  type VerifyFeedOptions,
} from './verify-feed.js';

/** Options of `syncFeed`. */
export interface SyncFeedOptions extends Omit<VerifyFeedOptions, 'minVersion' | 'file' | 'reservedIds'> {
  /** Where to get the feed: an `http:`/`https:` URL or a file path. */
  from: string;
  /** The cache directory. @default `MEMGAR_FEED_CACHE_DIR`, else `~/.cache/memgar/feeds` */
  cacheDir?: string;
  /** Abort a fetch after this many milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Largest feed accepted, in bytes. @default 5_000_000 */
  maxBytes?: number;
}

/** The outcome of a successful `syncFeed`. */
export interface SyncFeedResult {
  feed: VerifiedFeed;
  /** The cache directory written. */
  cacheDir: string;
  /** The version cached before, 0 when none. */
  previousVersion: number;
  /** Whether the cached feed changed (false when the same feed was synced again). */
  changed: boolean;
}

async function atomicWrite(dir: string, name: string, text: string): Promise<void> {
  const tmp = join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, join(dir, name));
  } catch (error) {
    await rm(tmp, { force: true });
    throw new StorageError(`cannot write ${join(dir, name)}: ${(error as Error).message}`, { cause: error });
  }
}

async function readSource(from: string, timeoutMs: number, maxBytes: number): Promise<string> {
  if (/^https?:\/\//i.test(from)) {
    let res: Response;
    try {
      res = await fetch(from, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
    } catch (error) {
      const timedOut = (error as { name?: string }).name === 'TimeoutError';
      throw new StorageError(
        timedOut
          ? `feed source ${from} did not answer within ${timeoutMs} ms`
          : `feed source ${from} is unreachable: ${(error as Error).message}${(error as { cause?: { code?: string } }).cause?.code ? ` (${(error as { cause: { code: string } }).cause.code})` : ''}`,
        { cause: error },
      );
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new StorageError(`feed source ${from} answered HTTP ${res.status}`);
    }
    const text = await res.text();
    if (text.length > maxBytes)
      throw new StorageError(`feed source ${from} is larger than ${maxBytes} bytes`);
    return text;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(from) && !/^file:\/\//i.test(from)) {
    throw new InvalidOptionError(
      'from',
      `from: unsupported URL scheme in ${from} (http, https or a file path)`,
    );
  }
  const path = from.startsWith('file://') ? new URL(from) : resolve(from);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new StorageError(`cannot read feed file ${from}: ${(error as Error).message}`, { cause: error });
  }
  if (bytes.length > maxBytes) throw new StorageError(`feed file ${from} is larger than ${maxBytes} bytes`);
  return bytes.toString('utf8');
}

async function writeState(dir: string, state: FeedCacheState): Promise<void> {
  await atomicWrite(dir, FEED_STATE_FILE, `${JSON.stringify(state, null, 2)}\n`);
}

/**
 * Fetches (or reads) a feed, verifies it, and caches it when it is at least as new as what the
 * cache accepted before. A failure is recorded in the cache's `state.json` (the analyzer reports
 * it as a degraded `feed`), the cached feed is left as it was, and the typed error is thrown:
 * `StorageError` (unreachable source, I/O), `IntegrityError` (key, signature, dates, rollback),
 * `CorruptDataError` (malformed), `InvalidInputError` / `InvalidPatternError` (rules).
 * `feedFailureReason(error)` tells why (`unreachable`, `bad-signature`, `rolled-back`…).
 */
export async function syncFeed(options: SyncFeedOptions): Promise<SyncFeedResult> {
  if (typeof options?.from !== 'string' || options.from.length === 0) {
    throw new InvalidOptionError('from', 'from: a feed URL or file path is required');
  }
  const dir = resolve(options.cacheDir ?? defaultFeedCacheDir() ?? '.memgar-feeds');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 5_000_000;
  const { from, cacheDir: _c, timeoutMs: _t, maxBytes: _m, ...verify } = options;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StorageError(`cannot create the feed cache ${dir}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const state = readFeedState(dir);
  let cachedVersion = 0;
  let cachedPayload: string | undefined;
  try {
    const cached = readCacheFile(dir, FEED_FILE);
    if (cached !== undefined) {
      const doc = parseFeedDocument(cached);
      cachedVersion = doc.version;
      cachedPayload = `${feedSigningPayload(doc)}\n${doc.signature}`;
    }
  } catch {
    // A corrupt cached feed is replaced by a good one; its version cannot be trusted anyway.
  }
  const highest = Math.max(state.highestVersion, 0);
  const fail = async (reason: FeedFailureReason, error: MemgarError): Promise<never> => {
    await writeState(dir, {
      highestVersion: highest,
      lastSync: { at: new Date().toISOString(), from, ok: false, reason, error: error.message },
    }).catch(() => undefined);
    throw tagReason(error, reason);
  };

  let text: string;
  try {
    text = await readSource(from, timeoutMs, maxBytes);
  } catch (error) {
    if (StorageError.isInstance(error)) return fail('unreachable', error);
    throw error;
  }
  const r = inspectFeed(text, { ...verify, minVersion: highest, file: from });
  if (!r.valid) return fail(r.reason, r.error);
  const incoming = `${feedSigningPayload(r.feed.document)}\n${r.feed.document.signature}`;
  const same = cachedPayload === incoming;
  if (!same && r.feed.version <= Math.max(highest, cachedVersion) && Math.max(highest, cachedVersion) > 0) {
    return fail(
      'rolled-back',
      new IntegrityError(
        `feed ${from} version ${r.feed.version} is not newer than version ${Math.max(highest, cachedVersion)} already accepted`,
        { what: 'feed' },
      ),
    );
  }
  if (!same) await atomicWrite(dir, FEED_FILE, text);
  await writeState(dir, {
    highestVersion: Math.max(highest, r.feed.version),
    lastSync: { at: new Date().toISOString(), from, ok: true },
  });
  return { feed: r.feed, cacheDir: dir, previousVersion: cachedVersion, changed: !same };
}

const REASON = Symbol.for('memgar.feedReason');

function tagReason(error: MemgarError, reason: FeedFailureReason): MemgarError {
  Object.defineProperty(error, REASON, { value: reason, enumerable: false });
  return error;
}

/** Why `syncFeed` failed, when the error came from it. */
export function feedFailureReason(error: unknown): FeedFailureReason | undefined {
  return typeof error === 'object' && error !== null
    ? ((error as Record<symbol, unknown>)[REASON] as FeedFailureReason | undefined)
    : undefined;
}
