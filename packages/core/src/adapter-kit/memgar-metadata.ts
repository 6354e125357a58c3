import type { Decision } from '../analyzer/types.js';

/** What adapters record with a stored or returned text, under a `memgar` metadata key. */
export interface MemgarMetadata {
  decision: Decision;
  riskScore: number;
  rule: string;
}

/** The `MemgarMetadata` of a verdict. */
export function memgarMetadata(v: { decision: Decision; riskScore: number; rule: string }): MemgarMetadata {
  return { decision: v.decision, riskScore: v.riskScore, rule: v.rule };
}

/**
 * Flat metadata keys for stores that only filter on top-level scalar fields (Chroma, Pinecone,
 * Milvus…): `memgar_decision`, `memgar_risk`, `memgar_rule`.
 */
export function flatMemgarMetadata(m: MemgarMetadata): {
  memgar_decision: Decision;
  memgar_risk: number;
  memgar_rule: string;
} {
  return { memgar_decision: m.decision, memgar_risk: m.riskScore, memgar_rule: m.rule };
}

/**
 * The caller's metadata without `memgar_*` keys (`{}` for anything but an object): only memgar
 * writes those, so a caller cannot pass off a write as decided or approved.
 */
export function withoutMemgarKeys(meta: unknown): Record<string, unknown> {
  if (typeof meta !== 'object' || meta === null) return {};
  return Object.fromEntries(Object.entries(meta).filter(([k]) => !k.startsWith('memgar_')));
}
