import { IBAN_LENGTHS, ibanValid, luhnValid, ssnValid } from './checksums.js';
import {
  CARD,
  CARD_CONTEXT,
  EMAIL,
  IBAN,
  ID_CONTEXT,
  PHONE,
  PHONE_CONTEXT,
  SSN,
  SSN_CONTEXT,
} from './patterns.js';
import { maskedPreview } from './preview.js';
import type { DlpFinding, PiiType } from './types.js';

function finding(
  text: string,
  type: PiiType,
  start: number,
  end: number,
  confidence: number,
  note: string,
): DlpFinding {
  const c = Math.round(Math.min(0.99, Math.max(0, confidence)) * 100) / 100;
  return {
    type,
    kind: 'pii',
    start,
    end,
    confidence: c,
    preview: maskedPreview(text.slice(start, end)),
    note,
  };
}

/** The `n` characters before `index` on the same line, lower-cased. */
function before(text: string, index: number, n: number): string {
  const w = text.slice(Math.max(0, index - n), index);
  return w.slice(w.lastIndexOf('\n') + 1).toLowerCase();
}

function globalCopy(re: RegExp): RegExp {
  return new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
}

/** File extensions that follow an `@` in asset names (`icon@2x.png`) and are not top-level domains. */
const NOT_TLDS = new Set([
  'png',
  'jpg',
  'jpeg',
  'gif',
  'svg',
  'webp',
  'bmp',
  'ico',
  'pdf',
  'js',
  'mjs',
  'cjs',
  'ts',
  'tsx',
  'jsx',
  'css',
  'scss',
  'json',
  'yaml',
  'yml',
  'lock',
  'txt',
  'md',
  'html',
  'map',
  'wasm',
  'mp4',
  'mp3',
  'zip',
  'gz',
  'tgz',
]);

function emails(text: string, out: DlpFinding[]): void {
  if (text.indexOf('@') < 0) return;
  const re = globalCopy(EMAIL);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    let value = m[0];
    const at = value.indexOf('@');
    const local = value.slice(0, at);
    if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) continue;
    // A trailing hyphen or dot belongs to the sentence, not the address.
    value = value.replace(/[-.]+$/, '');
    const labels = value.slice(at + 1).split('.');
    const tld = labels[labels.length - 1]!;
    if (!/^[A-Za-z]{2,24}$/.test(tld) || NOT_TLDS.has(tld.toLowerCase())) continue;
    if (labels.some((l) => l.length === 0 || l.startsWith('-') || l.endsWith('-'))) continue;
    out.push(finding(text, 'email', m.index, m.index + value.length, 0.95, 'e-mail address'));
  }
}

interface PhoneShape {
  confidence: number;
  note: string;
}

/** Decides whether a candidate is a phone number, from its digit groups and separators. */
function phoneShape(s: string): PhoneShape | undefined {
  const digits = s.replace(/\D/g, '');
  const groups = s.split(/[^\d]+/).filter((g) => g.length > 0);
  if (s.startsWith('+')) {
    if (digits.length < 8 || digits.length > 15) return undefined;
    if (
      groups.length === 1 ||
      groups.every((g) => g.length <= 5) ||
      groups.slice(1).every((g) => g.length <= 8)
    ) {
      return { confidence: 0.85, note: 'international (+ country code)' };
    }
    return undefined;
  }
  // Dates (2024-01-15, 15.01.2024), versions and IP addresses are digit groups too.
  if (
    /^(?:19|20)\d\d[-./ ]\d{1,2}[-./ ]\d{1,2}/.test(s) ||
    /^\d{1,2}[-./ ]\d{1,2}[-./ ](?:19|20)\d\d/.test(s)
  ) {
    return undefined;
  }
  // North American: (NXX) NXX-XXXX, NXX-NXX-XXXX, NXX.NXX.XXXX, with an optional leading 1.
  const nanp = /^(?:1[ .-]?)?(?:\(([2-9]\d\d)\)[ ]?|([2-9]\d\d)([ .-]))[2-9]\d\d[ .-]\d{4}$/.exec(s);
  if (nanp !== null) {
    const sep = nanp[3];
    if (sep !== undefined && !s.slice(s.indexOf(sep) + 1).includes(sep)) return undefined;
    return { confidence: 0.75, note: 'North American number' };
  }
  if (/^[\d.]+$/.test(s)) return undefined;
  // National numbers with a trunk prefix: 030 1234 5678, (020) 7946 0958, 06-12345678.
  if (digits.startsWith('0') && !digits.startsWith('00') && digits.length >= 9 && digits.length <= 12) {
    if (groups.length >= 2 && groups.every((g) => g.length >= 2)) {
      return { confidence: s.startsWith('(') ? 0.6 : 0.45, note: 'national number (trunk prefix 0)' };
    }
  }
  return undefined;
}

