/**
 * Classification of the code points normalization removes or treats specially: invisible format
 * characters, bidirectional controls, Unicode tag characters, variation selectors and white space.
 */

/** A code point the main view keeps (after NFKC and folding). */
export const CHAR_KEEP = 0;
/** Zero-width and other invisible format characters (removed, counted). */
export const CHAR_INVISIBLE = 1;
/** Zero-width joiner / non-joiner: removed, counted only inside Latin words (emoji and Indic scripts use them). */
export const CHAR_JOINER = 2;
/** Bidirectional controls (removed, counted: Trojan Source). */
export const CHAR_BIDI = 3;
/** Unicode tag characters U+E0000–U+E007F (removed, decoded into a hidden view). */
export const CHAR_TAG = 4;
/** Variation selectors (removed; long runs are decoded as a hidden byte channel). */
export const CHAR_VARIATION = 5;
/** White space (collapsed to one space). */
export const CHAR_SPACE = 6;

export type CharClass =
  | typeof CHAR_KEEP
  | typeof CHAR_INVISIBLE
  | typeof CHAR_JOINER
  | typeof CHAR_BIDI
  | typeof CHAR_TAG
  | typeof CHAR_VARIATION
  | typeof CHAR_SPACE;

/**
 * Classifies a non-ASCII code point (`cp >= 0x80`). ASCII is handled inline by the callers.
 */
export function classifyNonAscii(cp: number): CharClass {
  if (cp < 0x2000) {
    if (cp === 0x85 || cp === 0xa0 || cp === 0x1680) return CHAR_SPACE;
    if (cp === 0xad || cp === 0x34f || cp === 0x115f || cp === 0x1160 || cp === 0x17b4 || cp === 0x17b5) {
      return CHAR_INVISIBLE;
    }
    if (cp === 0x61c) return CHAR_BIDI;
    if (cp >= 0x180b && cp <= 0x180f) return CHAR_INVISIBLE;
    return CHAR_KEEP;
  }
  if (cp <= 0x206f) {
    if (cp <= 0x200a) return CHAR_SPACE;
    if (cp === 0x200b) return CHAR_INVISIBLE;
    if (cp === 0x200c || cp === 0x200d) return CHAR_JOINER;
    if (cp === 0x200e || cp === 0x200f) return CHAR_BIDI;
    if (cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f) return CHAR_SPACE;
    if (cp >= 0x202a && cp <= 0x202e) return CHAR_BIDI;
    if (cp >= 0x2066 && cp <= 0x2069) return CHAR_BIDI;
    if (cp >= 0x2060) return CHAR_INVISIBLE; // 2060–2065, 206A–206F
    return CHAR_KEEP;
  }
  if (cp < 0xe000) {
    if (cp === 0x3000) return CHAR_SPACE;
    if (cp === 0x3164) return CHAR_INVISIBLE;
    return CHAR_KEEP;
  }
  if (cp <= 0xffff) {
    if (cp >= 0xfe00 && cp <= 0xfe0f) return CHAR_VARIATION;
    if (cp === 0xfeff || cp === 0xffa0 || (cp >= 0xfff9 && cp <= 0xfffb)) return CHAR_INVISIBLE;
    return CHAR_KEEP;
  }
  if (cp >= 0xe0000 && cp <= 0xe007f) return CHAR_TAG;
  if (cp >= 0xe0100 && cp <= 0xe01ef) return CHAR_VARIATION;
  if (cp >= 0x1d173 && cp <= 0x1d17a) return CHAR_INVISIBLE;
  return CHAR_KEEP;
}

/** ASCII white space: tab, line feed, vertical tab, form feed, carriage return, space. */
export function isAsciiSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/** ASCII letter or digit. */
export function isAsciiAlnum(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
}

/**
 * Combining marks that can compose with (or attach to) a preceding base character. Covers the
 * blocks that matter for Latin, Greek and Cyrillic text; other scripts' marks are still kept, they
 * only are normalized with their base as part of a non-ASCII run.
 */
export function isCombiningMark(c: number): boolean {
  return (
    (c >= 0x300 && c <= 0x36f) ||
    (c >= 0x483 && c <= 0x489) ||
    (c >= 0x1ab0 && c <= 0x1aff) ||
    (c >= 0x1dc0 && c <= 0x1dff) ||
    (c >= 0x20d0 && c <= 0x20ff) ||
    (c >= 0xfe20 && c <= 0xfe2f) ||
    (c >= 0x3099 && c <= 0x309a) ||
    (c >= 0x1161 && c <= 0x11c2) // Hangul medial vowels and final consonants compose with a leading jamo
  );
}
