import type { Finding } from '../analyzer/types.js';
import { sentenceSpans } from './sentences.js';

/** A rewrite proposal: the content with every sentence that carries evidence removed. */
export interface SanitizeProposal {
  text: string;
  /** Characters removed. */
  removed: number;
  /** Sentences removed. */
  removedSpans: number;
}

export interface SanitizeLimits {
  /** At most this fraction of the content may be removed. @default 0.5 */
  maxRemovedFraction?: number;
  /** At least this many non-space characters must remain. @default 24 */
  minRemaining?: number;
}

const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\u00ad]|\udb40[\udc00-\udc7f]/g;

/**
 * Drops every sentence (or HTML comment) that overlaps a finding's evidence, and strips invisible
 * and tag characters. Returns `undefined` when nothing useful would remain: then the caller keeps
 * the stronger decision. The caller must re-analyze the proposal before using it.
 */
export function proposeSanitized(
  content: string,
  findings: readonly Finding[],
  limits: SanitizeLimits = {},
): SanitizeProposal | undefined {
  const maxRemoved = limits.maxRemovedFraction ?? 0.5;
  const minRemaining = limits.minRemaining ?? 24;
  const evidence = findings.map((f) => f.evidence).filter((e) => e.end > e.start);
  if (evidence.length === 0) return undefined;
  const spans = sentenceSpans(content);
  const kept: string[] = [];
  let removed = 0;
  let removedSpans = 0;
  for (const span of spans) {
    const hit = evidence.some((e) => e.start < span.end && e.end > span.start);
    if (hit) {
      removed += span.end - span.start;
      removedSpans++;
    } else {
      kept.push(content.slice(span.start, span.end));
    }
  }
  if (removedSpans === 0 || removed / content.length > maxRemoved) return undefined;
  const text = kept
    .join('')
    .replace(INVISIBLE, '')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (text.replace(/\s+/g, '').length < minRemaining) return undefined;
  return { text, removed, removedSpans };
}
