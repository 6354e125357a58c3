/** The feed API for Node: the runtime-agnostic part plus signing, syncing and the file cache. */

export {
  feedFailureReason,
  type SyncFeedOptions,
  type SyncFeedResult,
  syncFeed,
} from './feed-cache.js';
export * from './index.js';
export { type FeedContent, signFeed } from './sign-feed.js';
