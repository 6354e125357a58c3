/**
 * Word tokens of a text for the retrieval signals: NFKC, lower case, runs of letters and digits.
 * The signals compare tokens, never read them, so they work on 32-bit FNV-1a hashes of the
 * tokens: ASCII text (the common case) is hashed in one pass without building a string per word.
 */

const WORD = /[\p{L}\p{N}]+/gu;
const ASCII = /^[\x00-\x7f]*$/;

/** At most this many tokens of one text are used (the signals look at the opening of a chunk). */
export const MAX_SIGNAL_TOKENS = 5000;

/** At most this many characters of one text are read (5000 words fit in far less). */
export const MAX_SIGNAL_CHARS = 65_536;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a (32-bit) of a string's UTF-16 code units. */
export function fnv1a(s: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, FNV_PRIME);
  }
  return h >>> 0;
}

/** The tokens themselves (NFKC, lower case), for tests and explanations. */
export function wordTokens(text: string, max = MAX_SIGNAL_TOKENS): string[] {
  const out: string[] = [];
  const re = new RegExp(WORD.source, 'gu');
  const norm = text.slice(0, MAX_SIGNAL_CHARS).normalize('NFKC').toLowerCase();
  for (let m = re.exec(norm); m !== null && out.length < max; m = re.exec(norm)) out.push(m[0]);
  return out;
}

/** `fnv1a` of each of `wordTokens(text, max)`, computed without building the words for ASCII text. */
export function tokenHashes(input: string, max = MAX_SIGNAL_TOKENS): Uint32Array {
  const text = input.length > MAX_SIGNAL_CHARS ? input.slice(0, MAX_SIGNAL_CHARS) : input;
  if (!ASCII.test(text)) {
    const words = wordTokens(text, max);
    const out = new Uint32Array(words.length);
    for (let i = 0; i < words.length; i++) out[i] = fnv1a(words[i]!);
    return out;
  }
  const n = text.length;
  // At most one word per two characters.
  const out = new Uint32Array(Math.min(max, (n + 1) >> 1));
  let m = 0;
  let h = FNV_OFFSET;
  let inWord = false;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) c += 32;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      if (!inWord) {
        h = FNV_OFFSET;
        inWord = true;
      }
      h = Math.imul(h ^ c, FNV_PRIME);
    } else if (inWord) {
      out[m++] = h >>> 0;
      inWord = false;
      if (m >= out.length) return out;
    }
  }
  if (inWord && m < out.length) out[m++] = h >>> 0;
  return out.subarray(0, m);
}

/** Function words that say nothing about what a text is about. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but if then else of to in on at by for with from into onto about as is are was were be been ' +
    'being do does did have has had what which who whom whose when where why how this that these those it its ' +
    'i you he she we they me him her us them my your his our their can could should would will shall may might ' +
    'must not no yes so than too very just also any all some there here'
  ).split(' '),
);

/** `fnv1a` of each stopword. */
export const STOPWORD_HASHES: ReadonlySet<number> = new Set([...STOPWORDS].map(fnv1a));
