import { describe, expectTypeOf, it } from 'vitest';
import type { CustomPattern, RuleInfo } from '../rules/index.js';
import { Analyzer } from './analyzer.js';
import type { AnalyzerOptions } from './options.js';
import type { AnalysisResult, Decision, Finding, HealthReport, MemoryEntry, SourceType } from './types.js';

describe('public types', () => {
  it('analyze takes an entry or a string and resolves to an AnalysisResult', () => {
    const a = new Analyzer();
    expectTypeOf(a.analyze).parameter(0).toEqualTypeOf<MemoryEntry | string>();
    expectTypeOf(a.analyze).returns.toEqualTypeOf<Promise<AnalysisResult>>();
    expectTypeOf(a.analyzeBatch).returns.toEqualTypeOf<Promise<AnalysisResult[]>>();
    expectTypeOf(a.healthCheck).returns.toEqualTypeOf<HealthReport>();
    expectTypeOf(a.listRules).returns.toEqualTypeOf<RuleInfo[]>();
  });

  it('decisions and source types are closed unions', () => {
    expectTypeOf<Decision>().toEqualTypeOf<'allow' | 'sanitize' | 'human_review' | 'quarantine' | 'block'>();
    expectTypeOf<'rag'>().toExtend<SourceType>();
    expectTypeOf<'galaxy'>().not.toExtend<SourceType>();
    expectTypeOf<AnalysisResult['sanitized']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<Finding['evidence']['start']>().toEqualTypeOf<number>();
  });

  it('options reject unknown keys and a decision that would let oversized content through', () => {
    expectTypeOf<{ profle: 'strict' }>().not.toExtend<AnalyzerOptions>();
    expectTypeOf<{ oversizeDecision: 'allow' }>().not.toExtend<AnalyzerOptions>();
    expectTypeOf<{ customPatterns: CustomPattern[] }>().toExtend<AnalyzerOptions>();
  });
});
