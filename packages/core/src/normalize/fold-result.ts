/** What folding one text produces (shared by the ASCII fast path and the general folder). */

/** A channel hidden in invisible characters, decoded. */
export interface HiddenRun {
  /** `tag`: Unicode tag characters (ASCII smuggling); `variation`: bytes in variation selectors. */
  channel: 'tag' | 'variation';
  /** The decoded text. */
  decoded: string;
  /** `offsets[i]`: input offset of the character that encoded `decoded[i]`; last entry: end of the run. */
  offsets: Int32Array;
}

/** The text may hold a base64 segment (a run of ≥ 16 base64 characters with both letter cases). */
export const HINT_BASE64 = 1;
/** The text may hold a hex segment (≥ 8 bytes of hex words in a row, or `\x`). */
export const HINT_HEX = 2;
/** The text's letter frequencies lean towards ROT13 of English. */
export const HINT_ROT13 = 4;
/** Every decoder must look (no cheap pre-scan was done). */
export const HINT_ALL = HINT_BASE64 | HINT_HEX | HINT_ROT13;

/** What `fold` produced. */
export interface FoldResult {
  /** Folded text (see `TextView.text`). */
  text: string;
  /** `offsets[i]`: input offset of `text[i]`; `offsets[text.length]`: end of the last emitted character. */
  offsets: Int32Array;
  invisibleChars: number;
  bidiControls: number;
  tagChars: number;
  homoglyphs: number;
  leet: number;
  /** Code units removed for any reason (also uncounted ones such as emoji joiners). */
  removed: number;
  /** Hidden channels found (tag characters, variation-selector bytes). */
  hidden: HiddenRun[];
  /** Which decoders can find anything in the input (`HINT_*` bits). */
  hints: number;
}
