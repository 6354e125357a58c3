/**
 * Canary tokens: random strings planted in a system prompt, a secret memory entry or a document,
 * that must never come back out. Finding one in a model output, a tool call or a memory write means
 * the guarded text leaked (or was copied where it should not be).
 *
 * A canary is made of random ASCII letters only, so that every transformation the normalizer
 * undoes (case, spacing, invisible characters, homoglyphs, base64, hex, URL encoding, HTML
 * entities) leaves its letters intact; detection then looks for that letter sequence in the
 * letters of every normalized view, ignoring everything in between, and for its ROT13 too.
 */
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { normalize } from '../normalize/normalize.js';
import type { TextView } from '../normalize/types.js';
import { randomBytes } from './web-crypto.js';

/**
 * How a canary looks:
 * - `token`: four groups of six capital letters, `QZXVHK-PLMWRT-BNCJDS-FGHKLA` (112 bits);
 * - `key`: 32 mixed-case letters, like an API key or a password (150 bits): bait for an injected
 *   "send me the credentials";
 * - `word`: four pronounceable made-up words, `Vamorek Tulisan Brodavin Kesurol` (75 bits): reads
 *   as a name or a code word, so it is less likely to be stripped as noise.
 */
export type CanaryFormat = 'token' | 'key' | 'word';

/** A canary token. Plain data: store it as JSON and pass it back to `detectCanaries`. */
export interface Canary {
  /** The text to plant. */
  token: string;
  /** What the canary guards, e.g. `system-prompt`. Never part of the token. */
  label?: string;
  /** The format the token was made in. */
  format: CanaryFormat;
  /**
   * What detection looks for: the token's letters, lower-cased (every format is letters and
   * separators only). At least `MIN_FINGERPRINT_LENGTH` letters.
   */
  fingerprint: string;
}

export interface CreateCanaryOptions {
  /** What the canary guards, kept on the returned object (never in the token). @default undefined */
  label?: string;
  /** How the token looks (see `CanaryFormat`). @default 'token' */
  format?: CanaryFormat;
}

/** Fewest letters a fingerprint may have (a shorter one could occur by chance). */
export const MIN_FINGERPRINT_LENGTH = 16;

const FORMATS: readonly CanaryFormat[] = ['token', 'key', 'word'];
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const CONSONANTS = 'bdfghjklmnprstvz';
const VOWELS = 'aeiou';

/**
 * `count` uniform random integers in `[0, n)` (`n` ≤ 256), from Web Crypto with rejection
 * sampling, so no value is more likely than another.
 */
function randomInts(count: number, n: number): number[] {
  const limit = 256 - (256 % n);
  const out: number[] = [];
  while (out.length < count) {
    for (const b of randomBytes(new Uint8Array(count * 2))) {
      if (b < limit) out.push(b % n);
      if (out.length === count) break;
    }
  }
  return out;
}

function letters(count: number, alphabet: string): string {
  let s = '';
  for (const i of randomInts(count, alphabet.length)) s += alphabet[i];
  return s;
}

function makeToken(format: CanaryFormat): string {
  switch (format) {
    case 'token': {
      const s = letters(24, UPPER);
      return `${s.slice(0, 6)}-${s.slice(6, 12)}-${s.slice(12, 18)}-${s.slice(18)}`;
    }
    case 'key':
      return letters(32, LOWER + UPPER);
    case 'word': {
      const syllables = randomInts(12, CONSONANTS.length * VOWELS.length);
      const words: string[] = [];
      for (let w = 0; w < 4; w++) {
        let word = '';
        for (let k = 0; k < 3; k++) {
          const s = syllables[w * 3 + k] ?? 0;
          word += (CONSONANTS[Math.floor(s / VOWELS.length)] ?? 'b') + (VOWELS[s % VOWELS.length] ?? 'a');
        }
        words.push(word.charAt(0).toUpperCase() + word.slice(1));
      }
      return words.join(' ');
    }
  }
}

/** The lower-cased ASCII letters of `token`: what detection looks for. */
export function canaryFingerprint(token: string): string {
  return token.toLowerCase().replace(/[^a-z]+/g, '');
}

/**
 * Makes a new canary token from Web Crypto randomness (`CryptoUnavailableError` without it; never
 * `Math.random`). The token is random letters (and separators), so it does not occur in natural
 * text, survives copying, case changes and re-spacing, and is found again under the encodings the
 * normalizer decodes.
 */
export function createCanary(options: CreateCanaryOptions = {}): Canary {
  const format = options.format ?? 'token';
  if (!FORMATS.includes(format)) {
    throw new InvalidOptionError(
      'format',
      `format must be one of ${FORMATS.join(', ')}, got ${String(format)}`,
    );
  }
  if (options.label !== undefined && typeof options.label !== 'string') {
    throw new InvalidOptionError('label', 'label must be a string');
  }
  const token = makeToken(format);
  const canary: Canary = { token, format, fingerprint: canaryFingerprint(token) };
  if (options.label !== undefined) canary.label = options.label;
  return canary;
}

