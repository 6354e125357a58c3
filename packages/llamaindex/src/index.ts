export {
  type AdapterDecisionEvent as MemgarDecisionEvent,
  type AdapterWriteOptions as MemgarWriteOptions,
  type EnforcerLike,
  MemoryRefusedError,
} from '@memgar/core/adapter-kit';
export { type GuardedMemory, type GuardMemoryOptions, guardMemory, messageText } from './memory.js';
export { type GuardRetrievalOptions, MEMGAR_KEY, nodeText } from './nodes.js';
export { GuardedRetriever, guardRetriever, MemgarNodePostprocessor } from './retriever.js';
export { GuardedVectorStore, type GuardVectorStoreOptions, guardVectorStore } from './vector-store.js';
