import { InvalidInputError, InvalidOptionError } from '../errors/index.js';
import { sha256Hex } from '../runtime/content-hash.js';
import type { DlpFinding } from './types.js';

/**
 * How a finding is replaced:
 * - `label`: `[REDACTED:email]`;
 * - `mask`: every non-space character becomes `*` (the text keeps its layout);
 * - `partial`: cards, IBANs, phones and SSNs keep their last four digits (`**** **** **** 1111`),
 *   e-mails their first letter and domain (`j***@example.com`); secrets are labelled, never partial;
 * - `hash`: `[email:1a2b3c4d]`, the first 8 hex digits of the value's SHA-256 — the same value
 *   always gets the same pseudonym, so texts stay joinable without the value.
 */
export type RedactStyle = 'label' | 'mask' | 'partial' | 'hash';

export interface RedactOptions {
  /** @default 'label' */
  style?: RedactStyle;
}

const STYLES = new Set(['label', 'mask', 'partial', 'hash']);

function partial(f: DlpFinding, value: string): string {
  if (f.kind === 'secret') return `[REDACTED:${f.type}]`;
  if (f.type === 'email') {
    const at = value.indexOf('@');
    return `${value.charAt(0)}***${value.slice(at)}`;
  }
  // Keep the last four alphanumerics and every separator.
  let keep = 4;
  const chars = value.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    if (!/[A-Za-z0-9]/.test(chars[i]!)) continue;
    if (keep > 0) keep--;
    else chars[i] = '*';
  }
  return chars.join('');
}

function replacement(f: DlpFinding, value: string, style: RedactStyle): string {
  switch (style) {
    case 'label':
      return `[REDACTED:${f.type}]`;
    case 'mask':
      return value.replace(/\S/g, '*');
    case 'partial':
      return partial(f, value);
    case 'hash':
      return `[${f.type}:${sha256Hex(value).slice(0, 8)}]`;
  }
}

/**
 * Replaces each finding's span in `text`. Findings may come in any order; overlapping spans are
 * merged into the first one. Throws `InvalidInputError` for a span outside the text.
 */
export function redact(text: string, findings: readonly DlpFinding[], options: RedactOptions = {}): string {
  if (typeof text !== 'string') throw new InvalidInputError('text', 'redact expects a string');
  if (!Array.isArray(findings))
    throw new InvalidInputError('findings', 'redact expects an array of findings');
  const style = options.style ?? 'label';
  if (!STYLES.has(style))
    throw new InvalidOptionError('style', `style must be label, mask, partial or hash, got ${String(style)}`);
  const sorted = [...findings].sort((a, b) => a.start - b.start);
  let out = '';
  let at = 0;
  for (const f of sorted) {
    if (
      !Number.isInteger(f.start) ||
      !Number.isInteger(f.end) ||
      f.start < 0 ||
      f.end > text.length ||
      f.end <= f.start
    ) {
      throw new InvalidInputError('findings', `finding span ${f.start}..${f.end} is outside the text`);
    }
    if (f.start < at) continue;
    out += text.slice(at, f.start) + replacement(f, text.slice(f.start, f.end), style);
    at = f.end;
  }
  return out + text.slice(at);
}
