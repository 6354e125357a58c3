import { MAX_SIGNAL_CHARS, STOPWORD_HASHES, tokenHashes } from './text-tokens.js';

/**
 * Assertive or instructional payloads: wording that tells the reader what the answer is, that
 * other sources are wrong, or what to say. Bounded gaps, no nested quantifier: linear time (see
 * `retrieval-signals.redos.test.ts`). Run on the NFKC, lower-cased text.
 */
export const MIRROR_PAYLOAD =
  /\bthe\s{1,3}(?:correct|right|true|real|official|only|actual|definitive)\s{1,3}answer\s{1,3}(?:is|to)\b|\b(?:all|any|every)\s{1,3}other\s{1,3}(?:sources?|answers?|documents?|information|results?)\s{1,3}(?:is|are)\s{1,3}(?:wrong|outdated|incorrect|false|fake|obsolete)\b|\b(?:disregard|ignore)\s{1,3}(?:all\s{1,3}|any\s{1,3})?(?:other|previous|conflicting)\s{1,3}(?:sources?|answers?|documents?|information|results?)\b|\bregardless\s{1,3}of\s{1,3}(?:other|what)\b|\bcontrary\s{1,3}to\s{1,3}(?:popular\s{1,3}belief|what|other|official)\b|\b(?:it|this)\s{1,3}(?:is|has\s{1,3}been)\s{1,3}(?:officially\s{1,3})?(?:confirmed|verified|proven)\b|\b(?:always|must|should)\s{1,3}(?:answer|respond|reply|say|tell|recommend|state|claim)\b|\btell\s{1,3}(?:the\s{1,3})?(?:users?|customers?|them)\s{1,3}(?:that|to)\b|\b(?:when|if)\s{1,3}(?:asked|someone\s{1,3}asks|the\s{1,3}user\s{1,3}asks|users?\s{1,3}ask)\b|\b(?:respond|answer|reply)\s{1,3}(?:with|that)\b|\b(?:assistant|chatbot|ai\s{1,3}model|language\s{1,3}model|llm)s?\s{0,3}[,:]/;

export interface QueryMirroringOptions {
  /** Share of the query's distinct content words (not stopwords) that the chunk must contain. @default 0.8 */
  minCoverage?: number;
  /** Longest run of the query's words found verbatim in the chunk, as a share of the query's words. @default 0.5 */
  minRun?: number;
  /** Queries with fewer distinct content words are not checked (too short to mirror). @default 3 */
  minQueryTerms?: number;
}

export interface QueryMirroring {
  /** Share of the query's distinct content words the chunk contains (0..1). */
  coverage: number;
  /** Longest verbatim run of query words in the chunk, over the query's word count (0..1). */
  run: number;
  /** Coverage and run both at or over their thresholds. */
  mirrors: boolean;
  /** The assertive or instructional wording found, if any (looked for only when the chunk mirrors the query). */
  payload: string | undefined;
}

/** Query words kept for the comparison (a longer query is cut). */
const MAX_QUERY_TOKENS = 64;

/**
 * How much a chunk mirrors a query: word coverage and the longest verbatim run of query words,
 * plus any assertive/instructional payload. O(query words × chunk words) with both bounded.
 */
export function measureQueryMirroring(
  query: string,
  chunk: string,
  options: QueryMirroringOptions = {},
): QueryMirroring {
  return mirroringOfTokens(queryTokens(query), chunk, tokenHashes(chunk), options);
}

/** The query's token hashes as `mirroringOfTokens` takes them (cut to the first 64 words). */
export function queryTokens(query: string): Uint32Array {
  return tokenHashes(query, MAX_QUERY_TOKENS);
}

/**
 * `measureQueryMirroring` on already tokenized text (the token hashes of `tokenHashes`). The
 * payload is looked for only when the chunk mirrors the query.
 */
export function mirroringOfTokens(
  q: Uint32Array,
  chunk: string,
  c: Uint32Array,
  options: QueryMirroringOptions = {},
): QueryMirroring {
  const minCoverage = options.minCoverage ?? 0.8;
  const minRun = options.minRun ?? 0.5;
  const minTerms = options.minQueryTerms ?? 3;
  const terms = new Set<number>();
  for (const t of q) if (!STOPWORD_HASHES.has(t)) terms.add(t);
  if (terms.size < minTerms || c.length === 0)
    return { coverage: 0, run: 0, mirrors: false, payload: undefined };
  // Coverage: one pass over the chunk, looking each word up in the (small) set of query terms.
  const found = new Set<number>();
  for (let i = 0; i < c.length && found.size < terms.size; i++) if (terms.has(c[i]!)) found.add(c[i]!);
  const hit = found.size;
  const coverage = hit / terms.size;
  // Longest common substring of the two word sequences (rolling DP row).
  let longest = 0;
  if (coverage >= minCoverage) {
    let prev = new Uint16Array(q.length + 1);
    let row = new Uint16Array(q.length + 1);
    for (let i = 0; i < c.length; i++) {
      for (let j = 1; j <= q.length; j++) {
        row[j] = c[i] === q[j - 1] ? prev[j - 1]! + 1 : 0;
        if (row[j]! > longest) longest = row[j]!;
      }
      [prev, row] = [row, prev];
    }
  }
  const run = longest / q.length;
  const mirrors = coverage >= minCoverage && run >= minRun;
  const payload = mirrors
    ? MIRROR_PAYLOAD.exec(chunk.slice(0, MAX_SIGNAL_CHARS).normalize('NFKC').toLowerCase())?.[0]
    : undefined;
  return { coverage: round2(coverage), run: round2(run), mirrors, payload };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
