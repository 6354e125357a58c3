import type { AnalyzerOptions } from './options.js';
import type { AnalysisResult, HealthReport, MemoryEntry } from './types.js';
import type { RuleInfo } from '../rules/types.js';

/** STAND-IN: the real analyzer is being written. The public surface below is final. */
export class Analyzer {
  constructor(readonly options: AnalyzerOptions = {}) {}

  async analyze(entry: MemoryEntry | string): Promise<AnalysisResult> {
    const e = typeof entry === 'string' ? { content: entry } : entry;
    const layer = { ran: false, delta: 0, note: 'stand-in' };
    return {
      decision: 'allow', riskScore: 0, findings: [], explanation: 'stand-in', degraded: [],
      layers: { rules: layer, learned: layer, trust: layer, behavior: layer, judge: layer },
      sourceType: e.sourceType ?? 'unknown', trust: 0.5, durationMs: 0,
    };
  }

  async analyzeBatch(entries: readonly (MemoryEntry | string)[]): Promise<AnalysisResult[]> {
    return Promise.all(entries.map((e) => this.analyze(e)));
  }

  registerSourceTrust(_sourceId: string, _trust: number): void {}

  listRules(_filter: { severity?: string; category?: string } = {}): RuleInfo[] {
    return [];
  }

  healthCheck(): HealthReport {
    return { status: 'ok', failClose: false, subsystems: {} };
  }
}
