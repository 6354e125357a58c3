export {
  type AdapterDecisionEvent as MemgarDecisionEvent,
  MemoryRefusedError,
} from '@memgar/core/adapter-kit';
export {
  type GuardedCollection,
  type GuardWeaviateOptions,
  guardWeaviateCollection,
  type HeldWeaviateWrite,
  NO_TEXT_RULE,
  type WeaviateCollectionLike,
} from './guard-collection.js';
