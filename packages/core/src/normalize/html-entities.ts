/** HTML character-reference segment finder (`&#105;&#x67;&lt;…`). */
import type { EncodedSegment } from './segment.js';
import { looksLikeText } from './text-test.js';

/** Fewest entities for an HTML-entity segment. */
export const MIN_HTML_ENTITIES = 3;
/** Entities at most this many characters apart (on one line) belong to the same segment. */
const MAX_GAP = 16;
/** How far a segment is extended to the surrounding word boundaries. */
const MAX_EXTEND = 64;

// biome-ignore format: compact table
const NAMED: Record<string, string> = {
  lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: '\u00a0', tab: '\t', newline: '\n', colon: ':',
  sol: '/', bsol: '\\', lpar: '(', rpar: ')', period: '.', comma: ',', excl: '!', num: '#', dollar: '$',
  percnt: '%', ast: '*', plus: '+', equals: '=', quest: '?', commat: '@', lsqb: '[', rsqb: ']', lcub: '{',
  rcub: '}', hyphen: '-', lowbar: '_', grave: '`', verbar: '|', semi: ';', copy: '©', reg: '®',
  hellip: '…', mdash: '—', ndash: '–', lsquo: '‘', rsquo: '’', ldquo: '“', rdquo: '”',
};

/** The entity parsed by `parseEntity`. */
interface Entity {
  end: number;
  value: string;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isHexDigit(c: number): boolean {
  return isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/** Parses the character reference at `p` (`s[p] === '&'`) into `e`; false if there is none. */
function parseEntity(s: string, p: number, e: Entity): boolean {
  let i = p + 1;
  if (s.charCodeAt(i) === 0x23) {
    i++;
    const hex = (s.charCodeAt(i) | 0x20) === 0x78;
    if (hex) i++;
    const digits = i;
    while (i - digits < 7 && (hex ? isHexDigit(s.charCodeAt(i)) : isDigit(s.charCodeAt(i)))) i++;
    if (i === digits) return false;
    const cp = Number.parseInt(s.slice(digits, i), hex ? 16 : 10);
    if (cp <= 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    if (s.charCodeAt(i) === 0x3b) i++;
    e.end = i;
    e.value = String.fromCodePoint(cp);
    return true;
  }
  const name = i;
  while (i - name < 8 && (s.charCodeAt(i) | 0x20) >= 0x61 && (s.charCodeAt(i) | 0x20) <= 0x7a) i++;
  if (i - name < 2 || s.charCodeAt(i) !== 0x3b) return false;
  const value = NAMED[s.slice(name, i).toLowerCase()];
  if (value === undefined) return false;
  e.end = i + 1;
  e.value = value;
  return true;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * Appends to `out` (at most `limit`) the HTML-entity segments of `s`: groups of at least three
 * character references at most 16 characters apart on one line, extended to the surrounding word
 * boundaries (≤ 64 characters), decoded. Kept only if the result reads as text. Linear in
 * `s.length`.
 */
export function findHtmlEntitySegments(s: string, limit: number, out: EncodedSegment[]): void {
  const n = s.length;
  const e: Entity = { end: 0, value: '' };
  let found = 0;
  let floor = 0; // segments never reach back before the previous group
  let p = s.indexOf('&');
  while (p >= 0 && found < limit) {
    if (!parseEntity(s, p, e)) {
      p = s.indexOf('&', p + 1);
      continue;
    }
    const first = p;
    let count = 1;
    let last = e.end;
    for (;;) {
      const q = s.indexOf('&', last);
      if (q < 0 || q - last > MAX_GAP || hasNewline(s, last, q) || !parseEntity(s, q, e)) break;
      count++;
      last = e.end;
    }
    if (count >= MIN_HTML_ENTITIES) {
      let start = first;
      while (start > floor && first - start < MAX_EXTEND && !isSpace(s.charCodeAt(start - 1))) start--;
      let end = last;
      while (end < n && end - last < MAX_EXTEND && !isSpace(s.charCodeAt(end)) && s.charCodeAt(end) !== 0x26)
        end++;
      const decoded = decodeEntities(s, start, end, e);
      if (looksLikeText(decoded)) {
        out.push({ kind: 'html_entity', start, end, decoded });
        found++;
      }
      floor = end;
      p = s.indexOf('&', end);
    } else {
      floor = last;
      p = s.indexOf('&', last);
    }
  }
}

function hasNewline(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 0x0a) return true;
  return false;
}

function decodeEntities(s: string, start: number, end: number, e: Entity): string {
  const parts: string[] = [];
  let copied = start;
  let p = s.indexOf('&', start);
  while (p >= 0 && p < end) {
    if (parseEntity(s, p, e) && e.end <= end) {
      parts.push(s.slice(copied, p), e.value);
      copied = e.end;
      p = s.indexOf('&', e.end);
    } else {
      p = s.indexOf('&', p + 1);
    }
  }
  parts.push(s.slice(copied, end));
  return parts.join('');
}
