export type { CompositeRule, CustomPattern, PatternRule, Rule, RuleExamples, RuleInfo, Signal } from './types.js';
