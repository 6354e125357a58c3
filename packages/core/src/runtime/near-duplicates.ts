import { wordTokens } from './text-tokens.js';

/**
 * Near-duplicate detection for retrieval-time signals: MinHash signatures over word shingles and
 * the Jaccard similarity they estimate. A signature costs O(tokens × hashes); comparing two costs
 * O(hashes), so a top-k of 20 costs 190 comparisons of 64 numbers.
 */

export interface MinHashOptions {
  /** Words per shingle. @default 3 */
  shingleSize?: number;
  /** Hash functions (signature length). The estimate's standard error is about 1/√hashes. @default 64 */
  hashes?: number;
}

/** FNV-1a (32-bit) of a string. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
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

const SEEDS: number[] = [];
function seed(i: number): number {
  while (SEEDS.length <= i) SEEDS.push(fmix32((SEEDS.length + 1) * 0x9e3779b9));
  return SEEDS[i]!;
}

/**
 * The MinHash signature of a text: for each of `hashes` hash functions, the least hash over the
 * text's word shingles. A text shorter than one shingle is one shingle of all its words.
 */
export function minHashSignature(text: string, options: MinHashOptions = {}): Uint32Array {
  const k = options.shingleSize ?? 3;
  const n = options.hashes ?? 64;
  const tokens = wordTokens(text);
  const sig = new Uint32Array(n).fill(0xffffffff);
  const shingles = new Set<number>();
  if (tokens.length === 0) return sig;
  if (tokens.length < k) shingles.add(fnv1a(tokens.join(' ')));
  for (let i = 0; i + k <= tokens.length; i++) shingles.add(fnv1a(tokens.slice(i, i + k).join(' ')));
  for (const s of shingles) {
    for (let j = 0; j < n; j++) {
      const h = fmix32(s ^ seed(j));
      if (h < sig[j]!) sig[j] = h;
    }
  }
  return sig;
}

/** The Jaccard similarity two signatures estimate: the fraction of hash functions on which they agree. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i] && a[i] !== 0xffffffff) same++;
  return same / a.length;
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
 * two or more are returned. O(n² × hashes) comparisons after O(n) signatures.
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
  const best = new Map<number, number>();
  const linked: [number, number, number][] = [];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = estimateJaccard(signatures[i]!, signatures[j]!);
      if (s >= threshold) {
        linked.push([i, j, s]);
        const a = find(i);
        const b = find(j);
        if (a !== b) parent[b] = a;
      }
    }
  }
  for (const [i, , s] of linked) {
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
