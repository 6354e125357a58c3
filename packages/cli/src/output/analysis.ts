import type { AnalysisResult } from '@memgar/core';
import type { Colors } from './color.js';

/** The human-readable report of `memgar analyze`. */
export function renderAnalysis(result: AnalysisResult, colors: Colors): string {
  const out: string[] = [];
  out.push(`${colors.bold('decision:   ')}${colors.decision(result.decision)}`);
  out.push(`${colors.bold('risk score: ')}${Math.round(result.riskScore)}/100`);
  out.push(`${colors.bold('source:     ')}${result.sourceType} (trust ${result.trust.toFixed(2)})`);
  out.push(`${colors.bold('explanation:')} ${result.explanation}`);
  if (result.degraded.length > 0) out.push(`${colors.bold('degraded:   ')}${result.degraded.join(', ')}`);
  if (result.findings.length === 0) {
    out.push('findings:   none');
  } else {
    out.push(colors.bold(`findings (${result.findings.length}):`));
    for (const f of result.findings) {
      out.push(`  - ${f.ruleId} [${f.severity}] ${f.category}: ${f.title}`);
      const mitre = [...f.mitre.atlas, ...f.mitre.attack];
      if (mitre.length > 0) out.push(`      MITRE:    ${mitre.join(', ')}`);
      const view = f.evidence.view === 'text' ? '' : ` (${f.evidence.view})`;
      out.push(`      evidence: ${JSON.stringify(f.evidence.text)}${view}`);
      if (f.evidence.decoded !== undefined) out.push(`      decoded:  ${JSON.stringify(f.evidence.decoded)}`);
    }
  }
  if (result.sanitized !== undefined) out.push(`${colors.bold('sanitized:')}\n${result.sanitized}`);
  return `${out.join('\n')}\n`;
}