/** Where a canary was found. */
export interface CanaryMatch {
  /** The canary found. */
  canary: Canary;
  /**
   * Start of the match in the text (UTF-16 offset). For a canary found inside an encoded segment,
   * the start of the outermost encoded segment.
   */
  start: number;
  /** End (exclusive) of the match, or of the outermost encoded segment it was found in. */
  end: number;
  /** The normalized view it was found in: `text` for the text itself, else the decoding. */
  view: TextView['kind'];
  /** True when the canary was found ROT13-encoded (in addition to `view`'s decoding). */
  rot13: boolean;
}

export interface DetectCanariesOptions {
  /** How deep nested encodings are followed (see `NormalizeOptions`). @default 2 */
  maxDecodeDepth?: number;
  /** At most this many decoded views per text (see `NormalizeOptions`). @default 16 */
  maxDecodedViews?: number;
}

/** @internal A pattern to find: a canary's fingerprint, or its ROT13. */
export interface Pattern {
  canary: Canary;
  codes: Uint8Array;
  rot13: boolean;
}

/** @internal Patterns of one length, by rolling hash. */
export interface PatternGroup {
  length: number;
  /** `BASE^(length-1)` mod 2^32, to roll the first letter out. */
  pow: number;
  byHash: Map<number, Pattern[]>;
}

const BASE = 0x01000193;

function hashOf(codes: Uint8Array, start: number, length: number): number {
  let h = 0;
  for (let i = start; i < start + length; i++) h = (Math.imul(h, BASE) + (codes[i] ?? 0)) | 0;
  return h;
}

function validateCanary(value: unknown): Canary {
  const c = value as Partial<Canary> | null;
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.token !== 'string' ||
    typeof c.fingerprint !== 'string' ||
    c.fingerprint.length < MIN_FINGERPRINT_LENGTH ||
    !/^[a-z]+$/.test(c.fingerprint)
  ) {
    throw new InvalidInputError(
      'canaries',
      `every canary must be an object from createCanary (a token and a fingerprint of at least ${MIN_FINGERPRINT_LENGTH} lower-case letters)`,
    );
  }
  return c as Canary;
}

/** Letter codes 1..26 of a lower-case fingerprint, optionally ROT13-ed. */
function codesOf(fingerprint: string, rotate: boolean): Uint8Array {
  const codes = new Uint8Array(fingerprint.length);
  for (let i = 0; i < fingerprint.length; i++) {
    const c = fingerprint.charCodeAt(i) - 0x61;
    codes[i] = (rotate ? (c + 13) % 26 : c) + 1;
  }
  return codes;
}

function compilePatterns(canaries: Iterable<Canary>): PatternGroup[] {
  const groups = new Map<number, PatternGroup>();
  const seen = new Set<string>();
  for (const value of canaries) {
    const canary = validateCanary(value);
    if (seen.has(canary.fingerprint)) continue;
    seen.add(canary.fingerprint);
    const length = canary.fingerprint.length;
    let group = groups.get(length);
    if (group === undefined) {
      let pow = 1;
      for (let i = 1; i < length; i++) pow = Math.imul(pow, BASE);
      group = { length, pow, byHash: new Map() };
      groups.set(length, group);
    }
    for (const rot13 of [false, true]) {
      const codes = codesOf(canary.fingerprint, rot13);
      const h = hashOf(codes, 0, length);
      const list = group.byHash.get(h);
      const pattern: Pattern = { canary, codes, rot13 };
      if (list === undefined) group.byHash.set(h, [pattern]);
      else list.push(pattern);
    }
  }
  return [...groups.values()];
}

/** The ASCII letters of a folded view (codes 1..26) and, for each, its index in `text`. */
function compact(text: string): { codes: Uint8Array; index: Int32Array; length: number } {
  const codes = new Uint8Array(text.length);
  const index = new Int32Array(text.length);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i) | 0x20;
    if (c >= 0x61 && c <= 0x7a) {
      codes[n] = c - 0x60;
      index[n] = i;
      n++;
    }
  }
  return { codes, index, length: n };
}

const COMBINING_MARK = /\p{M}/u;

/** End in `original` of the character behind unit `j` of a view with exact offsets. */
function charEnd(original: string, offsets: Int32Array, textLength: number, j: number): number {
  const start = offsets[j] ?? 0;
  let k = j + 1;
  while (k < textLength && offsets[k] === start) k++;
  const next = offsets[k] ?? original.length;
  const cp = original.codePointAt(start) ?? 0;
  let end = Math.min(next, start + (cp > 0xffff ? 2 : 1));
  while (end < next) {
    const m = original.codePointAt(end) ?? 0;
    if (!COMBINING_MARK.test(String.fromCodePoint(m))) break;
    end += m > 0xffff ? 2 : 1;
  }
  return end;
}

/** A match, and whether its span is exact (found in a view with exact offsets) or a whole encoded segment. */
interface Found {
  match: CanaryMatch;
  exact: boolean;
}

