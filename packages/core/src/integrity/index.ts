export {
  type Canary,
  type CanaryFormat,
  type CanaryMatch,
  type CreateCanaryOptions,
  canaryFingerprint,
  createCanary,
  type DetectCanariesOptions,
  detectCanaries,
  MIN_FINGERPRINT_LENGTH,
} from './canary.js';
export {
  type CanaryCheckResult,
  type CanaryLeak,
  CanaryRegistry,
  type CanaryRegistryOptions,
  type CanaryRegistrySnapshot,
} from './canary-registry.js';
