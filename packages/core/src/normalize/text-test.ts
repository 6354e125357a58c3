/**
 * The "is this decoded data human text?" test that every decoder applies before it turns a segment
 * into a view: valid UTF-8, ≥ 85 % printable, and a space or at least 8 letters.
 */

/** Minimum share of printable characters in decoded text. */
export const MIN_PRINTABLE_RATIO = 0.85;

const utf8 = new TextDecoder('utf-8');

function isPrintableUnit(c: number): boolean {
  if (c < 0x20) return c === 0x09 || c === 0x0a || c === 0x0d;
  if (c < 0x7f) return true;
  if (c <= 0x9f) return false;
  if (c >= 0xe000 && c <= 0xf8ff) return false; // private use
  return c !== 0xfffd && c !== 0xfffe && c !== 0xffff;
}

function isLetterish(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0xc0 && c !== 0xfffd);
}

/** Whether a decoded string reads as text: ≥ 85 % printable and a space or ≥ 8 letters. */
export function looksLikeText(s: string): boolean {
  const n = s.length;
  if (n === 0) return false;
  const budget = Math.floor(n * (1 - MIN_PRINTABLE_RATIO));
  let bad = 0;
  let letters = 0;
  let space = false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (!isPrintableUnit(c)) {
      if (++bad > budget) return false;
    } else if (c === 0x20 || c === 0x0a || c === 0x09) {
      space = true;
    } else if (isLetterish(c)) {
      letters++;
    }
  }
  return space || letters >= 8;
}

/**
 * Decodes `bytes[0..len)` as UTF-8 if it is valid UTF-8 and reads as text (see `looksLikeText`);
 * otherwise `null`. Rejects early (without decoding) on the first invalid sequence or once too many
 * control bytes were seen, so random binary costs a few bytes of work.
 */
export function decodeUtf8Text(bytes: Uint8Array, len: number): string | null {
  if (len === 0) return null;
  const budget = Math.floor(len * (1 - MIN_PRINTABLE_RATIO));
  let bad = 0;
  let i = 0;
  while (i < len) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) {
        if (++bad > budget) return null;
      }
      i++;
      continue;
    }
    const need = utf8SequenceLength(bytes, i, len);
    if (need === 0) return null;
    i += need;
  }
  const text = utf8.decode(bytes.subarray(0, len));
  return looksLikeText(text) ? text : null;
}

/** Whether `bytes[0..len)` is valid UTF-8. */
export function isValidUtf8(bytes: Uint8Array, len: number): boolean {
  let i = 0;
  while (i < len) {
    if ((bytes[i] ?? 0) < 0x80) {
      i++;
      continue;
    }
    const need = utf8SequenceLength(bytes, i, len);
    if (need === 0) return false;
    i += need;
  }
  return true;
}

/**
 * `len` backed off to the start of a multi-byte sequence that `bytes[0..len)` cuts short (so a
 * prefix cut at an arbitrary byte can still decode); `len` itself when none is cut.
 */
export function utf8BoundaryBefore(bytes: Uint8Array, len: number): number {
  for (let k = 1; k <= 3 && k <= len; k++) {
    const b = bytes[len - k] ?? 0;
    if (b < 0x80) return len;
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > k ? len - k : len;
    }
  }
  return len;
}

/** UTF-8 of `bytes[0..len)`, invalid sequences replaced (U+FFFD). */
export function decodeUtf8Lenient(bytes: Uint8Array, len: number): string {
  return utf8.decode(bytes.subarray(0, len));
}

/** Length of the valid UTF-8 sequence starting at `i` (a non-ASCII lead byte), or 0 if invalid. */
function utf8SequenceLength(bytes: Uint8Array, i: number, len: number): number {
  const b = bytes[i] ?? 0;
  let need: number;
  let lo = 0x80;
  let hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) need = 2;
  else if (b >= 0xe0 && b <= 0xef) {
    need = 3;
    if (b === 0xe0) lo = 0xa0;
    else if (b === 0xed) hi = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    need = 4;
    if (b === 0xf0) lo = 0x90;
    else if (b === 0xf4) hi = 0x8f;
  } else return 0;
  if (i + need > len) return 0;
  const b1 = bytes[i + 1] ?? 0;
  if (b1 < lo || b1 > hi) return 0;
  for (let k = 2; k < need; k++) {
    const bk = bytes[i + k] ?? 0;
    if (bk < 0x80 || bk > 0xbf) return 0;
  }
  return need;
}
