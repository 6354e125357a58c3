/**
 * Folding of pure-ASCII text in one pre-scan plus native `toLowerCase`, with the hints that let
 * `normalize` skip decoders that cannot find anything. Most memory writes take this path.
 */
import { INFO_ATTACH, INFO_CLASS, SINGLE_SAME, singleLower, singleState, unitInfo } from './bmp-tables.js';
import { CHAR_KEEP } from './char-classes.js';
import { type FoldResult, HINT_BASE64, HINT_HEX, HINT_ROT13 } from './fold-result.js';
import { homoglyphOf, isConfusableScript } from './homoglyphs.js';
import { foldLeetspeakText } from './leetspeak.js';
import { COMMON_WORDS, rot13 } from './rot13.js';

/** `isPlainUnit` cache values: not yet known, plain, needs the full folder. */
const PLAIN_UNKNOWN = 0;
const PLAIN_YES = 1;
const PLAIN_NO = 2;
const plain = new Uint8Array(0x10000);

/**
 * Whether a non-ASCII BMP unit is "plain": the full folder would only lower-case it (NFKC leaves it
 * alone, its lower case is one non-ASCII unit, it is no white space, invisible, bidi, tag or
 * variation character, no mark, no look-alike of a Latin letter and not in a confusable script).
 * Text whose only non-ASCII characters are plain (curly quotes, dashes, accented letters, CJK…)
 * takes the fast path, with the same result the full folder would give. Computed on first use.
 */
export function isPlainUnit(c: number): boolean {
  const st = plain[c] ?? PLAIN_UNKNOWN;
  if (st !== PLAIN_UNKNOWN) return st === PLAIN_YES;
  let yes = false;
  if (!(c >= 0xd800 && c <= 0xdfff)) {
    const info = unitInfo()[c] ?? 0;
    if ((info & INFO_CLASS) === CHAR_KEEP && !(info & INFO_ATTACH) && singleState(c) === SINGLE_SAME) {
      const lower = singleLower[c] ?? c;
      yes = lower >= 0x80 && homoglyphOf(c) === 0 && !isConfusableScript(c) && !isConfusableScript(lower);
    }
  }
  plain[c] = yes ? PLAIN_YES : PLAIN_NO;
  return yes;
}

const UPPER = 1;
const LOWER = 2;
const DIGIT = 4;
const HEX = 8;
const B64 = 16;
const LEET = 32;
const SEP = 64;
const SPACE = 128;
/** Characters a hex run is made of: hex digits, separators and the `x` of `0x`. */
const HEX_RUN = 256;
const LETTER = UPPER | LOWER;
const ALNUM = LETTER | DIGIT;

const CLASS = new Uint16Array(128);

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
for (let c = 0; c < 128; c++)
  if ((CLASS[c] as number) & (HEX | SEP)) CLASS[c] = (CLASS[c] as number) | HEX_RUN;
CLASS[0x78] = (CLASS[0x78] as number) | HEX_RUN;
CLASS[0x58] = (CLASS[0x58] as number) | HEX_RUN;

const MIN_BASE64_RUN = 16;
const MIN_HEX_BYTES = 8;

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

/** `prescan` flag: the text has non-ASCII characters other than plain ones (`isPlainUnit`). */
export const PRESCAN_NON_ASCII = 1 << 8;
/** `prescan` flag: white space must be collapsed or trimmed. */
const PRESCAN_COLLAPSE = 1 << 9;
/** `prescan` flag: a leet character touches a letter. */
const PRESCAN_LEET = 1 << 10;
/** The `HINT_*` bits of a `prescan` result. */
export const PRESCAN_HINTS = HINT_BASE64 | HINT_HEX | HINT_ROT13;

const RE_NON_ASCII_G = /[^\x00-\x7f]/g;
const RE_COLLAPSE = /[\t\n\v\f\r]| {2}|^ | $/;
/** A leet character next to an ASCII letter; starts on the (rare) leet class so it scans fast. */
const RE_LEET = /[013457@$|!](?:[A-Za-z]|(?<=[A-Za-z][013457@$|!]))/;
/**
 * A whole word that is the ROT13 of one of the common words `looksLikeRot13` counts. It must find
 * three of them, so a text without one cannot look like ROT13: a wider gate, never a narrower one.
 */
const RE_ROT13_WORD = new RegExp(`\\b${trieAlternation(COMMON_WORDS.map(rot13))}\\b`, 'i');

