/** Percent-encoding (URL encoding) segment finder. */
import type { EncodedSegment } from './segment.js';
import { decodeUtf8Text, looksLikeText } from './text-test.js';

/** Fewest `%XX` escapes for a URL-encoded segment. */
export const MIN_URL_ESCAPES = 3;

const latin1Decoder = new TextDecoder('latin1');

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

/**
 * Appends to `out` (at most `limit`) the percent-encoded segments of `s`: each whitespace-delimited
 * chunk with at least three `%XX` escapes, decoded as a whole (`+` is a space unless the chunk also
 * uses `%20`). Invalid UTF-8 falls back to decoding each escape as one Latin-1 character. Kept only
 * if the result reads as text. Linear in `s.length`.
 */
export function findUrlEncodedSegments(s: string, limit: number, out: EncodedSegment[]): void {
  const n = s.length;
  let found = 0;
  let i = s.indexOf('%');
  while (i >= 0 && i < n && found < limit) {
    let start = i;
    while (start > 0 && !isDelimiter(s.charCodeAt(start - 1))) start--;
    let end = i;
    let escapes = 0;
    let space20 = false;
    while (end < n) {
      const c = s.charCodeAt(end);
      if (isDelimiter(c)) break;
      if (c === 0x25 && hexValue(s.charCodeAt(end + 1)) >= 0 && hexValue(s.charCodeAt(end + 2)) >= 0) {
        escapes++;
        if (s.charCodeAt(end + 1) === 0x32 && s.charCodeAt(end + 2) === 0x30) space20 = true;
        end += 3;
      } else {
        end++;
      }
    }
    if (escapes >= MIN_URL_ESCAPES) {
      const decoded = decodePercent(s, start, end, !space20);
      if (decoded !== null) {
        out.push({ kind: 'url', start, end, decoded });
        found++;
      }
    }
    i = s.indexOf('%', end);
  }
}

function decodePercent(s: string, start: number, end: number, plusIsSpace: boolean): string | null {
  const bytes = new Uint8Array((end - start) * 3);
  let b = 0;
  for (let i = start; i < end; i++) {
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
  const text = decodeUtf8Text(bytes, b);
  if (text !== null) return text;
  // Not UTF-8: one character per byte (Latin-1), as a lenient browser would show it.
  const latin1 = latin1Decoder.decode(bytes.subarray(0, b));
  return looksLikeText(latin1) ? latin1 : null;
}
