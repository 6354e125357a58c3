import { DECISIONS } from '@memgar/core';
import type { MemgarMetadata } from '@memgar/core/adapter-kit';

/** The most severe of `xs` (decision first, then risk score), or undefined for none. */
export function worst<T extends { memgar: MemgarMetadata }>(xs: readonly T[]): T | undefined {
  const rank = (x: T) => DECISIONS.indexOf(x.memgar.decision) * 1000 + x.memgar.riskScore;
  return xs.reduce<T | undefined>((a, x) => (a === undefined || rank(x) > rank(a) ? x : a), undefined);
}