/**
 * `(?:…)` matching exactly the given lower-case words, factored by common prefixes
 * (`g(?:ur|b)` rather than `gur|gb`): at a word start the engine then tries one branch per
 * letter rather than every word.
 */
export function trieAlternation(words: readonly string[]): string {
  const byFirst = new Map<string, string[]>();
  let empty = false;
  for (const w of words) {
    if (w.length === 0) {
      empty = true;
      continue;
    }
    const rest = byFirst.get(w[0] as string);
    if (rest === undefined) byFirst.set(w[0] as string, [w.slice(1)]);
    else rest.push(w.slice(1));
  }
  const branches = [...byFirst].map(([first, rest]) =>
    rest.length === 1 && rest[0] === '' ? first : `${first}${trieAlternation(rest)}`,
  );
  if (branches.length === 0) return '';
  // Longer words first is not needed: the trailing `\b` of the caller backtracks into `?`.
  const body = branches.length === 1 ? (branches[0] as string) : `(?:${branches.join('|')})`;
  return empty ? `(?:${body})?` : body;
}

/**
 * Computes the decoder hints (`HINT_*` bits) and, for the fast path, whether there are non-ASCII
 * characters other than plain ones, whether white space needs collapsing and whether leetspeak
 * folding can apply. Native regular-expression tests do what they do fast (a few matches at
 * most); one tight loop tracks the base64 and hex runs. Linear in the input.
 */
export function prescan(s: string): number {
  return prescanFlags(s) | runHints(s);
}

/** Non-ASCII characters found by the native search before the loop takes over. */
const NATIVE_NON_ASCII_STEPS = 8;

/** Whether `s` has a non-ASCII unit that is not plain (`isPlainUnit`). */
function hasNonPlain(s: string): boolean {
  // Native jumps from one non-ASCII unit to the next while they are few (names, curly quotes);
  // past a handful, one loop over the rest.
  RE_NON_ASCII_G.lastIndex = 0;
  for (let k = 0; k < NATIVE_NON_ASCII_STEPS; k++) {
    const m = RE_NON_ASCII_G.exec(s);
    if (m === null) return false;
    if (!isPlainUnit(s.charCodeAt(m.index))) return true;
  }
  for (let i = RE_NON_ASCII_G.lastIndex; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80 && !isPlainUnit(c)) return true;
  }
  return false;
}

/** `prescan` without the base64 and hex hints (`decoderHints`), which cost a pass of their own. */
export function prescanFlags(s: string): number {
  let flags = 0;
  if (hasNonPlain(s)) flags |= PRESCAN_NON_ASCII;
  if (RE_COLLAPSE.test(s)) flags |= PRESCAN_COLLAPSE;
  if (RE_LEET.test(s)) flags |= PRESCAN_LEET;
  if (RE_ROT13_WORD.test(s)) flags |= HINT_ROT13;
  return flags;
}

/** The decoder hints (`HINT_BASE64`, `HINT_HEX`) of any text, e.g. one with invisible characters stripped. */
export function decoderHints(s: string): number {
  return runHints(s);
}

/**
 * Base64 hint: a run of at least 16 base64 characters with both upper- and lower-case letters.
 * Hex hint: hex words of even length (an `0x` prefix allowed), joined only by separators, that add
 * up to 8 bytes; or a `\x` escape. Non-ASCII characters are neither.
 */
function runHints(s: string): number {
  let flags = 0;
  if (hasBase64Run(s)) flags |= HINT_BASE64;
  // Eight hex bytes need a run of 16 characters that hex digits, separators and `0x` prefixes are
  // made of: a gate prose never passes, checked by skipping, before the exact loop.
  if (hasHexEscape(s) || (hasRun(s, HEX_RUN, 2 * MIN_HEX_BYTES) && exactHexHint(s))) {
    flags |= HINT_HEX;
  }
  return flags;
}

/**
 * Whether `s` has a run of at least 16 base64 characters with both upper- and lower-case
 * letters. Finds runs of 16 by skipping (see {@link hasRun}), then reads each such run to its end
 * and stops at the first with both cases. Linear; on prose it reads a fraction of the text.
 */
