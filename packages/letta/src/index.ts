export {
  type AdapterDecisionEvent as MemgarDecisionEvent,
  MemoryRefusedError,
} from '@memgar/core/adapter-kit';
export {
  type GuardedLetta,
  type GuardLettaOptions,
  guardLetta,
  type HeldLettaWrite,
  type LettaLike,
} from './guard-letta.js';
