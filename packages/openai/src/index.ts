export {
  type CanaryRegistryLike,
  type ContentDecisionEvent as MemgarDecisionEvent,
  type ContentTextCheck as TextCheck,
  type ContextEnforcer as EnforcerLike,
  MemgarBlockedError,
} from '@memgar/core/adapter-kit';
export { type GuardOpenAIOptions, guardOpenAI, type OpenAILike } from './guard-openai.js';
