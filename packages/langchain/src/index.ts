export {
  type ChatHistoryLike,
  type GuardChatHistoryOptions,
  GuardedChatMessageHistory,
  guardChatHistory,
  messageText,
} from './chat-history.js';
export {
  type EnforcerLike,
  type MemgarDecisionEvent,
  type MemgarGuardOptions,
  type MemgarWriteOptions,
  MemoryRefusedError,
} from './guard.js';
export {
  GuardedRetriever,
  type GuardRetrievalOptions,
  guardRetriever,
  type MemgarDocumentMetadata,
  type RetrieverLike,
} from './retriever.js';
export {
  guardToolMessage,
  type MemgarToolMiddlewareOptions,
  memgarToolMiddleware,
} from './tool-middleware.js';
export { GuardedVectorStore, type GuardVectorStoreOptions, guardVectorStore } from './vector-store.js';
