import { DECISION_RANK } from '../policy/profiles.js';
import type { MemgarMetadata } from './memgar-metadata.js';

/**
 * The most severe of `xs` (by decision, `allow` < … < `block`, then by risk score; the first of
 * equals), or undefined for none: the verdict of a record whose several texts were decided one by
 * one (a refused field refuses the record; its worst refusal is the one held or reported).
 */
export function mostSevere<T extends { memgar: MemgarMetadata }>(xs: readonly T[]): T | undefined {
  let worst: T | undefined;
  for (const x of xs) {
    const a = x.memgar;
    const b = worst?.memgar;
    const rank = b === undefined ? 1 : DECISION_RANK[a.decision] - DECISION_RANK[b.decision];
    if (rank > 0 || (rank === 0 && b !== undefined && a.riskScore > b.riskScore)) worst = x;
  }
  return worst;
}
