import type { AnalysisResult, Decision } from '@memgar/core';
import type { EntryLocation, InputKind, InputWarning } from '../input/types.js';

/** The output formats of `memgar scan`. */
export const FORMATS = ['table', 'json', 'jsonl', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

/** One analyzed entry. */
export interface ScanRecord {
  location: EntryLocation;
  kind: InputKind;
  content: string;
  result: AnalysisResult;
}

/** Totals of a scan. */
export interface ScanSummary {
  /** Files read. */
  files: number;
  /** Files and directories not scanned (directories without --recursive, binary files, unreadable files). */
  skipped: number;
  /** Entries analyzed. */
  entries: number;
  /** JSONL lines / JSON items that could not be used. */
  badLines: number;
  /** Files that could not be read or parsed, and entries whose analysis failed. */
  errors: number;
  decisions: Record<Decision, number>;
  elapsedMs: number;
  entriesPerSecond: number;
  failOn: Decision | 'none';
  /** Whether an entry reached `failOn`. */
  failed: boolean;
}

/** Where a reporter writes. */
export interface Sink {
  write(chunk: string): void;
}

/** Receives results in input order, then the summary. */
export interface Reporter {
  result(record: ScanRecord): void;
  finish(summary: ScanSummary, warnings: readonly InputWarning[]): void;
}

/** The JSON shape of one result (`json` and `jsonl` formats). */
export function resultJson(record: ScanRecord): Record<string, unknown> {
  const { result } = record;
  return {
    location: record.location,
    decision: result.decision,
    riskScore: result.riskScore,
    findings: result.findings,
    explanation: result.explanation,
    sourceType: result.sourceType,
    ...(result.sanitized !== undefined ? { sanitized: result.sanitized } : {}),
    ...(result.degraded.length > 0 ? { degraded: result.degraded } : {}),
  };
}
