import type { PolicyProfile, Thresholds } from '../analyzer/options.js';
import type { Decision } from '../analyzer/types.js';

/** Risk-score thresholds of the built-in profiles. A score at or above a threshold gets that decision. */
export const PROFILES: Readonly<Record<PolicyProfile, Readonly<Thresholds>>> = {
  strict: { block: 75, quarantine: 50, humanReview: 30 },
  balanced: { block: 85, quarantine: 60, humanReview: 40 },
  permissive: { block: 92, quarantine: 75, humanReview: 60 },
};

/** Decision order, weakest first; `sanitize` sits between `allow` and `human_review`. */
export const DECISION_RANK: Readonly<Record<Decision, number>> = {
  allow: 0,
  sanitize: 1,
  human_review: 2,
  quarantine: 3,
  block: 4,
};

/** Maps a 0..100 risk score to a decision (never `sanitize`: that is offered by the sanitizer). */
export function decisionForScore(score: number, t: Thresholds): Exclude<Decision, 'sanitize'> {
  if (score >= t.block) return 'block';
  if (score >= t.quarantine) return 'quarantine';
  if (score >= t.humanReview) return 'human_review';
  return 'allow';
}

/** True when `a` is at least as severe as `b`. */
export function atLeast(a: Decision, b: Decision): boolean {
  return DECISION_RANK[a] >= DECISION_RANK[b];
}
