import { PassThrough } from 'node:stream';
import type { AnalysisResult, Decision, Finding, HealthReport, MemoryEntry, RuleInfo } from '@memgar/core';
import type { AnalyzerLike, CliIO } from '../src/io.js';

/** A stream double that records what is written. */
export class Capture {
  text = '';
  constructor(
    public isTTY = false,
    public columns = 100,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

/** A finding on the word `EVIL` (for fake results). */
export function fakeFinding(content: string, severity: Finding['severity'] = 'high'): Finding {
  const start = Math.max(0, content.indexOf('EVIL'));
  return {
    ruleId: 'MG-TEST-001',
    title: 'Test rule',
    category: 'exfiltration',
    severity,
    weight: 0.8,
    mitre: { atlas: ['AML.T0051.001'], attack: ['T1567'] },
    evidence: { text: content.slice(start, start + 4), start, end: start + 4, view: 'text' },
    layer: 'rules',
  };
}

/**
 * A fake analyzer: the decision is the first `[[decision]]` marker in the text (else allow); any text
 * containing `EVIL` gets a finding. `THROW` makes it throw.
 */
export function fakeAnalyzer(overrides: Partial<AnalyzerLike> = {}): AnalyzerLike {
  return {
    async analyze(input: MemoryEntry | string): Promise<AnalysisResult> {
      const entry = typeof input === 'string' ? { content: input } : input;
      if (entry.content.includes('THROW')) throw new Error('boom');
      const decision = (/\[\[(\w+)\]\]/.exec(entry.content)?.[1] ?? 'allow') as Decision;
      const layer = { ran: true, delta: 0, note: '' };
      return {
        decision,
        riskScore: decision === 'allow' ? 5 : 80,
        findings: entry.content.includes('EVIL') ? [fakeFinding(entry.content)] : [],
        explanation: `fake ${decision}`,
        degraded: [],
        layers: { rules: layer, learned: layer, trust: layer, behavior: layer, judge: layer },
        sourceType: entry.sourceType ?? 'unknown',
        trust: 0.5,
        durationMs: 0,
      };
    },
    listRules(): RuleInfo[] {
      return [];
    },
    healthCheck(): HealthReport {
      return { status: 'ok', failClose: false, subsystems: {} };
    },
    ...overrides,
  };
}

/** An in-process IO with captured streams and the fake analyzer. */
export function fakeIO(cwd: string, options: { tty?: boolean; env?: Record<string, string> } = {}) {
  const stdout = new Capture(options.tty === true);
  const stderr = new Capture(options.tty === true);
  const io: CliIO = {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: options.env ?? {},
    cwd,
    createAnalyzer: () => fakeAnalyzer(),
  };
  return { io, stdout, stderr };
}
