export {
  type CanaryRegistryLike,
  type EnforcerLike,
  type GuardOpenAIOptions,
  guardOpenAI,
  type MemgarDecisionEvent,
  type OpenAILike,
  type TextCheck,
} from './guard-openai.js';
export { MemgarBlockedError } from './memgar-blocked-error.js';
