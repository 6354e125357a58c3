export {
  type AdapterDecisionEvent as MemgarDecisionEvent,
  type AdapterGuardOptions as MemgarGuardOptions,
  type AdapterWriteOptions as MemgarWriteOptions,
  type EnforcerLike,
  MemoryRefusedError,
} from '@memgar/core/adapter-kit';
export {
  type ChatHistoryLike,
  type GuardChatHistoryOptions,
  GuardedChatMessageHistory,
  guardChatHistory,
  messageText,
} from './chat-history.js';
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
