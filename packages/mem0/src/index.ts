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
  type Mem0ClientLike,
} from './guard-memory-client.js';
export {
  type HeldMem0Write,
  type Mem0GuardOptions,
  type Mem0Item,
  type Mem0Message,
  UNVERIFIED_RULE,
} from './shared.js';
