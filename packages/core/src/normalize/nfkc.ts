/**
 * NFKC of single code points, cached. Normalizing code point by code point keeps the offset
 * mapping exact; the cache makes hostile inputs (a megabyte of fullwidth letters) cheap, and is
 * bounded because only a few thousand code points change under NFKC.
 */

/** NFKC of one code point, and its lower-cased form. */
export interface NormalizedCodePoint {
  out: string;
  lower: string;
}

const CACHE_LIMIT = 16_384;
const cache = new Map<number, NormalizedCodePoint>();
/** For BMP code points met so far: 1 if NFKC leaves them alone, 2 if it changes them, 0 unknown. */
const stability = new Uint8Array(0x10000);

/** NFKC of one code point (as a string of one or more UTF-16 units), and that lower-cased. */
export function nfkcCodePoint(cp: number): NormalizedCodePoint {
  const hit = cache.get(cp);
  if (hit !== undefined) return hit;
  const out = String.fromCodePoint(cp).normalize('NFKC');
  const entry = { out, lower: out.toLowerCase() };
  if (cp < 0x10000) stability[cp] = out.length === 1 && out.charCodeAt(0) === cp ? 1 : 2;
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(cp, entry);
  return entry;
}

/** Whether NFKC is already known (from an earlier `nfkcCodePoint` call) to change this code point. */
export function isKnownNfkcUnstable(cp: number): boolean {
  return cp < 0x10000 && stability[cp] === 2;
}
