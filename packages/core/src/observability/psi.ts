/**
 * Population stability index (PSI) over the risk-score distribution: how far the scores of recent
 * analyses have moved from a reference. Pure functions; the `DriftDetector` keeps the counts.
 */

/** Number of risk-score bins: ten equal-width bins over 0–100. */
export const RISK_SCORE_BINS = 10;

/** Proportions below this are raised to it, so an empty bin contributes a finite term. @default 1e-4 */
export const PSI_EPSILON = 1e-4;

/**
 * Multiples of the drift threshold at which severity 1, 2, 3 and 4 start. With the default
 * threshold 0.20: 0.10, 0.20, 0.40, 1.00. Severity 2 is "drift detected".
 */
export const DRIFT_SEVERITY_MULTIPLIERS: readonly [number, number, number, number] = [0.5, 1, 2, 5];

/** 0 stable, 1 minor shift, 2 drift detected, 3 major drift, 4 severe drift. */
export type DriftSeverity = 0 | 1 | 2 | 3 | 4;

/**
 * The bin of a risk score: `[0,10)` → 0, `[10,20)` → 1, …, `[90,100]` → 9. Scores outside 0–100 are
 * clamped; NaN returns -1 (not counted).
 */
export function riskScoreBin(score: number): number {
  if (Number.isNaN(score)) return -1;
  if (score <= 0) return 0;
  if (score >= 100) return RISK_SCORE_BINS - 1;
  return Math.min(RISK_SCORE_BINS - 1, Math.floor(score / (100 / RISK_SCORE_BINS)));
}

/** Options of `populationStabilityIndex`. */
export interface PsiOptions {
  /** Floor of every bin's proportion, so empty bins stay finite. @default 1e-4 */
  epsilon?: number;
}

/**
 * PSI = Σᵢ (aᵢ − eᵢ) · ln(aᵢ / eᵢ), where eᵢ and aᵢ are the proportions of the reference
 * (`expected`) and current (`actual`) counts in bin i, each raised to at least `epsilon`.
 * Symmetric, ≥ 0, and 0 for identical distributions. Returns 0 when either side has no counts.
 */
export function populationStabilityIndex(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
  options: PsiOptions = {},
): number {
  if (expected.length !== actual.length) {
    throw new RangeError(`PSI needs the same bins on both sides (${expected.length} vs ${actual.length})`);
  }
  const eps = options.epsilon ?? PSI_EPSILON;
  const eTotal = sum(expected);
  const aTotal = sum(actual);
  if (eTotal <= 0 || aTotal <= 0) return 0;
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max((expected[i] ?? 0) / eTotal, eps);
    const a = Math.max((actual[i] ?? 0) / aTotal, eps);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}

/**
 * The severity (0–4) of a PSI given the drift threshold: severity k ≥ 1 starts at
 * `threshold × DRIFT_SEVERITY_MULTIPLIERS[k-1]`.
 */
export function driftSeverity(psi: number, threshold = 0.2): DriftSeverity {
  let s: DriftSeverity = 0;
  DRIFT_SEVERITY_MULTIPLIERS.forEach((m, i) => {
    if (psi >= threshold * m) s = (i + 1) as DriftSeverity;
  });
  return s;
}

function sum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i] ?? 0;
  return s;
}
