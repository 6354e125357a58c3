/**
 * The on-disk feed cache, read synchronously (the analyzer loads it at construction) through
 * `process.getBuiltinModule`, so this file stays in the main entry. Layout of a cache directory:
 * - `feed.json`: the last accepted feed, byte for byte as received (re-verified on every load);
 * - `state.json`: `{ highestVersion, lastSync }`, the highest version ever accepted (rollback
 *   protection) and the outcome of the last sync (an unreachable source is reported from here).
 * Writing lives in `feed-cache.ts` (Node-bound).
 */
import { StorageError } from '../errors/index.js';
import { nodeBuiltin } from './node-runtime.js';
import type { FeedFailureReason } from './verify-feed.js';

/** The feed file in a cache directory. */
export const FEED_FILE = 'feed.json';
/** The state file in a cache directory. */
export const FEED_STATE_FILE = 'state.json';

/** What `state.json` holds. */
export interface FeedCacheState {
  /** The highest feed version ever accepted into this cache; older ones are refused. */
  highestVersion: number;
  /** The outcome of the last `syncFeed`. */
  lastSync?: {
    /** ISO time of the attempt. */
    at: string;
    /** The file or URL synced from. */
    from: string;
    ok: boolean;
    /** Why it failed, when it did. */
    reason?: FeedFailureReason;
    /** The error message, when it failed. */
    error?: string;
  };
}

function env(name: string): string | undefined {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> } };
  const v = g.process?.env?.[name];
  return v === undefined || v.trim() === '' ? undefined : v;
}

/**
 * The default cache directory: `MEMGAR_FEED_CACHE_DIR`, else `$XDG_CACHE_HOME/memgar/feeds`, else
 * `~/.cache/memgar/feeds`. `undefined` outside Node.
 */
export function defaultFeedCacheDir(): string | undefined {
  const path = nodeBuiltin('node:path');
  const os = nodeBuiltin('node:os');
  if (path === undefined || os === undefined) return undefined;
  const explicit = env('MEMGAR_FEED_CACHE_DIR');
  if (explicit !== undefined) return path.resolve(explicit);
  const xdg = env('XDG_CACHE_HOME');
  return path.join(
    xdg !== undefined ? path.resolve(xdg) : path.join(os.homedir(), '.cache'),
    'memgar',
    'feeds',
  );
}

/** Reads a cache file; `undefined` when it does not exist. @throws StorageError on other I/O errors. */
export function readCacheFile(dir: string, name: string): string | undefined {
  const fs = nodeBuiltin('node:fs');
  const path = nodeBuiltin('node:path');
  if (fs === undefined || path === undefined) {
    throw new StorageError('the feed cache needs a file system (node:fs); pass feed.document instead');
  }
  const file = path.join(dir, name);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw new StorageError(`cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * The cache state; a missing or unreadable state file reads as "nothing accepted yet" (the feed
 * itself is still verified, and its version counts).
 */
export function readFeedState(dir: string): FeedCacheState {
  let text: string | undefined;
  try {
    text = readCacheFile(dir, FEED_STATE_FILE);
  } catch {
    text = undefined;
  }
  if (text === undefined) return { highestVersion: 0 };
  try {
    const v = JSON.parse(text) as Partial<FeedCacheState>;
    const highestVersion =
      typeof v.highestVersion === 'number' && Number.isSafeInteger(v.highestVersion) ? v.highestVersion : 0;
    return v.lastSync !== undefined && typeof v.lastSync === 'object'
      ? { highestVersion, lastSync: v.lastSync }
      : { highestVersion };
  } catch {
    return { highestVersion: 0 };
  }
}
