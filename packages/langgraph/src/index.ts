export type { AdapterDecisionEvent, EnforcerLike, MemgarMetadata } from '@memgar/core/adapter-kit';
export { MemoryRefusedError } from '@memgar/core/adapter-kit';
export {
  type GuardCheckpointerOptions,
  GuardedCheckpointSaver,
  guardCheckpointer,
} from './guarded-checkpointer.js';
export {
  type GuardedItem,
  GuardedStore,
  type GuardStoreOptions,
  guardStore,
  type StoreLike,
} from './guarded-store.js';
export { MemgarToolNode, type MemgarToolNodeOptions, memgarToolNode } from './tool-node.js';
