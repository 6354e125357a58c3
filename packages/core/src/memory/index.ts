export {
  type ReviewContext,
  type ReviewItem,
  ReviewQueue,
  type ReviewQueueOptions,
} from './review-queue.js';
export {
  type LedgerLike,
  SecureMemoryStore,
  type SecureMemoryStoreOptions,
  type SecureWriteContext,
  type SecureWriteResult,
  type UnsafeBackendOptions,
  type VaultLike,
} from './secure-memory-store.js';