function hasBase64Run(s: string): boolean {
  const n = s.length;
  let p = 0;
  // Invariant: `p` is 0 or follows a character outside the class, so a run found at `p` starts there.
  while (p + MIN_BASE64_RUN <= n) {
    let q = p + MIN_BASE64_RUN - 1;
    for (; q >= p; q--) {
      const c = s.charCodeAt(q);
      if (c >= 0x80 || ((CLASS[c] as number) & B64) === 0) break;
    }
    if (q >= p) {
      p = q + 1;
      continue;
    }
    let cases = 0;
    let i = p;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      const k = c < 0x80 ? (CLASS[c] as number) : 0;
      if ((k & B64) === 0) break;
      cases |= k & LETTER;
      if (cases === LETTER) return true;
    }
    p = i + 1;
  }
  return false;
}

function hasHexEscape(s: string): boolean {
  return s.indexOf('\\x') >= 0 || s.indexOf('\\X') >= 0;
}

/**
 * Whether `s` has `length` consecutive ASCII characters of class `bit`. Tests the last character
 * of each candidate window first and skips past the rightmost outsider, so on text whose runs
 * are short it reads a fraction of the characters; never a character more than twice. Linear.
 */
function hasRun(s: string, bit: number, length: number): boolean {
  const n = s.length;
  let p = 0;
  while (p + length <= n) {
    let q = p + length - 1;
    for (; q >= p; q--) {
      const c = s.charCodeAt(q);
      if (c >= 0x80 || ((CLASS[c] as number) & bit) === 0) break;
    }
    if (q < p) return true;
    p = q + 1;
  }
  return false;
}

/**
 * The exact hex hint: hex words of even length (an `0x` prefix allowed), joined only by
 * separators, that add up to 8 bytes; or a `\\x` escape. Stops at the first.
 */
function exactHexHint(s: string): boolean {
  const n = s.length;
  let wordLen = 0;
  let wordHex = true;
  let hexBytes = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    const k = c < 0x80 ? (CLASS[c] as number) : 0;
    if (k & ALNUM) {
      wordLen++;
      if (!(k & HEX)) {
        if (wordLen === 2 && (c | 0x20) === 0x78 && s.charCodeAt(i - 1) === 0x30) wordLen = 0;
        else wordHex = false;
      }
      continue;
    }
    if (wordLen > 0) {
      if (wordHex && (wordLen & 1) === 0) {
        hexBytes += wordLen >> 1;
        if (hexBytes >= MIN_HEX_BYTES) return true;
      } else {
        hexBytes = 0;
      }
      wordLen = 0;
      wordHex = true;
    }
    if (!(k & SEP)) hexBytes = 0;
    if (c === 0x5c && (s.charCodeAt(i + 1) | 0x20) === 0x78) return true;
  }
  return wordLen > 0 && wordHex && (wordLen & 1) === 0 && hexBytes + (wordLen >> 1) >= MIN_HEX_BYTES;
}

/**
 * Folds `s` when it is ASCII plus plain units only (`flags` from `prescan`, without
 * `PRESCAN_NON_ASCII`): lower-case, white space collapsed and trimmed, leetspeak folded; offsets
 * exact. The text comes from native string operations (a collapse regex that matches only where
 * white space must change); `offsets` is computed on first read, since most texts never have a
 * finding to map back.
 */
export function foldAscii(s: string, flags: number): FoldResult {
  const collapse = (flags & PRESCAN_COLLAPSE) !== 0;
  let text = s.toLowerCase();
  if (collapse) {
    text = text.replace(RE_COLLAPSIBLE, ' ');
    if (text.charCodeAt(0) === 0x20) text = text.slice(1);
    if (text.charCodeAt(text.length - 1) === 0x20) text = text.slice(0, -1);
  }
  let leet = 0;
  if (flags & PRESCAN_LEET) {
    // Leetspeak folding replaces units one for one, so offsets do not change.
    const folded = foldLeetspeakText(text);
    leet = folded.count;
    text = folded.text;
  }
  let offsets: Int32Array | undefined;
  return {
    text,
    get offsets(): Int32Array {
      offsets ??= collapse ? collapsedOffsets(s) : identityOffsets(s.length + 1);
      return offsets;
    },
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

/** White space that must change: a run of two or more, or one tab or line break. Linear. */
const RE_COLLAPSIBLE = /[\t\n\v\f\r ]{2,}|[\t\n\v\f\r]/g;

/** Offsets of `s` with each run of ASCII white space mapped to its first character, trimmed. */
function collapsedOffsets(s: string): Int32Array {
  const n = s.length;
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
      if (len > 0) off[len++] = pending;
      pending = -1;
    }
    off[len++] = i;
    lastEnd = i + 1;
  }
  off[len] = lastEnd;
  return off.slice(0, len + 1);
}
