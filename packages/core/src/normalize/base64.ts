/** Base64 (standard and URL-safe alphabets) segment finder. */
import { type DecodeStats, type EncodedSegment, MAX_DECODED_UNITS } from './segment.js';
import { decodeUtf8Lenient, decodeUtf8Text, isValidUtf8, utf8BoundaryBefore } from './text-test.js';

/** Shortest run of base64 characters considered. */
export const MIN_BASE64_RUN = 16;

const VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 26; i++) {
  VALUE[0x41 + i] = i;
  VALUE[0x61 + i] = 26 + i;
}
for (let i = 0; i < 10; i++) VALUE[0x30 + i] = 52 + i;
VALUE[0x2b] = 62; // +
VALUE[0x2d] = 62; // -
VALUE[0x2f] = 63; // /
VALUE[0x5f] = 63; // _

function sextet(c: number): number {
  return c < 128 ? (VALUE[c] ?? -1) : -1;
}

/** A run this long with both letter cases has its end found by `RE_NON_BASE64`. */
const LONG_RUN = 256;
/** A character that is no base64 character (see `VALUE`). */
const RE_NON_BASE64 = /[^A-Za-z0-9+/_-]/g;

/** Base64 characters decoded for a segment before its decoding is cut short (→ 65535 bytes). */
const MAX_DECODED_CHARS = Math.floor(MAX_DECODED_UNITS / 3) * 4;

let scratch = new Uint8Array(1024);

/**
 * Appends to `out` (at most `limit`) the base64 segments of `s` that decode to text: runs of at
 * least 16 base64 characters, with both upper- and lower-case letters (base64 of text always has
 * both; plain words, identifiers and hex strings mostly do not), optional `=` padding. Only the
 * first `MAX_DECODED_UNITS` bytes of a longer run are decoded (see `EncodedSegment.truncatedAt`).
 * Linear in `s.length`.
 */
export function findBase64Segments(
  s: string,
  limit: number,
  out: EncodedSegment[],
  stats?: DecodeStats,
): void {
  const n = s.length;
  let found = 0;
  let i = 0;
  while (i < n && found < limit) {
    if (sextet(s.charCodeAt(i)) < 0) {
      i++;
      continue;
    }
    const start = i;
    let upper = false;
    let lower = false;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (sextet(c) < 0) break;
      if (c >= 0x41 && c <= 0x5a) upper = true;
      else if (c >= 0x61 && c <= 0x7a) lower = true;
      i++;
      if (upper && lower && i - start >= LONG_RUN) {
        // Both cases seen in a long run: let the regular expression engine find its end.
        RE_NON_BASE64.lastIndex = i;
        i = RE_NON_BASE64.exec(s)?.index ?? n;
        break;
      }
    }
    const end = i;
    while (i < n && i - end < 2 && s.charCodeAt(i) === 0x3d) i++;
    if (end - start < MIN_BASE64_RUN || !upper || !lower) continue;
    if (end - start <= MAX_DECODED_CHARS) {
      const decoded = decodeBase64Text(s, start, end);
      if (decoded !== null) {
        out.push({ kind: 'base64', start, end: i, decoded });
        found++;
      }
      continue;
    }
    // A huge run: decode a prefix, cut at a character boundary.
    const cut = start + MAX_DECODED_CHARS;
    const prefix = decodeInto(s, start, cut);
    const len = utf8BoundaryBefore(scratch, prefix);
    const decoded = decodeUtf8Text(scratch, len);
    if (decoded !== null) {
      const segEnd = i;
      out.push({
        kind: 'base64',
        start,
        end: segEnd,
        decoded,
        truncatedAt: cut,
        decodeAll: () => {
          const all = decodeInto(s, start, end);
          return decodeUtf8Lenient(scratch, all);
        },
      });
      found++;
      if (stats) stats.truncated++;
    } else if (stats && isValidUtf8(scratch, len)) {
      stats.truncated++;
    }
  }
}

/**
 * Decodes `s[start..end)` (base64 characters only, no padding) into `scratch` (grown as needed);
 * returns the number of bytes.
 */
function decodeInto(s: string, start: number, end: number): number {
  let len = end - start;
  if (len % 4 === 1) len--;
  const size = Math.floor((len * 3) / 4);
  if (scratch.length < size) scratch = new Uint8Array(Math.max(size, 2 * scratch.length));
  const bytes = scratch;
  let b = 0;
  let acc = 0;
  let bits = 0;
  for (let i = start; i < start + len; i++) {
    acc = ((acc << 6) | sextet(s.charCodeAt(i))) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[b++] = (acc >> bits) & 0xff;
    }
  }
  return b;
}

/** Decodes `s[start..end)` (base64 characters only, no padding) if it decodes to text, else `null`. */
export function decodeBase64Text(s: string, start: number, end: number): string | null {
  const len = decodeInto(s, start, end);
  return decodeUtf8Text(scratch, len);
}
