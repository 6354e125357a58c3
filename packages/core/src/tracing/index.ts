export { ANALYSIS_ATTRIBUTES, ANALYSIS_METRICS, SPAN_ANALYZE, SPAN_ANALYZE_BATCH } from './semantic-names.js';
export {
  INSTRUMENTATION_SCOPE,
  resultAttributes,
  type TraceAnalyzerOptions,
  type TraceableAnalyzer,
  traceAnalyzer,
} from './trace-analyzer.js';
