import { tokenHashes } from './text-tokens.js';

/**
 * Near-duplicate detection for retrieval-time signals: bottom-k MinHash sketches over word
 * shingles and the Jaccard similarity they estimate. Each shingle is hashed once and the k least
 * hashes are kept, so a sketch costs O(shingles · log k) and comparing two costs O(k); for texts
 * with fewer than k distinct shingles the sketch is the whole set and the similarity is exact.
 * A top-k of 20 chunks costs 20 sketches and 190 comparisons of at most 64 numbers.
 */

export interface MinHashOptions {
  /** Words per shingle. @default 3 */
  shingleSize?: number;
  /** Sketch size k (hashes kept). The estimate's standard error is about 1/√k. @default 64 */
  hashes?: number;
}

/** MurmurHash3's 32-bit finalizer: a cheap, well-mixing permutation of 32-bit values. */
function fmix32(x: number): number {
  let h = x;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The bottom-k MinHash sketch of a text: the k least hashes of its word shingles, ascending. A
 * text shorter than one shingle is one shingle of all its words.
 */
export function minHashSignature(text: string, options: MinHashOptions = {}): Uint32Array {
  return minHashOfTokens(tokenHashes(text), options);
}

/** `minHashSignature` of already tokenized text (the token hashes of `tokenHashes`). */
export function minHashOfTokens(tok: Uint32Array, options: MinHashOptions = {}): Uint32Array {
  const k = options.shingleSize ?? 3;
  const n = options.hashes ?? 64;
  if (tok.length === 0) return new Uint32Array(0);
  const count = Math.max(1, tok.length - k + 1);
  const hashes = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    // Combine the token hashes of the shingle (no string building), then mix.
    let h = tok[i]!;
    for (let j = 1; j < k && i + j < tok.length; j++) h = Math.imul(h ^ (h >>> 15), 0x9e3779b1) ^ tok[i + j]!;
    hashes[i] = fmix32(h);
  }
  hashes.sort();
  // Distinct values, the first n of them.
  const out = new Uint32Array(Math.min(n, count));
  let m = 0;
  for (let i = 0; i < hashes.length && m < out.length; i++) {
    if (i === 0 || hashes[i] !== hashes[i - 1]) out[m++] = hashes[i]!;
  }
  return out.subarray(0, m);
}

/**
 * The Jaccard similarity two sketches estimate: among the k least hashes of their union, the
 * share found in both. Exact when both texts have fewer than k distinct shingles.
 */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  const k = Math.max(a.length, b.length);
  if (k === 0) return 0;
  let i = 0;
  let j = 0;
  let taken = 0;
  let both = 0;
  while (taken < k && (i < a.length || j < b.length)) {
    const x = i < a.length ? a[i]! : Number.POSITIVE_INFINITY;
    const y = j < b.length ? b[j]! : Number.POSITIVE_INFINITY;
    if (x === y) {
      both++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
    taken++;
  }
  return both / taken;
}

/** A group of texts each linked to another by an estimated Jaccard similarity at or over the threshold. */
export interface NearDuplicateCluster {
  /** Indexes of the texts, ascending. */
  members: number[];
  /** The highest pairwise similarity inside the group. */
  similarity: number;
}

/**
 * Groups near-duplicate texts (single linkage over pairs at or over `threshold`). Only groups of
 * two or more are returned. O(n² · k) after the n sketches.
 */
export function nearDuplicateClusters(
  signatures: readonly Uint32Array[],
  threshold: number,
): NearDuplicateCluster[] {
  const n = signatures.length;
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r]!;
    let c = i;
    while (parent[c] !== r) {
      const next = parent[c]!;
      parent[c] = r;
      c = next;
    }
    return r;
  };
  const linked: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = estimateJaccard(signatures[i]!, signatures[j]!);
      if (s >= threshold) {
        linked.push([i, s]);
        const a = find(i);
        const b = find(j);
        if (a !== b) parent[b] = a;
      }
    }
  }
  const best = new Map<number, number>();
  for (const [i, s] of linked) {
    const r = find(i);
    best.set(r, Math.max(best.get(r) ?? 0, s));
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    if (!best.has(r)) continue;
    const g = groups.get(r);
    if (g === undefined) groups.set(r, [i]);
    else g.push(i);
  }
  return [...groups.entries()].map(([r, members]) => ({ members, similarity: best.get(r)! }));
}
