export {
  DRIFT_DETECTED,
  DriftDetector,
  type DriftDetectorOptions,
  type DriftEvent,
  type DriftListener,
  type DriftStatus,
} from './drift-detector.js';
export {
  enableObservability,
  type ObservabilityHandle,
  type ObservabilityOptions,
} from './enable-observability.js';
export { MAX_DRIFT_WINDOW, MIN_DRIFT_WINDOW } from './env.js';
export {
  type EnableMetricsOptions,
  enableMetrics,
  LATENCY_BUCKETS,
  METRIC_NAMES,
  type MetricsHandle,
  OTHER_LABEL,
  type PrometheusRegistry,
  RISK_SCORE_BUCKETS,
} from './prometheus-metrics.js';
export {
  DRIFT_SEVERITY_MULTIPLIERS,
  type DriftSeverity,
  driftSeverity,
  PSI_EPSILON,
  type PsiOptions,
  populationStabilityIndex,
  RISK_SCORE_BINS,
  riskScoreBin,
} from './psi.js';
