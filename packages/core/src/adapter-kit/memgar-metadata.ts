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
