import type { Decision, Finding, SourceType } from './types.js';

const MAX_EVIDENCE = 60;

function clip(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_EVIDENCE ? `${flat.slice(0, MAX_EVIDENCE - 1)}…` : flat;
}

/** One line a human can read: decision, score, the strongest finding, and the source. */
export function explain(
  decision: Decision,
  score: number,
  ranked: readonly Finding[],
  sourceType: SourceType,
  trust: number,
  extras: readonly string[] = [],
): string {
  const head = `${decision} (risk ${Math.round(score)}/100)`;
  const src = `source ${sourceType}, trust ${trust.toFixed(2)}`;
  const top = ranked[0];
  const parts = [head];
  if (top === undefined) {
    parts.push('no rule matched');
  } else {
    const more =
      ranked.length > 1 ? `; +${ranked.length - 1} more finding${ranked.length > 2 ? 's' : ''}` : '';
    const where = top.evidence.view === 'text' ? '' : ` (decoded ${top.evidence.view})`;
    parts.push(
      `${top.severity} ${top.category.replace(/_/g, ' ')}: "${clip(top.evidence.decoded ?? top.evidence.text)}"${where} [${top.ruleId}]${more}`,
    );
  }
  parts.push(src, ...extras);
  return parts.join(' — ');
}
