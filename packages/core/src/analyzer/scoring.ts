import type { Finding, Severity } from './types.js';

/** The least score a finding of this severity gives, whatever else happens (trust, judge, history). */
export const SEVERITY_FLOOR: Readonly<Record<Severity, number>> = {
  info: 0,
  low: 0,
  medium: 0,
  high: 60,
  critical: 85,
};

/**
 * Combines findings into 0..100 by noisy-OR over their weights: independent pieces of evidence
 * reinforce each other, and one finding of weight w alone scores 100·w.
 */
export function combineWeights(findings: readonly Finding[]): number {
  let keep = 1;
  for (const f of findings) keep *= 1 - Math.min(1, Math.max(0, f.weight));
  return 100 * (1 - keep);
}

/** The highest severity floor among the findings. */
export function severityFloor(findings: readonly Finding[]): number {
  let floor = 0;
  for (const f of findings) floor = Math.max(floor, SEVERITY_FLOOR[f.severity]);
  return floor;
}

const SEVERITY_ORDER: Readonly<Record<Severity, number>> = {
  info: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

/** Findings sorted strongest first (severity, then weight). */
export function rankFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => SEVERITY_ORDER[b.severity] - SEVERITY_ORDER[a.severity] || b.weight - a.weight,
  );
}

export function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
