/**
 * Folding of pure-ASCII text in one pre-scan plus native `toLowerCase`, with the hints that let
 * `normalize` skip decoders that cannot find anything. Most memory writes take this path.
 */
import { type FoldResult, HINT_BASE64, HINT_HEX, HINT_ROT13 } from './fold-result.js';
import { foldLeetspeak } from './leetspeak.js';
import { unitsToString } from './utf16.js';

const UPPER = 1;
const LOWER = 2;
const DIGIT = 4;
const HEX = 8;
const B64 = 16;
const LEET = 32;
const SEP = 64;
const SPACE = 128;
const LETTER = UPPER | LOWER;
const ALNUM = LETTER | DIGIT;

const CLASS = new Uint8Array(128);
/** +1 for letters frequent in English (e t o i s h), −1 for their ROT13 images (r g b v f u). */
const FREQ = new Int8Array(128);

for (let c = 0x41; c <= 0x5a; c++) {
  CLASS[c] = UPPER | B64 | (c <= 0x46 ? HEX : 0);
  CLASS[c + 32] = LOWER | B64 | (c <= 0x46 ? HEX : 0);
}
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = DIGIT | HEX | B64;
for (const ch of '+/_') CLASS[ch.charCodeAt(0)] = B64;
CLASS[0x2d] = B64 | SEP; // -
for (const ch of '013457@$|!') CLASS[ch.charCodeAt(0)] = (CLASS[ch.charCodeAt(0)] ?? 0) | LEET;
for (const ch of ',:;') CLASS[ch.charCodeAt(0)] = SEP;
for (const c of [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20]) CLASS[c] = SPACE | SEP;
for (const ch of 'etoish') {
  FREQ[ch.charCodeAt(0)] = 1;
  FREQ[ch.toUpperCase().charCodeAt(0)] = 1;
}
for (const ch of 'rgbvfu') {
  FREQ[ch.charCodeAt(0)] = -1;
  FREQ[ch.toUpperCase().charCodeAt(0)] = -1;
}

const MIN_BASE64_RUN = 16;
const MIN_HEX_BYTES = 8;
/** ROT13 hint when (e t o i s h − r g b v f u) < −letters / 8. */
const ROT13_FREQ_RATIO = 8;

/** Identity offsets are copied from this cache (grown on demand up to this many entries). */
const IDENTITY_CACHE_LIMIT = 1 << 16;
let identity = new Int32Array(0);

function identityOffsets(length: number): Int32Array {
  if (length <= IDENTITY_CACHE_LIMIT) {
    if (identity.length < length) {
      identity = new Int32Array(Math.min(IDENTITY_CACHE_LIMIT, Math.max(length, 2 * identity.length, 256)));
      for (let i = 0; i < identity.length; i++) identity[i] = i;
    }
    return identity.slice(0, length);
  }
  const out = new Int32Array(length);
  for (let i = 0; i < length; i++) out[i] = i;
  return out;
}

/** `prescan` flag: the text has non-ASCII characters. */
export const PRESCAN_NON_ASCII = 1 << 8;
/** `prescan` flag: white space must be collapsed or trimmed. */
const PRESCAN_COLLAPSE = 1 << 9;
/** `prescan` flag: a leet character touches a letter. */
const PRESCAN_LEET = 1 << 10;
/** The `HINT_*` bits of a `prescan` result. */
export const PRESCAN_HINTS = HINT_BASE64 | HINT_HEX | HINT_ROT13;

/**
 * One pass over `s` computing the decoder hints (`HINT_*` bits) and, for the ASCII fast path,
 * whether there are non-ASCII characters, whether white space needs collapsing and whether
 * leetspeak folding can apply. Non-ASCII characters count as neither letters nor separators.
 */
