export {
  BOUNDARIES,
  type Boundary,
  type PolicyContext,
  PolicyEngine,
  type PolicyEngineOptions,
  type PolicyMatch,
  type PolicyRule,
  type PolicyVerdict,
  type RuleScope,
} from './policy-engine.js';
export { atLeast, DECISION_RANK, decisionForScore, PROFILES } from './profiles.js';
