export { defaultFeedCacheDir, FEED_FILE, FEED_STATE_FILE, type FeedCacheState } from './feed-cache-files.js';
export {
  FEED_FORMAT,
  FEED_SIGNATURE_DOMAIN,
  type FeedDocument,
  feedSigningPayload,
  parseFeedDocument,
  type UnsignedFeed,
} from './feed-document.js';
export { type FeedKey, importFeedKey, PINNED_FEED_KEYS } from './feed-keys.js';
export { type FeedLoad, type LoadFeedOptions, loadFeed } from './load-feed.js';
export {
  type FeedFailureReason,
  type FeedVerification,
  inspectFeed,
  trustedFeedKeys,
  type VerifiedFeed,
  type VerifyFeedOptions,
  verifyFeed,
} from './verify-feed.js';