function phones(text: string, out: DlpFinding[]): void {
  const re = globalCopy(PHONE);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    let s = m[0];
    // A parenthesis opened before the number or closed after it is not part of it.
    if (s.endsWith(')') && !s.includes('(')) s = s.slice(0, -1);
    const shape = phoneShape(s);
    if (shape === undefined) continue;
    const ctx = before(text, m.index, 32);
    let c = shape.confidence;
    if (PHONE_CONTEXT.test(ctx)) c += 0.15;
    else if (ID_CONTEXT.test(before(text, m.index, 16))) c -= 0.3;
    out.push(finding(text, 'phone', m.index, m.index + s.length, c, shape.note));
  }
}

function ibans(text: string, out: DlpFinding[]): void {
  const re = globalCopy(IBAN);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const cand = m[0];
    const len = IBAN_LENGTHS[cand.slice(0, 2)];
    if (len === undefined) continue;
    // Take exactly the country's length in alphanumerics; what follows must start a new word.
    let n = 0;
    let end = 0;
    while (end < cand.length && n < len) {
      if (cand.charAt(end) !== ' ') n++;
      end++;
    }
    if (n < len || (end < cand.length && cand.charAt(end) !== ' ')) continue;
    const compact = cand.slice(0, end).replace(/ /g, '');
    if (!ibanValid(compact)) continue;
    out.push(finding(text, 'iban', m.index, m.index + end, 0.95, `IBAN ${compact.slice(0, 2)}, mod-97 ok`));
    re.lastIndex = m.index + end;
  }
}

function cardBrand(d: string): string | undefined {
  const n = d.length;
  const p2 = Number(d.slice(0, 2));
  const p3 = Number(d.slice(0, 3));
  const p4 = Number(d.slice(0, 4));
  if (d.startsWith('4') && (n === 13 || n === 16 || n === 19)) return 'Visa';
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && n === 16) return 'Mastercard';
  if ((p2 === 34 || p2 === 37) && n === 15) return 'American Express';
  if ((p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649)) && n >= 16 && n <= 19) return 'Discover';
  if (p4 >= 3528 && p4 <= 3589 && n >= 16 && n <= 19) return 'JCB';
  if (((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) && n >= 14 && n <= 19)
    return 'Diners Club';
  if (p2 === 62 && n >= 16 && n <= 19) return 'UnionPay';
  return undefined;
}

/** Card numbers printed in groups use these layouts. */
const CARD_GROUPINGS = new Set(['4-4-4-4', '4-4-4-4-3', '4-6-5', '4-6-4', '4-4-4-1', '4-4-4-4-2', '4-4-4-2']);

function cards(text: string, out: DlpFinding[]): void {
  const re = globalCopy(CARD);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const s = m[0];
    const seps = s.replace(/\d/g, '');
    if (seps.length > 0 && !(/^ +$/.test(seps) || /^-+$/.test(seps))) continue;
    const digits = s.replace(/\D/g, '');
    if (/^(\d)\1+$/.test(digits) || !luhnValid(digits)) continue;
    const brand = cardBrand(digits);
    if (brand === undefined) continue;
    let c: number;
    if (seps.length > 0) {
      const layout = s
        .split(/[ -]/)
        .map((g) => g.length)
        .join('-');
      if (!CARD_GROUPINGS.has(layout)) continue;
      c = 0.9;
    } else {
      c = 0.7;
    }
    if (CARD_CONTEXT.test(before(text, m.index, 32))) c += 0.08;
    else if (ID_CONTEXT.test(before(text, m.index, 20))) c -= 0.3;
    out.push(finding(text, 'credit_card', m.index, m.index + s.length, c, `Luhn ok, ${brand}`));
  }
}

function ssns(text: string, out: DlpFinding[]): void {
  const re = globalCopy(SSN);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const s = m[0];
    const d = s.replace(/\D/g, '');
    const sep1 = s.charAt(3);
    const sep2 = s.charAt(/\d/.test(sep1) ? 5 : 6);
    const bare = d.length === s.length;
    if (!bare && (sep1 !== sep2 || /\d/.test(sep1))) continue;
    if (!ssnValid(d.slice(0, 3), d.slice(3, 5), d.slice(5))) continue;
    const ctx = before(text, m.index, 32);
    const context = SSN_CONTEXT.test(ctx);
    let c: number;
    if (bare) {
      // Nine bare digits are everywhere (order numbers, ids): only with an SSN word before them.
      if (!context) continue;
      c = 0.85;
    } else {
      c = sep1 === '-' ? 0.8 : 0.55;
      if (context) c += 0.15;
      else if (ID_CONTEXT.test(before(text, m.index, 16))) c -= 0.3;
    }
    out.push(finding(text, 'us_ssn', m.index, m.index + s.length, c, 'US SSN (SSA validity rules)'));
  }
}

/** Every PII finding in `text`, unsorted and possibly overlapping (the caller resolves overlaps). */
export function detectPii(text: string): DlpFinding[] {
  const out: DlpFinding[] = [];
  emails(text, out);
  phones(text, out);
  ibans(text, out);
  cards(text, out);
  ssns(text, out);
  return out;
}
