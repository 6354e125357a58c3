import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../test-support/random.js';
import { findHtmlEntitySegments } from './html-entities.js';
import { type DecodeStats, type EncodedSegment, MAX_DECODED_UNITS } from './segment.js';
import { looksLikeText } from './text-test.js';
import { unitsToString } from './utf16.js';

// ---------------------------------------------------------------------------------------------
// Reference: the finder before the chain of references was scanned without `indexOf` and long
// runs of one repeated reference were skipped in blocks. Kept verbatim to compare against.
// ---------------------------------------------------------------------------------------------

/** Fewest entities for an HTML-entity segment. */
const MIN_HTML_ENTITIES = 3;
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
function referenceFind(s: string, limit: number, out: EncodedSegment[], stats?: DecodeStats): void {
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

function hasNewline(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 0x0a) return true;
  return false;
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

// ---------------------------------------------------------------------------------------------

interface Found {
  segments: Omit<EncodedSegment, 'decodeAll'>[];
  all: (string | undefined)[];
  truncated: number;
}

function run(
  find: (s: string, limit: number, out: EncodedSegment[], stats?: DecodeStats) => void,
  s: string,
  limit = 16,
): Found {
  const out: EncodedSegment[] = [];
  const stats: DecodeStats = { truncated: 0 };
  find(s, limit, out, stats);
  return {
    segments: out.map(({ decodeAll: _, ...rest }) => rest),
    all: out.map((seg) => seg.decodeAll?.()),
    truncated: stats.truncated,
  };
}

function expectSame(s: string, limit = 16): void {
  const got = run(findHtmlEntitySegments, s, limit);
  const want = run(referenceFind, s, limit);
  expect(got).toEqual(want);
}

const rng = mulberry32;

const PIECES = [
  '&#65;',
  '&#105;',
  '&#x67;',
  '&#X6E;',
  '&#x1F600;',
  '&#0;',
  '&#1234567;',
  '&#55296;',
  '&#65',
  '&#x41',
  '&lt;',
  '&amp;',
  '&LT;',
  '&nbsp;',
  '&bogus;',
  '&lt',
  '&#;',
  '&#x;',
  '&',
  '#',
  ';',
  'a',
  'b',
  ' ',
  '\n',
  'x',
  '1',
  '12345678',
  '&#6',
  '5;',
  'word',
  '\u00e9',
  '&colon;',
  '&#12345678;',
];

function randomText(next: () => number, length: number): string {
  let s = '';
  while (s.length < length) s += PIECES[Math.floor(next() * PIECES.length)];
  return s;
}

function repeatTo(unit: string, size: number): string {
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

describe('findHtmlEntitySegments: identical to the reference finder', () => {
  it('on curated texts', () => {
    const texts = [
      '',
      '&#105;&#103;&#110;&#111;&#114;&#101;',
      'say &#105;&#x67;&#110; and &lt;b&gt;bold&lt;/b&gt; here',
      'a&#65;&#65;\n&#65;&#65;&#65;b',
      'x&#65;                &#65;&#65;y',
      'x&#65;                 &#65;&#65;y',
      '&#65&#65&#65&#65',
      '&#x41&#x41&#x41&#x41;',
      `${'&#65;'.repeat(40)}&#66;${'&#65;'.repeat(40)}`,
      `${'&#65;'.repeat(100)}&#65`,
      `${'&#65;'.repeat(100)}&#6`,
      `${'&#65'.repeat(100)}5`,
      'ab&#65; '.repeat(100),
      `${'&lt;&gt;'.repeat(100)}&lt;\n&gt;${'&lt;&gt;'.repeat(100)}`,
    ];
    for (const t of texts) expectSame(t);
  });

  it('on seeded random texts', () => {
    const next = rng(7);
    for (let k = 0; k < 400; k++) expectSame(randomText(next, 1 + Math.floor(next() * 400)), 1 + (k % 5));
  });

  it('on long runs of repeated references, with a break somewhere', () => {
    const next = rng(11);
    const units = ['&#65;', '&#x41;', '&#65', '&lt;', 'ab&#65;', '&#65;  ', '&#1234567;x', '&amp;&lt;'];
    for (let k = 0; k < 40; k++) {
      const unit = units[k % units.length] ?? '';
      const size = 1000 + Math.floor(next() * 300_000);
      const at = Math.floor(next() * size);
      const breaker = PIECES[Math.floor(next() * PIECES.length)] ?? '';
      const body = repeatTo(unit, size);
      expectSame(body.slice(0, at) + breaker + body.slice(at));
    }
  });

  it('on the 1 MB hostile input and the cap boundary', () => {
    expectSame(repeatTo('&#65;', 1 << 20));
    for (const units of [MAX_DECODED_UNITS - 1, MAX_DECODED_UNITS, MAX_DECODED_UNITS + 1]) {
      expectSame('&#65;'.repeat(units));
      expectSame(`${'&#65;'.repeat(units)}tail`);
    }
  });
});
