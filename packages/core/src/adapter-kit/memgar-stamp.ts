import { type Decision, SOURCE_TYPES, type SourceType } from '../analyzer/types.js';
import type { MemgarMetadata } from './memgar-metadata.js';

/**
 * What a store records with a text it stored: the write's decision, where the text came from
 * (read back as the retrieval's source, so per-source trust applies to stored rows), and whether a
 * reviewer approved it (a held write approved later).
 */
export interface MemgarStamp extends MemgarMetadata {
  sourceType: SourceType;
  sourceId?: string;
  review?: 'approved';
}

/** The `MemgarStamp` of a write outcome's `memgar`, its source and, for a held write, `approved`. */
export function memgarStamp(
  memgar: MemgarMetadata,
  source: { sourceType?: SourceType; sourceId?: string | undefined },
  approved = false,
): MemgarStamp {
  return {
    ...memgar,
    sourceType: source.sourceType ?? 'memory',
    ...(source.sourceId ? { sourceId: source.sourceId } : {}),
    ...(approved ? { review: 'approved' as const } : {}),
  };
}

/** A `MemgarStamp` as flat, nullable scalar columns (`memgar_decision` … `memgar_review`). */
export function flatMemgarStamp(s: MemgarStamp): {
  memgar_decision: Decision;
  memgar_risk: number;
  memgar_rule: string;
  memgar_source: SourceType;
  memgar_source_id: string | null;
  memgar_review: 'approved' | null;
} {
  return {
    memgar_decision: s.decision,
    memgar_risk: s.riskScore,
    memgar_rule: s.rule,
    memgar_source: s.sourceType,
    memgar_source_id: s.sourceId ?? null,
    memgar_review: s.review ?? null,
  };
}

const SOURCES: ReadonlySet<unknown> = new Set(SOURCE_TYPES);

/**
 * The provenance a stored row carries (its stamped source type and id, read back from the store),
 * as `RetrievedItem` fields: a value that is not a known source type, or not a string id, is left
 * out (the retrieval's default source applies).
 */
export function storedProvenance(
  sourceType: unknown,
  sourceId: unknown,
): { sourceType?: SourceType; sourceId?: string } {
  return {
    ...(SOURCES.has(sourceType) ? { sourceType: sourceType as SourceType } : {}),
    ...(typeof sourceId === 'string' && sourceId !== '' ? { sourceId } : {}),
  };
}
