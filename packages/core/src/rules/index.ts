export { AhoCorasick, HitBuffer } from './aho-corasick.js';
export { BUILTIN_RULES, BUILTIN_SIGNALS } from './catalog/index.js';
export { type CompiledCustomPattern, compileCustomPattern } from './custom-patterns.js';
export { RuleEngine, type RuleEngineOptions, type RuleEngineStats } from './rule-engine.js';
export type {
  CompositeRule,
  CustomPattern,
  PatternRule,
  Rule,
  RuleExamples,
  RuleInfo,
  Signal,
} from './types.js';
