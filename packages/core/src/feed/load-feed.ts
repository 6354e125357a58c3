/**
 * What the analyzer does with a feed at construction: no network, only the verified cache (or a
 * document passed in memory), re-verified on every load. Never throws for a bad feed: the result
 * says why it is not used, and the analyzer marks its `feed` subsystem degraded.
 */
import { type MemgarError, StorageError } from '../errors/index.js';
import { FEED_FILE, readCacheFile, readFeedState } from './feed-cache-files.js';
import {
  type FeedFailureReason,
  inspectFeed,
  type VerifiedFeed,
  type VerifyFeedOptions,
} from './verify-feed.js';

/** Options of `loadFeed`. */
export interface LoadFeedOptions extends Omit<VerifyFeedOptions, 'minVersion' | 'file'> {
  /** The cache directory to load from (ignored with `document`). */
  cacheDir?: string;
  /** A feed document (JSON text or parsed) to verify instead of reading the cache. */
  document?: unknown;
  /** Refuse versions older than this, besides the cache's own highest accepted version. @default 0 */
  minVersion?: number;
}

/** The outcome of `loadFeed`. */
export type FeedLoad =
  | {
      status: 'ok';
      feed: VerifiedFeed;
      detail: string;
    }
  | {
      /** `degraded`: a verified feed is in use but the last sync failed. */
      status: 'degraded';
      feed: VerifiedFeed;
      reason: FeedFailureReason;
      error: MemgarError | undefined;
      detail: string;
    }
  | {
      /** No feed rules are in force; the bundled ones are. */
      status: 'refused';
      feed: undefined;
      reason: FeedFailureReason;
      error: MemgarError | undefined;
      detail: string;
    };

function summary(feed: VerifiedFeed): string {
  return `version ${feed.version} (${feed.rules.length} rule(s), key ${feed.keyId}${feed.pinnedKey ? ', pinned' : ''}, expires ${feed.document.expiresAt})`;
}

/** Loads and verifies the cached feed (or `options.document`). */
export function loadFeed(options: LoadFeedOptions): FeedLoad {
  const refused = (reason: FeedFailureReason, error: MemgarError | undefined, detail: string): FeedLoad => ({
    status: 'refused',
    feed: undefined,
    reason,
    error,
    detail: `${detail}; bundled rules only`,
  });
  const { cacheDir, document, minVersion = 0, ...verify } = options;
  if (document !== undefined) {
    const r = inspectFeed(document, { ...verify, minVersion });
    if (!r.valid) return refused(r.reason, r.error, `feed refused (${r.reason}): ${r.error.message}`);
    return { status: 'ok', feed: r.feed, detail: `feed ${summary(r.feed)}` };
  }
  if (cacheDir === undefined) {
    return refused('missing', undefined, 'no feed cache directory in this runtime (pass feed.document)');
  }
  let text: string | undefined;
  try {
    text = readCacheFile(cacheDir, FEED_FILE);
  } catch (error) {
    const e = StorageError.isInstance(error) ? error : new StorageError(String(error), { cause: error });
    return refused('unreachable', e, `feed cache unreadable: ${e.message}`);
  }
  const state = readFeedState(cacheDir);
  const lastSync = state.lastSync;
  if (text === undefined) {
    const why =
      lastSync !== undefined && !lastSync.ok
        ? `last sync from ${lastSync.from} failed (${lastSync.reason ?? 'error'}): ${lastSync.error ?? ''}`
        : 'run `memgar feed sync --from <url|file>`';
    return refused(
      lastSync !== undefined && !lastSync.ok ? (lastSync.reason ?? 'unreachable') : 'missing',
      undefined,
      `no feed in ${cacheDir}: ${why}`,
    );
  }
  const r = inspectFeed(text, {
    ...verify,
    minVersion: Math.max(minVersion, state.highestVersion),
    file: `${cacheDir}/${FEED_FILE}`,
  });
  if (!r.valid) return refused(r.reason, r.error, `cached feed refused (${r.reason}): ${r.error.message}`);
  if (lastSync !== undefined && !lastSync.ok) {
    return {
      status: 'degraded',
      feed: r.feed,
      reason: lastSync.reason ?? 'unreachable',
      error: undefined,
      detail: `using cached feed ${summary(r.feed)}, but the last sync from ${lastSync.from} at ${lastSync.at} failed (${lastSync.reason ?? 'error'}): ${lastSync.error ?? ''}`,
    };
  }
  return { status: 'ok', feed: r.feed, detail: `feed ${summary(r.feed)} from ${cacheDir}` };
}
