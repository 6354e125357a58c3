import type { AnalysisResult, MemoryEntry } from '../analyzer/types.js';

/** What the runtime needs of an analyzer: an `Analyzer`, or anything with the same `analyze`. */
export interface AnalyzerLike {
  analyze(entry: MemoryEntry): Promise<AnalysisResult>;
}
