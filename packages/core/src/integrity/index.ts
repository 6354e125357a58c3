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
export {
  type ChainFailure,
  type ChainMessage,
  type ChainVerification,
  ConversationSigner,
  type ConversationSignerOptions,
  generateConversationKey,
  MIN_CONVERSATION_KEY_BYTES,
  type SignedMessage,
  type VerifyChainOptions,
} from './conversation-integrity.js';
