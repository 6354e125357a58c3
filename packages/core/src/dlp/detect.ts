import { InvalidInputError, InvalidOptionError } from '../errors/index.js';
import { detectPii } from './pii.js';
import { detectSecrets } from './secrets.js';
import { DLP_TYPES, type DlpFinding, type DlpType, PII_TYPES } from './types.js';

const TYPE_SET: ReadonlySet<string> = new Set(DLP_TYPES);
const PII_SET: ReadonlySet<string> = new Set(PII_TYPES);

export interface DetectSensitiveDataOptions {
  /** Only these types are reported. @default every type */
  types?: readonly DlpType[];
  /** Findings below this confidence (0..1) are dropped. @default 0.6 */
  minConfidence?: number;
}

/**
 * Finds secrets (provider API keys by their documented shape, PEM private keys, JWTs,
 * `password: …` assignments, high-entropy tokens after a secret-like word) and personal data
 * (e-mail, phone, IBAN with mod-97, payment cards with Luhn, US SSN with SSA validity rules).
 * Linear time in the text. Findings are sorted by position and never overlap: of two overlapping
 * findings the more confident (then the longer) is kept.
 *
 * @example
 * const findings = detectSensitiveData('key: sk_live_…, mail jane@example.com');
 * // [{ type: 'stripe_secret_key', … }, { type: 'email', … }]
 */
export function detectSensitiveData(text: string, options: DetectSensitiveDataOptions = {}): DlpFinding[] {
  if (typeof text !== 'string') {
    throw new InvalidInputError(
      'text',
      `detectSensitiveData expects a string, got ${text === null ? 'null' : typeof text}`,
    );
  }
  const minConfidence = options.minConfidence ?? 0.6;
  if (typeof minConfidence !== 'number' || !(minConfidence >= 0 && minConfidence <= 1)) {
    throw new InvalidOptionError('minConfidence', 'minConfidence must be a number from 0 to 1');
  }
  let wanted: ReadonlySet<string> | undefined;
  if (options.types !== undefined) {
    if (!Array.isArray(options.types)) throw new InvalidOptionError('types', 'types must be an array');
    for (const t of options.types) {
      if (!TYPE_SET.has(t)) throw new InvalidOptionError('types', `unknown DLP type ${String(t)}`);
    }
    wanted = new Set(options.types);
  }
  const wantSecrets = wanted === undefined || [...wanted].some((t) => !PII_SET.has(t));
  const wantPii = wanted === undefined || [...wanted].some((t) => PII_SET.has(t));
  const all = [...(wantSecrets ? detectSecrets(text) : []), ...(wantPii ? detectPii(text) : [])].filter(
    (f) => f.confidence >= minConfidence && (wanted === undefined || wanted.has(f.type)),
  );
  return resolveOverlaps(all);
}

/**
 * Sorted by start; of overlapping findings the most confident, then the longest, then a secret
 * wins. Linear in the text: each detector's findings are disjoint, so the spans checked and marked
 * add up to a small multiple of the text's length.
 */
export function resolveOverlaps(findings: readonly DlpFinding[]): DlpFinding[] {
  if (findings.length < 2) return [...findings];
  const ranked = [...findings].sort(
    (a, b) =>
      b.confidence - a.confidence ||
      b.end - b.start - (a.end - a.start) ||
      (a.kind === b.kind ? 0 : a.kind === 'secret' ? -1 : 1) ||
      a.start - b.start,
  );
  let max = 0;
  for (const f of findings) max = Math.max(max, f.end);
  const covered = new Uint8Array(max);
  const kept: DlpFinding[] = [];
  for (const f of ranked) {
    let free = true;
    for (let i = f.start; i < f.end; i++) {
      if (covered[i] === 1) {
        free = false;
        break;
      }
    }
    if (!free) continue;
    covered.fill(1, f.start, f.end);
    kept.push(f);
  }
  return kept.sort((a, b) => a.start - b.start);
}
