export { UNVERIFIED_RULE } from '@memgar/core/adapter-kit';
export {
  type GuardedMemory,
  type GuardMemoryOptions,
  guardMemory,
  type Mem0MemoryLike,
} from './guard-memory.js';
export {
  type GuardedMemoryClient,
  type GuardMemoryClientOptions,
  guardMemoryClient,
} from './guard-memory-client.js';
export type { HeldMem0Write, Mem0ClientLike, Mem0GuardOptions, Mem0Item, Mem0Message } from './shared.js';
