/** Removal of invisible characters before decoding, so `aWdu\u200bb3Jl…` still decodes. */
import { CHAR_KEEP, CHAR_SPACE, classifyNonAscii } from './char-classes.js';
import { unitsToString } from './utf16.js';

/** A text with some characters removed, and where each remaining unit was. */
export interface StrippedText {
  text: string;
  /** `map[i]`: offset in the input of `text[i]`; `map[text.length]`: the input's length. */
  map: Int32Array;
}

/**
 * Removes invisible format characters, bidi controls, tag characters and variation selectors from
 * `s` (the same characters `fold` removes), keeping case and everything else.
 */
export function stripFormatChars(s: string): StrippedText {
  const n = s.length;
  const buf = new Uint16Array(n);
  const map = new Int32Array(n + 1);
  let len = 0;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (c < 0x80) {
      buf[len] = c;
      map[len++] = i++;
      continue;
    }
    const cp = c >= 0xd800 && c <= 0xdbff ? (s.codePointAt(i) ?? c) : c;
    const w = cp > 0xffff ? 2 : 1;
    const cls = classifyNonAscii(cp);
    if (cls === CHAR_KEEP || cls === CHAR_SPACE) {
      for (let k = 0; k < w; k++) {
        buf[len] = s.charCodeAt(i + k);
        map[len++] = i + k;
      }
    }
    i += w;
  }
  map[len] = n;
  return { text: unitsToString(buf, 0, len), map: map.slice(0, len + 1) };
}
