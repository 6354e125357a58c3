export { type EnforcerLike, HeldWrites, MemoryRefusedError } from '@memgar/core/adapter-kit';
export { type GuardedMemory, type GuardMemoryOptions, guardMemory } from './guard-memory.js';
export { type GuardedVector, type GuardVectorOptions, guardVector } from './guard-vector.js';
export {
  MemgarProcessor,
  type MemgarProcessorOptions,
  type ProcessorDecisionEvent,
} from './memgar-processor.js';
export type { MessageLike } from './message-parts.js';
