export { type AnalyzeBatchOptions, Analyzer, type AnalyzerFeedStatus } from './analyzer.js';
export {
  type AnalysisEvent,
  type AnalysisObserver,
  addAnalysisObserver,
} from './observers.js';
export type {
  AnalyzerOptions,
  BehaviorOptions,
  FeedOptions,
  JudgeOptions,
  LearnedOptions,
  PolicyProfile,
  Thresholds,
} from './options.js';
export { DEFAULT_LEARNED_SOURCES, DEFAULT_LEARNED_THRESHOLD } from './options.js';
export { combineWeights, SEVERITY_FLOOR } from './scoring.js';
export * from './types.js';
