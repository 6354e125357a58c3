import { describe, expect, it } from 'vitest';
import {
  DRIFT_SEVERITY_MULTIPLIERS,
  driftSeverity,
  PSI_EPSILON,
  populationStabilityIndex,
  RISK_SCORE_BINS,
  riskScoreBin,
} from './psi.js';

describe('riskScoreBin', () => {
  it('puts scores in ten equal-width bins over 0–100, the last one closed', () => {
    expect(RISK_SCORE_BINS).toBe(10);
    expect(riskScoreBin(0)).toBe(0);
    expect(riskScoreBin(9.99)).toBe(0);
    expect(riskScoreBin(10)).toBe(1);
    expect(riskScoreBin(55)).toBe(5);
    expect(riskScoreBin(90)).toBe(9);
    expect(riskScoreBin(100)).toBe(9);
  });

  it('clamps out-of-range scores and skips NaN', () => {
    expect(riskScoreBin(-5)).toBe(0);
    expect(riskScoreBin(250)).toBe(9);
    expect(riskScoreBin(Number.POSITIVE_INFINITY)).toBe(9);
    expect(riskScoreBin(Number.NaN)).toBe(-1);
  });
});

describe('populationStabilityIndex', () => {
  it('is 0 for the same distribution, whatever the sample sizes', () => {
    expect(populationStabilityIndex([1, 2, 3], [10, 20, 30])).toBeCloseTo(0, 12);
  });

  it('is Σ (a − e) · ln(a / e) over the proportions', () => {
    const e = [0.5, 0.3, 0.2];
    const a = [0.2, 0.3, 0.5];
    const expected = e.reduce((s, ei, i) => s + ((a[i] ?? 0) - ei) * Math.log((a[i] ?? 0) / ei), 0);
    expect(populationStabilityIndex([50, 30, 20], [20, 30, 50])).toBeCloseTo(expected, 12);
  });

  it('is symmetric', () => {
    expect(populationStabilityIndex([5, 1, 4], [1, 7, 2])).toBeCloseTo(
      populationStabilityIndex([1, 7, 2], [5, 1, 4]),
      12,
    );
  });

  it('raises empty bins to epsilon so the result stays finite', () => {
    const psi = populationStabilityIndex([10, 0], [0, 10]);
    expect(Number.isFinite(psi)).toBe(true);
    // Proportions [1, 0] vs [0, 1] become [1, ε] vs [ε, 1]: two terms of (1 − ε) · ln(1 / ε).
    const eps = PSI_EPSILON;
    expect(psi).toBeCloseTo(2 * (1 - eps) * Math.log(1 / eps), 9);
    expect(populationStabilityIndex([10, 0], [0, 10], { epsilon: 0.01 })).toBeLessThan(psi);
  });

  it('is 0 when a side has no counts, and rejects different bin counts', () => {
    expect(populationStabilityIndex([0, 0], [1, 2])).toBe(0);
    expect(() => populationStabilityIndex([1, 2], [1, 2, 3])).toThrow(RangeError);
  });
});

describe('driftSeverity', () => {
  it('starts severity 1–4 at 0.5×, 1×, 2× and 5× the threshold (0.10, 0.20, 0.40, 1.00 by default)', () => {
    expect(DRIFT_SEVERITY_MULTIPLIERS).toEqual([0.5, 1, 2, 5]);
    expect(driftSeverity(0)).toBe(0);
    expect(driftSeverity(0.099)).toBe(0);
    expect(driftSeverity(0.1)).toBe(1);
    expect(driftSeverity(0.199)).toBe(1);
    expect(driftSeverity(0.2)).toBe(2);
    expect(driftSeverity(0.4)).toBe(3);
    expect(driftSeverity(0.999)).toBe(3);
    expect(driftSeverity(1)).toBe(4);
    expect(driftSeverity(25)).toBe(4);
  });

  it('scales with a custom threshold', () => {
    expect(driftSeverity(0.05, 0.1)).toBe(1);
    expect(driftSeverity(0.1, 0.1)).toBe(2);
    expect(driftSeverity(0.5, 0.1)).toBe(4);
  });
});
