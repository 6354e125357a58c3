/**
 * Hashed text features of the learned layer, shared by the runtime (`LinearModel.score`) and the
 * training script (`calibration/train/train.mjs` compiles this very file), so that both see exactly
 * the same feature vector.
 *
 * Input: a text already folded by `normalize()` (`views[n].text`: NFKC, lower-cased, homoglyphs and
 * leetspeak folded, white space collapsed). Features, all hashed with 32-bit FNV-1a plus the
 * murmur3 finalizer into `2^bucketsLog2` buckets with the sign taken from the hash's top bit
 * (signed hashing):
 * - character 3-, 4- and 5-grams over the whole text (across word boundaries, so punctuation and
 *   phrase joins such as `e all p` or `](http` count);
 * - word unigrams and bigrams, a word being a run of ASCII letters, digits and `_` or of
 *   non-ASCII characters outside the punctuation blocks;
 * - one length feature (⌊log2 length⌋).
 * Values: the signed sum per bucket, log-scaled (`sign·ln(1+|v|)`), then L2-normalized.
 *
 * Cost: linear in the text, with the text capped to its first `HEAD_CHARS` and last `TAIL_CHARS`
 * characters (an instruction buried in the middle of a longer text is not seen; score chunks of
 * long documents separately). No string is sliced per n-gram; all buffers are reused.
 */

/** Bumped whenever the features change: weights trained on another version do not apply. */
export const FEATURE_VERSION = 'mg-hash-1';
/** Characters taken from the start of a long text. */
export const HEAD_CHARS = 8192;
/** Characters taken from the end of a text longer than `HEAD_CHARS + TAIL_CHARS`. */
export const TAIL_CHARS = 2048;
/** Default number of hash buckets (log2). */
export const DEFAULT_BUCKETS_LOG2 = 18;

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
/** Seeds that keep the feature families apart in the hash space. */
const SEED_CHAR = 0x3c6ef372 | 0;
const SEED_WORD = 0x1b873593 | 0;
const SEED_BIGRAM = 0x5bd1e995 | 0;
const SEED_LENGTH = 0x27d4eb2f | 0;
/** Upper bound of distinct features of one capped text (3 char n-grams and ≤ 2 word features per char). */
const MAX_FEATURES = 5 * (HEAD_CHARS + TAIL_CHARS) + 8;

/** murmur3's 32-bit finalizer: spreads FNV's weak low bits over the whole word. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** True for a code unit that belongs to a word: `[0-9a-z_]`, upper-case ASCII, non-ASCII letters. */
function isWordUnit(c: number): boolean {
  if (c < 0x80) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || (c >= 65 && c <= 90);
  if (c < 0xc0) return false; // Latin-1 punctuation and symbols
  if (c >= 0x2000 && c <= 0x2bff) return false; // general punctuation, arrows, symbols
  if (c >= 0x3000 && c <= 0x303f) return false; // CJK punctuation
  return true;
}

/** The feature vector of one text: `count` entries of `indices` (bucket) and `values`. */
export interface SparseFeatures {
  count: number;
  indices: Int32Array;
  values: Float32Array;
}

/**
 * Computes the hashed features of a folded text into reused buffers. Not re-entrant: the arrays it
 * returns are overwritten by the next call.
 */
export class FeatureHasher {
  readonly bucketsLog2: number;
  private readonly mask: number;
  /**
   * Open-addressing table from bucket to feature number + 1 (0: empty), sized per text so that it
   * stays in cache (a table over all 2^18 buckets missed the cache on nearly every n-gram).
   */
  private slots = new Int32Array(1024);
  private slotShift = 22;
  private tableMask = 1023;
  /** Signed count per feature number, and the slot each feature sits in (to clear it). */
  private readonly counts: Int32Array;
  private readonly slotOf: Int32Array;
  private readonly out: SparseFeatures;
  private n = 0;
  /** Weights to gather while hashing (see `extract`), and the weight of each feature number. */
  private weights: Int8Array | null = null;
  private readonly weightOf: Int8Array;
  /** Σ weight × value of the last `extract` that was given weights. */
  private dotSum = 0;

  constructor(bucketsLog2: number = DEFAULT_BUCKETS_LOG2) {
    if (!Number.isInteger(bucketsLog2) || bucketsLog2 < 4 || bucketsLog2 > 24) {
      throw new RangeError(`bucketsLog2 must be an integer in 4..24, got ${bucketsLog2}`);
    }
    this.bucketsLog2 = bucketsLog2;
    const size = 1 << bucketsLog2;
    this.mask = size - 1;
    this.counts = new Int32Array(MAX_FEATURES);
    this.slotOf = new Int32Array(MAX_FEATURES);
    this.weightOf = new Int8Array(MAX_FEATURES);
    this.out = { count: 0, indices: new Int32Array(MAX_FEATURES), values: new Float32Array(MAX_FEATURES) };
  }

  /**
   * Features of `text` (see the module comment). The result is overwritten by the next call.
   * With `weights` (one int8 per bucket), each feature's weight is read when the feature is first
   * seen, while hashing goes on (the random reads into the weight table then overlap with other
   * work instead of stalling a dot-product loop afterwards), and `dot()` returns Σ weight × value.
   */
  extract(text: string, weights?: Int8Array): SparseFeatures {
    this.n = 0;
    this.weights = weights ?? null;
    const len = text.length;
    // At most 5 features per unit plus a few: a table at least twice that stays sparse.
    const want = 2 * (5 * Math.min(len, HEAD_CHARS + TAIL_CHARS) + 8);
    // The table in use is the smallest power of two ≥ `want` (at least 1024): a short text after a
    // long one must not spread its few features over a table grown for the long one.
    let size = 1024;
    while (size < want) size *= 2;
    if (this.slots.length < size) this.slots = new Int32Array(size);
    this.slotShift = 32 - Math.log2(size);
    this.tableMask = size - 1;
    if (len <= HEAD_CHARS + TAIL_CHARS) {
      this.segment(text, 0, len);
    } else {
      this.segment(text, 0, HEAD_CHARS);
      this.segment(text, len - TAIL_CHARS, len);
    }
    this.add(fmix32(SEED_LENGTH ^ (31 - Math.clz32(len | 1))));
    return this.finish();
  }

