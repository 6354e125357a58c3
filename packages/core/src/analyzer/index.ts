export { Analyzer } from './analyzer.js';
export type { AnalyzerOptions, JudgeOptions, BehaviorOptions, PolicyProfile, Thresholds } from './options.js';
export * from './types.js';
