/** Hexadecimal segment finder: `69676e6f…`, `0x6967…`, `\x69\x67…`, `69 67 6e …`, `0x69, 0x67, …`. */
import { isAsciiAlnum } from './char-classes.js';
import { type DecodeStats, type EncodedSegment, MAX_DECODED_UNITS } from './segment.js';
import { decodeUtf8Lenient, decodeUtf8Text, isValidUtf8, utf8BoundaryBefore } from './text-test.js';

/** Fewest decoded bytes (16 hex digits) for a hex segment. */
export const MIN_HEX_BYTES = 8;
/** Tokens of at most this many bytes can be chained with separators (`6967 6e6f 7265`). */
const MAX_CHAINED_TOKEN_BYTES = 4;

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const l = c | 0x20;
  if (l >= 0x61 && l <= 0x66) return l - 0x61 + 10;
  return -1;
}

function isSeparator(c: number): boolean {
  return c === 0x20 || c === 0x2c || c === 0x3a || c === 0x3b || c === 0x2d || c === 0x09;
}

/** A hex token read by `readToken`. */
interface Token {
  /** End of the token; when no token starts at the position, where scanning should resume. */
  end: number;
  /** Decoded bytes (0: not a token). */
  bytes: number;
  /** Start of the hex digits. */
  digits: number;
}

/** Reads the hex token at `i`: `\xHH`, or a whole word of an even number of hex digits (optionally `0x`-prefixed). */
function readToken(s: string, i: number, t: Token): void {
  const n = s.length;
  const c = s.charCodeAt(i);
  if (c === 0x5c) {
    if (
      (s.charCodeAt(i + 1) | 0x20) === 0x78 &&
      hexValue(s.charCodeAt(i + 2)) >= 0 &&
      hexValue(s.charCodeAt(i + 3)) >= 0
    ) {
      t.end = i + 4;
      t.bytes = 1;
      t.digits = i + 2;
      return;
    }
    t.end = i + 1;
    t.bytes = 0;
    return;
  }
  if (!isAsciiAlnum(c)) {
    t.end = i + 1;
    t.bytes = 0;
    return;
  }
  let d = i;
  if (c === 0x30 && (s.charCodeAt(i + 1) | 0x20) === 0x78 && hexValue(s.charCodeAt(i + 2)) >= 0) d = i + 2;
  let e = d;
  let allHex = true;
  for (; e < n; e++) {
    const ch = s.charCodeAt(e);
    if (hexValue(ch) < 0) {
      if (!isAsciiAlnum(ch)) break;
      allHex = false;
    }
  }
  t.end = e;
  t.bytes = 0;
  if (!allHex || (e - d) % 2 !== 0 || e === d) return;
  if (i > 0 && isAsciiAlnum(s.charCodeAt(i - 1))) return; // not at a word start
  t.bytes = (e - d) / 2;
  t.digits = d;
}

/** What `readRun` read. */
interface Run {
  /** End of the segment. */
  end: number;
  /** Bytes the segment encodes. */
  count: number;
  /** Bytes decoded into `scratch` (at most the cap). */
  written: number;
  /** Where the decoded bytes' encoding ends when not all were decoded; else -1. */
  cutAt: number;
}

let scratch = new Uint8Array(256);

/**
 * Reads the segment that starts with token `t`: a long hex word alone, or short tokens chained
 * across separators. Decodes its first `cap` bytes into `scratch`.
 */
function readRun(s: string, t: Token, cap: number, r: Run): void {
  const n = s.length;
  const size = t.bytes;
  let count = 0;
  let written = 0;
  r.cutAt = -1;
  for (;;) {
    const take = Math.min(t.bytes, cap - written);
    if (written + take > scratch.length) {
      const grown = new Uint8Array(Math.max(scratch.length * 2, written + take));
      grown.set(scratch.subarray(0, written));
      scratch = grown;
    }
    for (let k = 0; k < take; k++) {
      const d = t.digits + 2 * k;
      scratch[written++] = (hexValue(s.charCodeAt(d)) << 4) | hexValue(s.charCodeAt(d + 1));
    }
    if (take < t.bytes && r.cutAt < 0) r.cutAt = t.digits + 2 * take;
    count += t.bytes;
    r.end = t.end;
    if (size > MAX_CHAINED_TOKEN_BYTES || t.bytes < size) break;
    let j = t.end;
    while (j < n && j - t.end < 2 && isSeparator(s.charCodeAt(j))) j++;
    if (j >= n) break;
    readToken(s, j, t);
    if (t.bytes === 0 || t.bytes > size) break;
  }
  r.count = count;
  r.written = written;
}

/**
 * Appends to `out` (at most `limit`) the hex segments of `s` that decode to text (≥ 8 bytes,
 * valid UTF-8, printable: a SHA-256 or a UUID never qualifies). A long hex word stands alone; short
 * tokens (≤ 4 bytes) chain across separators of at most two characters from ` ,:;-` and tab,
 * `\xHH` tokens also without a separator. Only the first `MAX_DECODED_UNITS` bytes of a longer
 * segment are decoded (see `EncodedSegment.truncatedAt`). Linear in `s.length`.
 */
export function findHexSegments(s: string, limit: number, out: EncodedSegment[], stats?: DecodeStats): void {
  const n = s.length;
  const t: Token = { end: 0, bytes: 0, digits: 0 };
  const r: Run = { end: 0, count: 0, written: 0, cutAt: -1 };
  let found = 0;
  let i = 0;
  while (i < n && found < limit) {
    readToken(s, i, t);
    if (t.bytes === 0) {
      i = t.end;
      continue;
    }
    const start = i;
    readRun(s, t, MAX_DECODED_UNITS, r);
    i = r.end;
    if (r.count < MIN_HEX_BYTES) continue;
    if (r.written === r.count) {
      const decoded = decodeUtf8Text(scratch, r.count);
      if (decoded !== null) {
        out.push({ kind: 'hex', start, end: r.end, decoded });
        found++;
      }
      continue;
    }
    // A huge segment: only its decoded prefix, cut at a character boundary.
    const len = utf8BoundaryBefore(scratch, r.written);
    const decoded = decodeUtf8Text(scratch, len);
    if (decoded !== null) {
      const end = r.end;
      out.push({
        kind: 'hex',
        start,
        end,
        decoded,
        truncatedAt: r.cutAt,
        decodeAll: () => {
          const all: Run = { end: 0, count: 0, written: 0, cutAt: -1 };
          readToken(s, start, t);
          readRun(s, t, Number.POSITIVE_INFINITY, all);
          return decodeUtf8Lenient(scratch, all.written);
        },
      });
      found++;
      if (stats) stats.truncated++;
    } else if (stats && isValidUtf8(scratch, len)) {
      stats.truncated++;
    }
  }
}
