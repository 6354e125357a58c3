import type { AnalysisResult, SourceType } from './types.js';

/** One finished analysis, as observers see it (the entry's content is not included). */
export interface AnalysisEvent {
  result: AnalysisResult;
  sourceType: SourceType;
  sourceId?: string;
  agentId?: string;
  tenantId?: string;
  /** Length of the analyzed content in UTF-16 code units. */
  contentLength: number;
}

/**
 * Receives every finished analysis: metrics, drift detection, SIEM, alerting and audit logs
 * subscribe this way. `onAnalysis` runs synchronously after the result is ready, so it must be
 * cheap (queue, don't send); whatever it throws is caught and never reaches the caller.
 */
export interface AnalysisObserver {
  onAnalysis(event: AnalysisEvent): void;
}

const GLOBAL = new Set<AnalysisObserver>();

/**
 * Adds an observer of every `Analyzer` in this process (those created before too), e.g. to turn
 * metrics on once for the whole application. Returns a function that removes it.
 */
export function addAnalysisObserver(observer: AnalysisObserver): () => void {
  if (typeof observer?.onAnalysis !== 'function') {
    throw new TypeError('an analysis observer needs an onAnalysis(event) method');
  }
  GLOBAL.add(observer);
  return () => {
    GLOBAL.delete(observer);
  };
}

/** @internal Calls the analyzer's own observers, then the global ones; errors are swallowed. */
export function notifyObservers(local: readonly AnalysisObserver[], event: AnalysisEvent): void {
  for (const o of local) call(o, event);
  for (const o of GLOBAL) call(o, event);
}

function call(o: AnalysisObserver, event: AnalysisEvent): void {
  try {
    o.onAnalysis(event);
  } catch {
    // An observer never breaks analysis.
  }
}
