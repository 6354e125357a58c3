import type { Decision } from '../analyzer/types.js';
import type { DlpFinding, DlpPolicy } from '../dlp/index.js';

/** What the DLP policy does to a text the security policy let through. */
export interface DlpStep {
  /** `block` or `sanitize` when DLP changed the decision; undefined when it did not. */
  decision: Extract<Decision, 'block' | 'sanitize'> | undefined;
  /** The text after redaction (undefined when blocked). */
  text: string | undefined;
  findings: DlpFinding[];
  rule: string;
  reason: string;
}

/** @internal Runs the DLP policy on allowed text: a `block` finding blocks it, `redact` findings sanitize it. */
export function dlpStep(dlp: DlpPolicy, text: string): DlpStep {
  const r = dlp.apply(text);
  const acted = r.findings.filter((f) => f.action !== 'allow');
  const findings: DlpFinding[] = acted.map(({ action: _action, ...f }) => f);
  if (r.action === 'block') {
    const f = acted.find((x) => x.action === 'block')!;
    return {
      decision: 'block',
      text: undefined,
      findings,
      rule: `dlp:${f.type}`,
      reason: `DLP: ${f.type} (${f.note}) is blocked by the DLP policy`,
    };
  }
  if (r.action === 'redact') {
    const types = [...new Set(acted.map((f) => f.type))];
    return {
      decision: 'sanitize',
      text: r.text,
      findings,
      rule: `dlp:${types[0]}`,
      reason: `DLP: redacted ${types.join(', ')}`,
    };
  }
  return { decision: undefined, text, findings: [], rule: '', reason: '' };
}
