export {
  type AdapterDecisionEvent as MemgarDecisionEvent,
  MemoryRefusedError,
  NO_TEXT_RULE,
} from '@memgar/core/adapter-kit';
export {
  type GuardedCollection,
  type GuardWeaviateOptions,
  guardWeaviateCollection,
  type HeldWeaviateWrite,
  type WeaviateCollectionLike,
} from './guard-collection.js';