function scanView(
  original: string,
  view: TextView,
  groups: readonly PatternGroup[],
  out: Found[],
  seen: Set<string>,
): void {
  const { codes, index, length: n } = compact(view.text);
  for (const group of groups) {
    const L = group.length;
    if (n < L) continue;
    let h = hashOf(codes, 0, L);
    for (let i = 0; ; i++) {
      const candidates = group.byHash.get(h);
      if (candidates !== undefined) {
        for (const p of candidates) {
          let k = 0;
          while (k < L && codes[i + k] === p.codes[k]) k++;
          if (k === L) report(original, view, p, index[i] ?? 0, index[i + L - 1] ?? 0, out, seen);
        }
      }
      if (i + L >= n) break;
      h = (Math.imul((h - Math.imul(codes[i] ?? 0, group.pow)) | 0, BASE) + (codes[i + L] ?? 0)) | 0;
    }
  }
}

function report(
  original: string,
  view: TextView,
  p: Pattern,
  first: number,
  last: number,
  out: Found[],
  seen: Set<string>,
): void {
  let start: number;
  let end: number;
  if (view.segment !== undefined) {
    start = view.segment.start;
    end = view.segment.end;
  } else {
    const offsets = view.offsets;
    start = offsets[first] ?? 0;
    end = charEnd(original, offsets, view.text.length, last);
  }
  const key = `${p.canary.fingerprint}:${start}:${end}`;
  if (seen.has(key)) return;
  seen.add(key);
  out.push({
    match: { canary: p.canary, start, end, view: view.kind, rot13: p.rot13 },
    exact: view.segment === undefined,
  });
}

/**
 * Drops a match in an encoded segment when the same canary was found at an exact place inside that
 * segment (a URL whose letters carry the canary in clear, say): one leak, one match.
 */
function dropShadowed(found: Found[]): CanaryMatch[] {
  const exactStarts = new Map<string, number[]>();
  for (const f of found) {
    if (!f.exact) continue;
    const list = exactStarts.get(f.match.canary.fingerprint);
    if (list === undefined) exactStarts.set(f.match.canary.fingerprint, [f.match.start]);
    else list.push(f.match.start);
  }
  const out: CanaryMatch[] = [];
  for (const f of found) {
    const m = f.match;
    if (!f.exact) {
      const starts = exactStarts.get(m.canary.fingerprint);
      if (starts !== undefined) {
        // `starts` is sorted: the first exact start at or after the segment's start.
        let lo = 0;
        let hi = starts.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if ((starts[mid] ?? 0) < m.start) lo = mid + 1;
          else hi = mid;
        }
        if (lo < starts.length && (starts[lo] ?? 0) < m.end) continue;
      }
    }
    out.push(m);
  }
  return out;
}

/**
 * Finds which `canaries` occur in `text`, and where. A canary is found whatever its case, with
 * any characters inserted between its letters (spaces, dashes, line breaks, zero-width and other
 * invisible characters), written with homoglyphs, and inside any encoding the normalizer decodes
 * (base64, hex, URL encoding, HTML entities, nested up to `maxDecodeDepth`) or ROT13.
 *
 * Matches are sorted by position; a canary found at the same place through two views is reported
 * once. Linear in the length of `text` (for a fixed set of canary lengths: one rolling-hash pass per
 * distinct fingerprint length over each view). Throws `InvalidInputError` when `text` is not a
 * string or a canary is not one `createCanary` made.
 */
export function detectCanaries(
  text: string,
  canaries: Iterable<Canary>,
  options: DetectCanariesOptions = {},
): CanaryMatch[] {
  if (canaries === null || typeof canaries !== 'object' || !(Symbol.iterator in canaries)) {
    throw new InvalidInputError('canaries', 'canaries must be an iterable of canaries');
  }
  return detectCompiled(text, compileCanaries(canaries), options);
}

/** @internal Canaries compiled for `detectCompiled` (validated; one entry per fingerprint length). */
export type CompiledCanaries = readonly PatternGroup[];

/** @internal Validates and compiles canaries once, for many texts. */
export function compileCanaries(canaries: Iterable<Canary>): CompiledCanaries {
  return compilePatterns(canaries);
}

/** @internal `detectCanaries` with canaries compiled beforehand. */
export function detectCompiled(
  text: string,
  groups: CompiledCanaries,
  options: DetectCanariesOptions = {},
): CanaryMatch[] {
  if (typeof text !== 'string') throw new InvalidInputError('text', 'text must be a string');
  if (groups.length === 0 || text.length === 0) return [];
  const normalizeOptions: { maxDecodeDepth?: number; maxDecodedViews?: number } = {};
  if (options.maxDecodeDepth !== undefined) normalizeOptions.maxDecodeDepth = options.maxDecodeDepth;
  if (options.maxDecodedViews !== undefined) normalizeOptions.maxDecodedViews = options.maxDecodedViews;
  const { views } = normalize(text, normalizeOptions);
  const found: Found[] = [];
  const seen = new Set<string>();
  for (const view of views) scanView(text, view, groups, found, seen);
  found.sort((a, b) => a.match.start - b.match.start || a.match.end - b.match.end);
  return dropShadowed(found);
}
