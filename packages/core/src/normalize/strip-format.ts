/** Removal of invisible characters before decoding, so `aWdu\u200bb3Jl…` still decodes. */
import { INFO_CLASS, unitInfo } from './bmp-tables.js';
import { CHAR_KEEP, CHAR_SPACE, classifyNonAscii } from './char-classes.js';
import { unitsToString } from './utf16.js';

/** A text with some characters removed, and where each remaining unit was. */
export interface StrippedText {
  text: string;
  /**
   * `map[i]`: offset in the input of `text[i]`; `map[text.length]`: the input's length. Computed
   * on first read (only a found segment needs it).
   */
  readonly map: Int32Array;
}

let scratch = new Uint16Array(0);

/**
 * Removes invisible format characters, bidi controls, tag characters and variation selectors from
 * `s` (the same characters `fold` removes), keeping case and everything else.
 */
export function stripFormatChars(s: string): StrippedText {
  const n = s.length;
  if (scratch.length < n) scratch = new Uint16Array(n);
  const len = strip(s, scratch, null);
  const text = unitsToString(scratch, 0, len);
  if (scratch.length > 1 << 16) scratch = new Uint16Array(0); // keep no megabyte buffer alive
  let map: Int32Array | undefined;
  return {
    text,
    get map(): Int32Array {
      if (map === undefined) {
        map = new Int32Array(len + 1);
        strip(s, null, map);
        map[len] = n;
      }
      return map;
    },
  };
}

/** Writes the kept units of `s` to `buf`, or (`buf` null) their offsets to `map`; returns how many were kept. */
function strip(s: string, buf: Uint16Array | null, map: Int32Array | null): number {
  const n = s.length;
  const tab = unitInfo();
  let len = 0;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) {
      // Not a surrogate: kept unless its class is removed.
      if (c >= 0x80) {
        const cls = (tab[c] ?? 0) & INFO_CLASS;
        if (cls !== CHAR_KEEP && cls !== CHAR_SPACE) {
          i++;
          continue;
        }
      }
      if (buf !== null) buf[len++] = c;
      else if (map !== null) map[len++] = i;
      i++;
      continue;
    }
    const cp = c <= 0xdbff ? (s.codePointAt(i) ?? c) : c;
    const w = cp > 0xffff ? 2 : 1;
    const cls = cp > 0xffff ? classifyNonAscii(cp) : CHAR_KEEP;
    if (cls === CHAR_KEEP || cls === CHAR_SPACE) {
      for (let k = 0; k < w; k++) {
        if (buf !== null) buf[len] = s.charCodeAt(i + k);
        else if (map !== null) map[len] = i + k;
        len++;
      }
    }
    i += w;
  }
  return len;
}
