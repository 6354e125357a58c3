export { type EnforcerLike, MemoryRefusedError } from '@memgar/core/adapter-kit';
export {
  MemgarProcessor,
  type MemgarProcessorOptions,
  type ProcessorDecisionEvent,
} from './memgar-processor.js';
export type { MessageLike } from './message-parts.js';