export function prescan(s: string): number {
  const n = s.length;
  let flags = 0;
  let prevSpace = true;
  let prevK = SPACE;
  let freq = 0;
  let letters = 0;
  let b64Run = 0;
  let b64Case = 0;
  let wordLen = 0;
  let wordHex = true;
  let hexBytes = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) {
      // Lower-case letter: the common case, inlined.
      if (prevK & LEET) flags |= PRESCAN_LEET;
      freq += FREQ[c] ?? 0;
      letters++;
      b64Run++;
      b64Case |= LOWER;
      wordLen++;
      if (c > 0x66) {
        if (c === 0x78 && wordLen === 2 && s.charCodeAt(i - 1) === 0x30)
          wordLen = 0; // 0x prefix
        else wordHex = false;
      }
      prevSpace = false;
      prevK = LOWER;
      continue;
    }
    let k = 0;
    if (c < 0x80) k = CLASS[c] ?? 0;
    else flags |= PRESCAN_NON_ASCII;
    if (k & SPACE) {
      if (prevSpace || c !== 0x20) flags |= PRESCAN_COLLAPSE;
      prevSpace = true;
    } else {
      prevSpace = false;
    }
    if (k & LEET ? prevK & LETTER : k & LETTER && prevK & LEET) flags |= PRESCAN_LEET;
    if (k & LETTER) {
      freq += FREQ[c] ?? 0;
      letters++;
    }
    if (k & B64) {
      b64Run++;
      b64Case |= k & LETTER;
    } else {
      if (b64Run >= MIN_BASE64_RUN && b64Case === LETTER) flags |= HINT_BASE64;
      b64Run = 0;
      b64Case = 0;
    }
    if (k & ALNUM) {
      wordLen++;
      if (!(k & HEX)) {
        if (wordLen === 2 && (c | 0x20) === 0x78 && s.charCodeAt(i - 1) === 0x30) wordLen = 0;
        else wordHex = false;
      }
    } else {
      if (wordLen > 0) {
        if (wordHex && (wordLen & 1) === 0) {
          hexBytes += wordLen >> 1;
          if (hexBytes >= MIN_HEX_BYTES) flags |= HINT_HEX;
        } else {
          hexBytes = 0;
        }
        wordLen = 0;
        wordHex = true;
      }
      if (!(k & SEP)) hexBytes = 0;
      if (c === 0x5c && (s.charCodeAt(i + 1) | 0x20) === 0x78) flags |= HINT_HEX;
    }
    prevK = k;
  }
  if (b64Run >= MIN_BASE64_RUN && b64Case === LETTER) flags |= HINT_BASE64;
  if (wordLen > 0 && wordHex && (wordLen & 1) === 0 && hexBytes + (wordLen >> 1) >= MIN_HEX_BYTES) {
    flags |= HINT_HEX;
  }
  // English has about three times more of e t o i s h than of r g b v f u; ROT13 of English the
  // reverse; random letters about as many of each.
  if (freq * ROT13_FREQ_RATIO < -letters) flags |= HINT_ROT13;
  if (n > 0 && prevSpace) flags |= PRESCAN_COLLAPSE;
  return flags;
}

/**
 * Folds a pure-ASCII `s` (`flags` from `prescan`, without `PRESCAN_NON_ASCII`): lower-case, white
 * space collapsed and trimmed, leetspeak folded; offsets exact.
 */
export function foldAscii(s: string, flags: number): FoldResult {
  const n = s.length;
  let text: string;
  let offsets: Int32Array;
  let leet = 0;
  if (!(flags & PRESCAN_COLLAPSE)) {
    text = s.toLowerCase();
    offsets = identityOffsets(n + 1);
    if (flags & PRESCAN_LEET) {
      const buf = new Uint16Array(n);
      for (let i = 0; i < n; i++) buf[i] = text.charCodeAt(i);
      leet = foldLeetspeak(buf, n);
      if (leet > 0) text = unitsToString(buf, 0, n);
    }
  } else {
    const buf = new Uint16Array(n);
    const off = new Int32Array(n + 1);
    let len = 0;
    let pending = -1;
    let lastEnd = 0;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
        if (pending < 0) pending = i;
        continue;
      }
      if (pending >= 0) {
        if (len > 0) {
          buf[len] = 0x20;
          off[len++] = pending;
        }
        pending = -1;
      }
      buf[len] = c >= 0x41 && c <= 0x5a ? c + 32 : c;
      off[len++] = i;
      lastEnd = i + 1;
    }
    off[len] = lastEnd;
    if (flags & PRESCAN_LEET) leet = foldLeetspeak(buf, len);
    text = unitsToString(buf, 0, len);
    offsets = off.slice(0, len + 1);
  }
  return {
    text,
    offsets,
    invisibleChars: 0,
    bidiControls: 0,
    tagChars: 0,
    homoglyphs: 0,
    leet,
    removed: 0,
    hidden: [],
    hints: flags & PRESCAN_HINTS,
  };
}
