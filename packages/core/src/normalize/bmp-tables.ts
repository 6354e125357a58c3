/**
 * Lazily built per-code-unit tables for the BMP that let the folder handle most non-ASCII
 * characters with a couple of array loads instead of `String.prototype.normalize` calls.
 */
import { classifyNonAscii } from './char-classes.js';

/** `unitInfo` bits 0–2: the `CHAR_*` class of a BMP code point (surrogates: `CHAR_KEEP`). */
export const INFO_CLASS = 7;
/** `unitInfo` bit: a mark (`\p{M}`) or a Hangul medial vowel / final consonant, which attaches to the character before it. */
export const INFO_ATTACH = 8;

let info: Uint8Array | null = null;

/** Class and attach bit of every BMP code unit, built on first use (about a millisecond). */
export function unitInfo(): Uint8Array {
  if (info !== null) return info;
  const t = new Uint8Array(0x10000);
  for (let c = 0x80; c < 0x10000; c++) {
    if (c >= 0xd800 && c <= 0xdfff) continue;
    t[c] = classifyNonAscii(c);
  }
  // Marks, found with one regular expression over all BMP characters (surrogates blanked).
  const units = new Uint16Array(0x10000);
  for (let c = 0; c < 0x10000; c++) units[c] = c >= 0xd800 && c <= 0xdfff ? 0x20 : c;
  const parts: string[] = [];
  for (let c = 0; c < 0x10000; c += 4096) {
    parts.push(String.fromCharCode.apply(null, units.subarray(c, c + 4096) as unknown as number[]));
  }
  const all = parts.join('');
  const mark = /\p{M}/gu;
  for (let m = mark.exec(all); m !== null; m = mark.exec(all)) {
    const c = m.index;
    t[c] = (t[c] ?? 0) | INFO_ATTACH;
  }
  for (let c = 0x1161; c <= 0x11c2; c++) t[c] = (t[c] ?? 0) | INFO_ATTACH;
  info = t;
  return t;
}

/** `singleState` values. */
const UNKNOWN = 0;
/** NFKC leaves the unit alone; `singleLower` holds its lower case (one unit). */
export const SINGLE_SAME = 1;
/** NFKC maps the unit to one other unit `singleOut`; `singleLower` holds that lower-cased. */
export const SINGLE_MAPPED = 2;
/** NFKC or lower-casing gives more than one unit: use `nfkcCodePoint`. */
export const SINGLE_MULTI = 3;

const state = new Uint8Array(0x10000);
/** NFKC of a BMP unit when it is one unit. */
export const singleOut = new Uint16Array(0x10000);
/** Lower case of `singleOut` (or of the unit itself) when it is one unit. */
export const singleLower = new Uint16Array(0x10000);

/** NFKC state of a non-surrogate BMP unit taken on its own (`SINGLE_*`), computed on first use. */
export function singleState(c: number): number {
  const st = state[c] ?? UNKNOWN;
  if (st !== UNKNOWN) return st;
  const out = String.fromCharCode(c).normalize('NFKC');
  let result = SINGLE_MULTI;
  if (out.length === 1) {
    const lower = out.toLowerCase();
    if (lower.length === 1) {
      const o = out.charCodeAt(0);
      singleOut[c] = o;
      singleLower[c] = lower.charCodeAt(0);
      result = o === c ? SINGLE_SAME : SINGLE_MAPPED;
    }
  }
  state[c] = result;
  return result;
}
