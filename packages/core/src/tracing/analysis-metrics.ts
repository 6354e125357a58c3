import type { Attributes, Counter, Histogram, Meter } from '@opentelemetry/api';
import type { AnalysisResult, SourceType } from '../analyzer/types.js';
import { ANALYSIS_ATTRIBUTES, ANALYSIS_METRICS } from './semantic-names.js';

/** Bucket bounds (ms) of `memgar.analysis.duration`: analyses take well under a millisecond to seconds (judge). */
const DURATION_BUCKETS_MS = [0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000];
const RISK_BUCKETS = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];

/**
 * The three analysis instruments, created once per meter. Attribute sets are low-cardinality by
 * construction: decision, source type, a degraded flag, an error type — never ids or content.
 * @internal
 */
export class AnalysisMetrics {
  readonly #analyses: Counter;
  readonly #duration: Histogram;
  readonly #risk: Histogram;

  constructor(meter: Meter) {
    this.#analyses = meter.createCounter(ANALYSIS_METRICS.analyses, {
      description: 'Finished memgar analyses, by decision and source type',
      unit: '{analysis}',
    });
    this.#duration = meter.createHistogram(ANALYSIS_METRICS.duration, {
      description: 'Wall time of memgar analyze() calls',
      unit: 'ms',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS_MS },
    });
    this.#risk = meter.createHistogram(ANALYSIS_METRICS.riskScore, {
      description: 'Risk scores (0..100) of memgar analyses',
      unit: '1',
      advice: { explicitBucketBoundaries: RISK_BUCKETS },
    });
  }

  /** Records one successful analysis. */
  recordResult(result: AnalysisResult, elapsedMs: number): void {
    const attrs: Attributes = {
      [ANALYSIS_ATTRIBUTES.decision]: result.decision,
      [ANALYSIS_ATTRIBUTES.sourceType]: result.sourceType,
      [ANALYSIS_ATTRIBUTES.degradedCount]: result.degraded.length > 0,
    };
    this.#analyses.add(1, attrs);
    this.#duration.record(elapsedMs, attrs);
    this.#risk.record(result.riskScore, { [ANALYSIS_ATTRIBUTES.sourceType]: result.sourceType });
  }

  /** Records one analysis that threw (invalid input, or a bug). */
  recordError(sourceType: SourceType, errorType: string, elapsedMs: number): void {
    const attrs: Attributes = {
      [ANALYSIS_ATTRIBUTES.sourceType]: sourceType,
      [ANALYSIS_ATTRIBUTES.errorType]: errorType,
    };
    this.#analyses.add(1, attrs);
    this.#duration.record(elapsedMs, attrs);
  }
}
