/** ROT13 detection: text whose ROT13 reads as English (and which itself does not). */
import { unitsToString } from './utf16.js';

/** Very common English words, and the words of injected instructions. None is the ROT13 of another. */
// biome-ignore format: compact table
export const COMMON_WORDS = [
  'the', 'and', 'you', 'all', 'to', 'of', 'your', 'from', 'now', 'on', 'ignore', 'instructions', 'send',
  'previous', 'password', 'every', 'user', 'please', 'must', 'is', 'are', 'this', 'that', 'with', 'for',
  'it', 'in', 'not', 'do', 'have', 'what', 'will', 'can', 'as', 'at', 'if', 'we', 'they', 'my', 'me',
  'our', 'any', 'was', 'but', 'so', 'data', 'system', 'prompt', 'tell', 'secret', 'forget', 'new', 'rules',
  'always', 'never', 'email', 'key', 'should', 'admin', 'instead', 'assistant', 'credentials', 'token',
];

/** Fewest common words the ROT13 must contain. */
export const MIN_ROT13_HITS = 3;

function wordHash(word: string): number {
  let h = 0;
  for (let i = 0; i < word.length; i++) h = (Math.imul(h, 31) + word.charCodeAt(i)) | 0;
  return h ^ word.length;
}

const COMMON = new Set(COMMON_WORDS.map(wordHash));

const ROT = new Uint16Array(128);
for (let c = 0; c < 128; c++) ROT[c] = c;
for (let i = 0; i < 26; i++) {
  ROT[0x41 + i] = 0x41 + ((i + 13) % 26);
  ROT[0x61 + i] = 0x61 + ((i + 13) % 26);
}

/** ROT13 of the ASCII letters of `s` (everything else unchanged; the length never changes). */
export function rot13(s: string): string {
  const n = s.length;
  const buf = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    buf[i] = c < 128 ? (ROT[c] ?? c) : c;
  }
  return unitsToString(buf, 0, n);
}

/** Counts common English words (ASCII letter runs of 2–12 letters, any case) in ROT13(`s`), or in `s` itself with `rotated` false. */
export function englishHits(s: string, rotated: boolean): number {
  const shift = rotated ? 13 : 0;
  let hits = 0;
  const n = s.length;
  let i = 0;
  while (i < n) {
    let c = s.charCodeAt(i) | 0x20;
    if (c < 0x61 || c > 0x7a) {
      i++;
      continue;
    }
    let h = 0;
    const start = i;
    do {
      let r = c + shift;
      if (r > 0x7a) r -= 26;
      h = (Math.imul(h, 31) + r) | 0;
      i++;
      c = s.charCodeAt(i) | 0x20;
    } while (i < n && c >= 0x61 && c <= 0x7a);
    const len = i - start;
    if (len >= 2 && len <= 12 && COMMON.has(h ^ len)) hits++;
  }
  return hits;
}

/** Texts longer than this are judged on `ROT13_SAMPLES` windows of this size. */
const ROT13_WINDOW = 4096;
const ROT13_SAMPLES = 4;

/**
 * Whether `s` looks ROT13-encoded: its ROT13 has ≥ 3 common words and at least twice as many as
 * `s`. Long texts are judged on a few windows (start, two middles, end), so the cost is bounded.
 */
export function looksLikeRot13(s: string): boolean {
  if (s.length <= ROT13_WINDOW * ROT13_SAMPLES) return judgeRot13(s);
  const step = Math.floor((s.length - ROT13_WINDOW) / (ROT13_SAMPLES - 1));
  let sample = '';
  for (let k = 0; k < ROT13_SAMPLES; k++) sample += `${s.slice(k * step, k * step + ROT13_WINDOW)} `;
  return judgeRot13(sample);
}

function judgeRot13(s: string): boolean {
  const rotated = englishHits(s, true);
  return rotated >= MIN_ROT13_HITS && rotated >= 2 * englishHits(s, false);
}
