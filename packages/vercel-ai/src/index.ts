export { MemgarBlockedError } from './memgar-blocked-error.js';
export {
  type CanaryRegistryLike,
  type EnforcerLike,
  type MemgarDecisionEvent,
  type MemgarMiddlewareOptions,
  memgarMiddleware,
  type TextCheck,
} from './memgar-middleware.js';
