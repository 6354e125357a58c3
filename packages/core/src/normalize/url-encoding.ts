/** Percent-encoding (URL encoding) segment finder. */
import { type DecodeStats, type EncodedSegment, MAX_DECODED_UNITS } from './segment.js';
import { decodeUtf8Text, isValidUtf8, looksLikeText, utf8BoundaryBefore } from './text-test.js';

/** Fewest `%XX` escapes for a URL-encoded segment. */
export const MIN_URL_ESCAPES = 3;

const latin1Decoder = new TextDecoder('latin1');
const utf8Decoder = new TextDecoder('utf-8');

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

/** Characters that end a URL-ish chunk: white space, controls, quotes, angle brackets, back-tick. */
function isDelimiter(c: number): boolean {
  return c <= 0x20 || c === 0x22 || c === 0x27 || c === 0x3c || c === 0x3e || c === 0x60 || c === 0x7f;
}

/** What `isDelimiter` accepts. */
const RE_DELIMITER = /[\x00-\x20"'<>`\x7f]/g;

/**
 * Appends to `out` (at most `limit`) the percent-encoded segments of `s`: each whitespace-delimited
 * chunk with at least three `%XX` escapes, decoded as a whole (`+` is a space unless the chunk also
 * uses `%20`). Invalid UTF-8 falls back to decoding each escape as one Latin-1 character. Kept only
 * if the result reads as text. Only the first `MAX_DECODED_UNITS` bytes of a longer chunk are
 * decoded (see `EncodedSegment.truncatedAt`). Linear in `s.length`.
 */
export function findUrlEncodedSegments(
  s: string,
  limit: number,
  out: EncodedSegment[],
  stats?: DecodeStats,
): void {
  const n = s.length;
  let found = 0;
  let i = s.indexOf('%');
  while (i >= 0 && i < n && found < limit) {
    let start = i;
    while (start > 0 && !isDelimiter(s.charCodeAt(start - 1))) start--;
    // The chunk ends at the next delimiter (an escape's digits never are one).
    RE_DELIMITER.lastIndex = i;
    const end = RE_DELIMITER.exec(s)?.index ?? n;
    // Escapes are read left to right, each one skipping its two digits; three are enough.
    let escapes = 0;
    let p = i;
    while (p >= 0 && p < end && escapes < MIN_URL_ESCAPES) {
      if (hexValue(s.charCodeAt(p + 1)) >= 0 && hexValue(s.charCodeAt(p + 2)) >= 0) {
        escapes++;
        p += 3;
      } else {
        p++;
      }
      p = s.indexOf('%', p);
    }
    // Any `%20` in the chunk is an escape ('%' is no hex digit, so no escape swallows it).
    const space20 = escapes >= MIN_URL_ESCAPES && s.slice(i, end).includes('%20');
    if (escapes >= MIN_URL_ESCAPES) {
      const cap = MAX_DECODED_UNITS;
      const decoded = decodePercent(s, start, end, !space20, cap);
      if (decodedUpTo < end) {
        if (stats) stats.truncated++;
        if (decoded !== null) {
          const from = start;
          const to = end;
          const plus = !space20;
          out.push({
            kind: 'url',
            start,
            end,
            decoded,
            truncatedAt: decodedUpTo,
            decodeAll: () => decodePercent(s, from, to, plus, Number.POSITIVE_INFINITY) ?? '',
          });
          found++;
        }
      } else if (decoded !== null) {
        out.push({ kind: 'url', start, end, decoded });
        found++;
      }
    }
    i = s.indexOf('%', end);
  }
}

let scratch = new Uint8Array(256);
/** Where the last `decodePercent` stopped (its `end` unless the cap was reached). */
let decodedUpTo = 0;

/**
 * Decodes `s[start..end)` (about its first `cap` bytes, cut at a character boundary; sets
 * `decodedUpTo`) as UTF-8 text, or Latin-1 if that is not UTF-8; `null` unless it reads as text.
 * With an infinite `cap`, whatever it decodes to.
 */
function decodePercent(
  s: string,
  start: number,
  end: number,
  plusIsSpace: boolean,
  cap: number,
): string | null {
  const size = Math.min((end - start) * 3, cap + 4);
  if (scratch.length < size) scratch = new Uint8Array(Math.max(size, 2 * scratch.length));
  const bytes = scratch;
  let b = 0;
  let i = start;
  for (; i < end && b < cap; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25) {
      const hi = hexValue(s.charCodeAt(i + 1));
      const lo = hexValue(s.charCodeAt(i + 2));
      if (hi >= 0 && lo >= 0 && i + 2 < end) {
        bytes[b++] = (hi << 4) | lo;
        i += 2;
        continue;
      }
    }
    if (c < 0x80) {
      bytes[b++] = c === 0x2b && plusIsSpace ? 0x20 : c;
    } else if (c < 0x800) {
      bytes[b++] = 0xc0 | (c >> 6);
      bytes[b++] = 0x80 | (c & 0x3f);
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end && (s.codePointAt(i) ?? c) > 0xffff) {
      const cp = s.codePointAt(i) ?? c;
      bytes[b++] = 0xf0 | (cp >> 18);
      bytes[b++] = 0x80 | ((cp >> 12) & 0x3f);
      bytes[b++] = 0x80 | ((cp >> 6) & 0x3f);
      bytes[b++] = 0x80 | (cp & 0x3f);
      i++;
    } else {
      bytes[b++] = 0xe0 | (c >> 12);
      bytes[b++] = 0x80 | ((c >> 6) & 0x3f);
      bytes[b++] = 0x80 | (c & 0x3f);
    }
  }
  decodedUpTo = i;
  const whole = i >= end;
  if (cap === Number.POSITIVE_INFINITY) {
    return (isValidUtf8(bytes, b) ? utf8Decoder : latin1Decoder).decode(bytes.subarray(0, b));
  }
  const text = decodeUtf8Text(bytes, whole ? b : utf8BoundaryBefore(bytes, b));
  if (text !== null) return text;
  // Not UTF-8: one character per byte (Latin-1), as a lenient browser would show it.
  const latin1 = latin1Decoder.decode(bytes.subarray(0, b));
  return looksLikeText(latin1) ? latin1 : null;
}
