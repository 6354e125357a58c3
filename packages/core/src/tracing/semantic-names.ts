/**
 * The names memgar gives its OpenTelemetry spans, span attributes and metric instruments. They are
 * part of the public API: dashboards and alerts key on them, so they only ever get added to.
 */

/** The span around one `analyze()` call. */
export const SPAN_ANALYZE = 'memgar.analyze';
/** The span around one `analyzeBatch()` call; each entry's `memgar.analyze` span is its child. */
export const SPAN_ANALYZE_BATCH = 'memgar.analyze_batch';

/** Span and metric attribute names. */
export const ANALYSIS_ATTRIBUTES = {
  /** The entry's source type (`rag`, `tool`, …); `unknown` when the entry gave none. */
  sourceType: 'memgar.source_type',
  /** The decision: `allow`, `sanitize`, `human_review`, `quarantine` or `block`. */
  decision: 'memgar.decision',
  /** The risk score, 0..100. */
  riskScore: 'memgar.risk_score',
  /** The trust (0..1) the source was given. */
  trust: 'memgar.trust',
  /** How many findings the analysis made. */
  findingsCount: 'memgar.findings.count',
  /** The distinct rule ids of the findings (at most 32, strongest first). */
  ruleIds: 'memgar.rule_ids',
  /** How many distinct rule ids the findings carry. */
  ruleIdsCount: 'memgar.rule_ids.count',
  /** Subsystems that should have run and did not (e.g. `judge`). */
  degraded: 'memgar.degraded',
  /** How many subsystems were degraded; on metrics, whether any was (`true`/`false`). */
  degradedCount: 'memgar.degraded.count',
  /** Whether the analyzer returned a sanitized rewrite. */
  sanitized: 'memgar.sanitized',
  /** The analyzer's own duration in milliseconds (`AnalysisResult.durationMs`). */
  durationMs: 'memgar.duration_ms',
  /** Length of the analyzed content in UTF-16 code units (never the content itself). */
  contentLength: 'memgar.content_length',
  /** The entry's `sourceId`; only with `recordIds: true`. */
  sourceId: 'memgar.source_id',
  /** The entry's `agentId`; only with `recordIds: true`. */
  agentId: 'memgar.agent_id',
  /** The entry's `tenantId`; only with `recordIds: true`. */
  tenantId: 'memgar.tenant_id',
  /** On `memgar.analyze_batch`: how many entries the batch holds. */
  batchSize: 'memgar.batch.size',
  /** On failures: the `MemgarError` code (`INVALID_INPUT`, …) or the error's name (OTel semconv). */
  errorType: 'error.type',
} as const;

/** Metric instrument names. */
export const ANALYSIS_METRICS = {
  /** Counter, unit `{analysis}`: finished analyses by decision and source type (or error type). */
  analyses: 'memgar.analyses',
  /** Histogram, unit `ms`: wall time of `analyze()` as the caller saw it. */
  duration: 'memgar.analysis.duration',
  /** Histogram, unit `1`: risk scores (0..100) by source type. */
  riskScore: 'memgar.analysis.risk_score',
} as const;
