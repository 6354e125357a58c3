export {
  type BehaviorAssessment,
  BehaviorBaseline,
  type BehaviorBaselineOptions,
  type BehaviorFeatures,
  extractFeatures,
} from './behavior.js';
export { consultJudge, type JudgeOutcome } from './judge.js';
export { applyTrust, checkTrust, DEFAULT_SOURCE_TYPE_TRUST, TRUST_GAIN, TrustRegistry } from './trust.js';
