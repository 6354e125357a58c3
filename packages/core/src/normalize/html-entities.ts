/** HTML character-reference segment finder (`&#105;&#x67;&lt;…`). */
import { type DecodeStats, type EncodedSegment, MAX_DECODED_UNITS } from './segment.js';
import { looksLikeText } from './text-test.js';
import { unitsToString } from './utf16.js';

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

/** `NAMED` as code units. */
const NAMED_UNIT = new Map(Object.entries(NAMED).map(([k, v]) => [k, v.charCodeAt(0)]));

/** The entity parsed by `parseEntity`. */
interface Entity {
  end: number;
  /** The code point it stands for. */
  cp: number;
}

function hexDigitValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** Parses the character reference at `p` (`s[p] === '&'`) into `e`; false if there is none. */
function parseEntity(s: string, p: number, e: Entity): boolean {
  let i = p + 1;
  if (s.charCodeAt(i) === 0x23) {
    i++;
    const hex = (s.charCodeAt(i) | 0x20) === 0x78;
    if (hex) i++;
    const digits = i;
    let cp = 0;
    if (hex) {
      while (i - digits < 7) {
        const d = hexDigitValue(s.charCodeAt(i));
        if (d < 0) break;
        cp = cp * 16 + d;
        i++;
      }
    } else {
      while (i - digits < 7) {
        const c = s.charCodeAt(i);
        if (c < 0x30 || c > 0x39) break;
        cp = cp * 10 + c - 0x30;
        i++;
      }
    }
    if (i === digits) return false;
    if (cp <= 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    if (s.charCodeAt(i) === 0x3b) i++;
    e.end = i;
    e.cp = cp;
    return true;
  }
  const name = i;
  while (i - name < 8 && (s.charCodeAt(i) | 0x20) >= 0x61 && (s.charCodeAt(i) | 0x20) <= 0x7a) i++;
  if (i - name < 2 || s.charCodeAt(i) !== 0x3b) return false;
  const unit = NAMED_UNIT.get(s.slice(name, i).toLowerCase());
  if (unit === undefined) return false;
  e.end = i + 1;
  e.cp = unit;
  return true;
}

function isSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * Appends to `out` (at most `limit`) the HTML-entity segments of `s`: groups of at least three
 * character references at most 16 characters apart on one line, extended to the surrounding word
 * boundaries (≤ 64 characters), decoded. Kept only if the result reads as text. Only the first
 * `MAX_DECODED_UNITS` code units of a longer segment are decoded (see
 * `EncodedSegment.truncatedAt`). Linear in `s.length`.
 */
export function findHtmlEntitySegments(
  s: string,
  limit: number,
  out: EncodedSegment[],
  stats?: DecodeStats,
): void {
  const n = s.length;
  const e: Entity = { end: 0, cp: 0 };
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
    let step = 0; // width of the previous step
    for (;;) {
      // The next '&' at most MAX_GAP characters on, with no line break before it.
      const q = nextAmpersand(s, last);
      if (q < 0 || !parseEntity(s, q, e)) break;
      count++;
      const prev = last;
      last = e.end;
      const width = last - prev;
      if (count >= GALLOP_AFTER && width === step) {
        const k = repeatedSteps(s, prev, last);
        count += k;
        last += k * width;
      }
      step = width;
    }
    if (count >= MIN_HTML_ENTITIES) {
      let start = first;
      while (start > floor && first - start < MAX_EXTEND && !isSpace(s.charCodeAt(start - 1))) start--;
      let end = last;
      while (end < n && end - last < MAX_EXTEND && !isSpace(s.charCodeAt(end)) && s.charCodeAt(end) !== 0x26)
        end++;
      const decoded = decodeEntities(s, start, end, e, MAX_DECODED_UNITS);
      const upTo = decodedUpTo;
      if (upTo < end) {
        if (stats) stats.truncated++;
        if (looksLikeText(decoded)) {
          out.push({
            kind: 'html_entity',
            start,
            end,
            decoded,
            truncatedAt: upTo,
            decodeAll: () => decodeEntities(s, start, end, e, Number.POSITIVE_INFINITY),
          });
          found++;
        }
      } else if (looksLikeText(decoded)) {
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

/**
 * The first '&' in `s[from..from + MAX_GAP]` with no line feed before it, or -1: what
 * `s.indexOf('&', from)` finds when it is at most `MAX_GAP` on and on the same line.
 */
function nextAmpersand(s: string, from: number): number {
  const lim = Math.min(s.length, from + MAX_GAP + 1);
  for (let j = from; j < lim; j++) {
    const c = s.charCodeAt(j);
    if (c === 0x26) return j;
    if (c === 0x0a) return -1;
  }
  return -1;
}

/** Chain steps after which a repeated step is looked for (`repeatedSteps`). */
const GALLOP_AFTER = 32;
/** Longest block `repeatedSteps` compares at once. */
const MAX_GALLOP_BLOCK = 1 << 14;

/**
 * How many more chain steps, from `last`, repeat the step that went from `prev` to `last` exactly.
 *
 * A step from `x` (gap scan, then `parseEntity`) reads only `s[x..x + width]` (the last one being
 * the look-ahead of a reference without ';'), so it goes from `x` to `x + width` like the step
 * from `prev` did whenever `s[x..x + width]` equals `s[prev..last]`. `k` steps in a row repeat it
 * when `s[last..last + k·width]` is `unit` k times followed by `unit[0]` (`unit = s[prev..last)`).
 * Compared in blocks of doubling size (string comparisons instead of a parse per reference);
 * linear in the characters skipped.
 */
function repeatedSteps(s: string, prev: number, last: number): number {
  const unit = s.slice(prev, last);
  const first = unit.charCodeAt(0);
  let block = unit;
  let k = 1;
  let total = 0;
  let at = last;
  for (;;) {
    if (s.charCodeAt(at + block.length) === first && s.startsWith(block, at)) {
      at += block.length;
      total += k;
      if (block.length <= MAX_GALLOP_BLOCK) {
        block += block;
        k *= 2;
      }
    } else if (k > 1) {
      k >>= 1;
      block = block.slice(0, k * unit.length);
    } else {
      return total;
    }
  }
}

let scratch = new Uint16Array(256);
/** Where the last `decodeEntities` stopped (its `end` unless the cap was reached). */
let decodedUpTo = 0;

/** Decodes the references in `s[start..end)`, stopping once `cap` code units were produced (sets `decodedUpTo`). */
function decodeEntities(s: string, start: number, end: number, e: Entity, cap: number): string {
  const size = Math.min(end - start, cap + 1);
  if (scratch.length < size) scratch = new Uint16Array(Math.max(size, 2 * scratch.length));
  const buf = scratch;
  let len = 0;
  let i = start;
  while (i < end && len < cap) {
    const c = s.charCodeAt(i);
    if (c === 0x26 && parseEntity(s, i, e) && e.end <= end) {
      const cp = e.cp;
      if (cp > 0xffff) {
        if (len + 2 > cap) break;
        buf[len++] = 0xd800 + ((cp - 0x10000) >> 10);
        buf[len++] = 0xdc00 + ((cp - 0x10000) & 0x3ff);
      } else {
        buf[len++] = cp;
      }
      i = e.end;
    } else {
      buf[len++] = c;
      i++;
    }
  }
  decodedUpTo = i;
  return unitsToString(buf, 0, len);
}