  /** Adds one feature of hash `h` (already mixed): bucket from the low bits, sign from the top bit. */
  private add(h: number): void {
    const b = h & this.mask;
    const slots = this.slots;
    const tableMask = this.tableMask;
    const bucketOf = this.out.indices;
    let i = Math.imul(b, 0x9e3779b1) >>> this.slotShift;
    for (;;) {
      const k = slots[i]!;
      if (k === 0) {
        const n = this.n++;
        slots[i] = n + 1;
        bucketOf[n] = b;
        this.counts[n] = (h >> 31) | 1;
        this.slotOf[n] = i;
        const weights = this.weights;
        if (weights !== null) this.weightOf[n] = weights[b]!;
        return;
      }
      if (bucketOf[k - 1] === b) {
        this.counts[k - 1] = this.counts[k - 1]! + ((h >> 31) | 1);
        return;
      }
      i = (i + 1) & tableMask;
    }
  }

  /**
   * The n-grams of `text[start..end)` in one loop (`add` is small enough for the compiler to
   * inline): this is the hot path of `score()`.
   */
  private segment(text: string, start: number, end: number): void {
    // Character 3..5-grams starting at every position, words and word bigrams, in one pass.
    let c0 = start < end ? text.charCodeAt(start) : 0;
    let c1 = start + 1 < end ? text.charCodeAt(start + 1) : 0;
    let c2 = start + 2 < end ? text.charCodeAt(start + 2) : 0;
    let c3 = start + 3 < end ? text.charCodeAt(start + 3) : 0;
    let word = 0;
    let inWord = false;
    let prev = 0;
    let havePrev = false;
    for (let i = start; i < end; i++) {
      const c4 = i + 4 < end ? text.charCodeAt(i + 4) : 0;
      if (i + 3 <= end) {
        let h = Math.imul(FNV_OFFSET ^ SEED_CHAR ^ c0, FNV_PRIME);
        h = Math.imul(h ^ c1, FNV_PRIME);
        h = Math.imul(h ^ c2, FNV_PRIME);
        this.add(fmix32(h ^ 3));
        if (i + 4 <= end) {
          h = Math.imul(h ^ c3, FNV_PRIME);
          this.add(fmix32(h ^ 4));
          if (i + 5 <= end) {
            h = Math.imul(h ^ c4, FNV_PRIME);
            this.add(fmix32(h ^ 5));
          }
        }
      }
      // Words: `c0` is text[i].
      if (isWordUnit(c0)) {
        if (!inWord) {
          word = FNV_OFFSET ^ SEED_WORD;
          inWord = true;
        }
        word = Math.imul(word ^ c0, FNV_PRIME);
      }
      if (inWord && (i + 1 >= end || !isWordUnit(c1))) {
        inWord = false;
        this.add(fmix32(word));
        if (havePrev) {
          this.add(fmix32(Math.imul(prev ^ SEED_BIGRAM, FNV_PRIME) ^ word));
        }
        prev = word;
        havePrev = true;
      }
      c0 = c1;
      c1 = c2;
      c2 = c3;
      c3 = c4;
    }
  }

  /** Log-scales and L2-normalizes the accumulated buckets into `out`. */
  private finish(): SparseFeatures {
    const { values } = this.out;
    const counts = this.counts;
    const slots = this.slots;
    const slotOf = this.slotOf;
    const n = this.n;
    const weightOf = this.weightOf;
    const gather = this.weights !== null;
    let sq = 0;
    let dot = 0;
    for (let k = 0; k < n; k++) {
      const v = counts[k]!;
      slots[slotOf[k]!] = 0;
      const a = v < 0 ? -v : v;
      // Most buckets hold a single ±1: ln 2 without calling log1p.
      const t = a === 1 ? Math.LN2 : Math.log1p(a);
      const x = v < 0 ? -t : t;
      values[k] = x;
      sq += x * x;
      if (gather) dot += weightOf[k]! * x;
    }
    const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    this.dotSum = dot * inv;
    for (let k = 0; k < n; k++) values[k] = values[k]! * inv;
    this.out.count = n;
    return this.out;
  }

  /** Σ weight × value over the features of the last `extract(text, weights)`. */
  dot(): number {
    return this.dotSum;
  }
}

/**
 * The features of `text` as fresh arrays sorted by bucket (for tests and tooling; the model uses
 * `FeatureHasher` directly).
 */
export function hashFeatures(
  text: string,
  bucketsLog2: number = DEFAULT_BUCKETS_LOG2,
): { indices: Int32Array; values: Float32Array } {
  const f = new FeatureHasher(bucketsLog2).extract(text);
  const order = Array.from({ length: f.count }, (_, k) => k).sort((a, b) => f.indices[a]! - f.indices[b]!);
  const indices = new Int32Array(f.count);
  const values = new Float32Array(f.count);
  order.forEach((k, j) => {
    indices[j] = f.indices[k]!;
    values[j] = f.values[k]!;
  });
  return { indices, values };
}
