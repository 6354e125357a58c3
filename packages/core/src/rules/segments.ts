/**
 * Sentence segmentation of a folded view. Whitespace is already collapsed, so boundaries are
 * punctuation: `.`, `!`, `?`, `;` followed by a space (or the end), and line breaks or `|`
 * separators where they survive. Sentences longer than `maxLength` are force-split into pieces
 * that overlap by `overlap` characters, so unpunctuated hostile input stays linear.
 */

/** Sentence spans `[starts[i], ends[i])`, ordered by start. */
export interface Segments {
  starts: Int32Array;
  ends: Int32Array;
  count: number;
}

/** Default maximum segment length. */
export const MAX_SEGMENT_LENGTH = 600;
/** Default overlap of force-split segments. */
export const SEGMENT_OVERLAP = 80;

/** 1: always a boundary (`\n`, `\r`, `|`); 2: a boundary when followed by whitespace, a quote or the end (`. ! ? ;`). */
const BOUNDARY_KIND = (() => {
  const t = new Uint8Array(128);
  for (const c of '\n\r|') t[c.charCodeAt(0)] = 1;
  for (const c of '.!?;') t[c.charCodeAt(0)] = 2;
  return t;
})();

function isBoundary(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  const kind = c < 128 ? (BOUNDARY_KIND[c] as number) : 0;
  if (kind !== 2) return kind === 1;
  // . ! ? ;  — only when followed by whitespace or the end (keeps "evil.com", "3.5", "a;b").
  if (i + 1 >= text.length) return true;
  const n = text.charCodeAt(i + 1);
  return n === 32 || n === 10 || n === 13 || n === 9 || n === 34 || n === 39;
}

/** Splits `text` into sentence segments (one pass, linear). */
export function segmentSentences(
  text: string,
  maxLength = MAX_SEGMENT_LENGTH,
  overlap = SEGMENT_OVERLAP,
): Segments {
  let starts = new Int32Array(Math.max(4, (text.length / 64) | 0));
  let ends = new Int32Array(starts.length);
  let count = 0;
  const push = (s: number, e: number): void => {
    if (count === starts.length) {
      const ns = new Int32Array(count * 2);
      const ne = new Int32Array(count * 2);
      ns.set(starts);
      ne.set(ends);
      starts = ns;
      ends = ne;
    }
    starts[count] = s;
    ends[count] = e;
    count++;
  };
  const emit = (s: number, e: number): void => {
    if (e <= s) return;
    if (e - s <= maxLength) {
      push(s, e);
      return;
    }
    const step = maxLength - overlap;
    for (let p = s; p < e; p += step) {
      const q = Math.min(e, p + maxLength);
      push(p, q);
      if (q === e) break;
    }
  };
  let start = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 128 || BOUNDARY_KIND[c] === 0) continue;
    if (isBoundary(text, i)) {
      emit(start, i + 1);
      start = i + 1;
    }
  }
  emit(start, text.length);
  return { starts, ends, count };
}

/** Index of the last segment whose start is ≤ `pos` (binary search), or -1. */
export function segmentAt(segments: Segments, pos: number): number {
  let lo = 0;
  let hi = segments.count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if ((segments.starts[mid] as number) <= pos) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
