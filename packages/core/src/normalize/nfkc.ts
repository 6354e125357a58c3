/**
 * NFKC of single code points and of short clusters (a base and its marks), cached. Normalizing
 * piece by piece keeps the offset mapping exact; the caches make hostile inputs (a megabyte of
 * fullwidth letters or of zalgo) cheap, and are bounded.
 */

/** NFKC of one code point, and its lower-cased form. */
export interface NormalizedCodePoint {
  out: string;
  lower: string;
}

const CACHE_LIMIT = 16_384;
const cache = new Map<number, NormalizedCodePoint>();
const clusterCache = new Map<string, NormalizedCodePoint>();

/** NFKC of one code point (as a string of one or more UTF-16 units), and that lower-cased. */
export function nfkcCodePoint(cp: number): NormalizedCodePoint {
  const hit = cache.get(cp);
  if (hit !== undefined) return hit;
  const out = String.fromCodePoint(cp).normalize('NFKC');
  const entry = { out, lower: out.toLowerCase() };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(cp, entry);
  return entry;
}

/** NFKC of a cluster (a base character and the marks after it, or marks alone), and that lower-cased. */
export function nfkcCluster(cluster: string): NormalizedCodePoint {
  const hit = clusterCache.get(cluster);
  if (hit !== undefined) return hit;
  const out = cluster.normalize('NFKC');
  const entry = { out, lower: out.toLowerCase() };
  if (clusterCache.size >= CACHE_LIMIT) clusterCache.clear();
  clusterCache.set(cluster, entry);
  return entry;
}
