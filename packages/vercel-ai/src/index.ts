export type {
  CanaryRegistryLike,
  EnforcerLike,
  MemgarDecisionEvent,
  TextCheck,
} from './content-guard.js';
export { MemgarBlockedError } from './memgar-blocked-error.js';
export { type MemgarMiddlewareOptions, memgarMiddleware } from './memgar-middleware.js';
