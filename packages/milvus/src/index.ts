export {
  type AdapterDecisionEvent as MemgarDecisionEvent,
  MemoryRefusedError,
} from '@memgar/core/adapter-kit';
export {
  type GuardedMilvusClient,
  type GuardMilvusOptions,
  guardMilvusClient,
  type HeldMilvusWrite,
  type MilvusClientLike,
  NO_TEXT_RULE,
} from './guard-client.js';
