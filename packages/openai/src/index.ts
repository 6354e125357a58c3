export type {
  CanaryRegistryLike,
  EnforcerLike,
  MemgarDecisionEvent,
  TextCheck,
} from './content-guard.js';
export { type GuardOpenAIOptions, guardOpenAI, type OpenAILike } from './guard-openai.js';
export { MemgarBlockedError } from './memgar-blocked-error.js';
