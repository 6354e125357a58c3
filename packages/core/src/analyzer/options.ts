import type { NormalizeOptions } from '../normalize/types.js';
import type { CustomPattern } from '../rules/types.js';
import type { AnalysisObserver } from './observers.js';
import type { AnalysisResult, Decision, MemoryEntry, SourceType } from './types.js';

export type PolicyProfile = 'strict' | 'balanced' | 'permissive';

/** Risk-score thresholds (0..100): a score at or above a threshold gets that decision. */
export interface Thresholds {
  block: number;
  quarantine: number;
  humanReview: number;
}

export interface BehaviorOptions {
  /** @default true */
  enabled?: boolean;
  /** Scans of an agent before its baseline is used. @default 50 */
  warmup?: number;
  /** Agents whose baselines are kept (least recently used are evicted). @default 1000 */
  maxAgents?: number;
  /** Most points the baseline can add to a score. @default 10 */
  maxBoost?: number;
}

/** An optional LLM judge, asked only about borderline scores. */
export interface JudgeOptions {
  /** Returns the probability (0..1) that the text is an attack. */
  evaluate: (
    entry: MemoryEntry,
    preliminary: Pick<AnalysisResult, 'riskScore' | 'findings'>,
  ) => Promise<number>;
  /** Scores in [low, high) are borderline. @default [30, 70] */
  borderline?: readonly [number, number];
  /** @default 2000 */
  timeoutMs?: number;
}

/** The learned layer (layer 2): the shipped classifier. */
export interface LearnedOptions {
  /** Probability (0..1) from which the model adds its finding. @default the model's own (0.9) */
  threshold?: number;
  /**
   * The source types the layer scores. @default every source type when this object is given;
   * without a `learned` option, `DEFAULT_LEARNED_SOURCES`
   */
  sourceTypes?: readonly SourceType[];
}

/**
 * Where the learned layer is on when the `learned` option is not given: memory writes and what
 * users write (`memory`, `user`, `system`). On these surfaces it raised recall at no higher
 * false-positive rate on the test splits (calibration/REPORT.md: memory writes 0.27 → 0.97 at FPR
 * 0.000; user prompts 0.36 → 0.80 at 0.003). On RAG chunks, tool output, web and e-mail it also
 * flagged more benign text, so there it stays off unless asked for (`learned: true`). It is off for
 * `agent` too: model answers are not what it was trained on, and ordinary ones ("Here is the full
 * answer you asked for…") scored above the threshold, so output scanning would hold them.
 */
export const DEFAULT_LEARNED_SOURCES: readonly SourceType[] = ['memory', 'user', 'system'];

/**
 * The learned layer's threshold when the `learned` option is not given: above the model's own
 * 0.9, so ordinary notes that merely mention forwarding or an address stay quiet (memory-write test
 * split: recall 0.954 at 0.95 vs 0.963 at 0.9, FPR 0 at both).
 */
export const DEFAULT_LEARNED_THRESHOLD = 0.95;

/**
 * The signed threat feed: extra rules from the memgar maintainers (or your own signed feed), loaded
 * at construction from the verified cache that `memgar feed sync` / `syncFeed` fills. No network
 * call is made by the analyzer. A feed that does not verify leaves the bundled rules in force and
 * marks the `feed` subsystem degraded (fail-close applies).
 */
export interface FeedOptions {
  /** Load the feed. Env: `MEMGAR_FEED_ENABLED=true`. @default false */
  enabled?: boolean;
  /**
   * Public keys trusted besides the pinned maintainers' key (rotation): SPKI PEM text or
   * `{ publicKey, keyId? }`. @default []
   */
  trustedKeys?: readonly (string | { publicKey: string; keyId?: string })[];
  /** Trust the key pinned in the package. @default true */
  trustPinnedKey?: boolean;
  /**
   * The cache directory `syncFeed` writes. @default `MEMGAR_FEED_CACHE_DIR`, else
   * `$XDG_CACHE_HOME/memgar/feeds`, else `~/.cache/memgar/feeds`
   */
  cacheDir?: string;
  /** Refuse a feed issued longer ago than this many days. Env: `MEMGAR_FEED_MAX_AGE_DAYS`. @default 7 */
  maxAgeDays?: number;
  /**
   * A feed document (JSON text or parsed) to use instead of the cache, e.g. fetched by your own
   * code where there is no file system. Verified exactly like the cache. @default undefined
   */
  document?: unknown;
  /** Refuse feed versions older than this (your own record of the last accepted one). @default 0 */
  minVersion?: number;
}

export interface AnalyzerOptions {
  /**
   * Called with every finished analysis (metrics, drift, SIEM…); see `addAnalysisObserver` for
   * process-wide ones. An observer that throws is ignored. @default []
   */
  observers?: readonly AnalysisObserver[];
  /** Threshold profile. @default 'balanced' */
  profile?: PolicyProfile;
  /** Custom thresholds; override the profile's. */
  thresholds?: Partial<Thresholds>;
  /** A degraded layer turns `allow` into `quarantine`. Env: `MEMGAR_FAIL_CLOSE=true`. @default false */
  failClose?: boolean;
  /** Longest content analyzed, in characters. @default 1_000_000 (env `MEMGAR_MAX_CONTENT_LENGTH`) */
  maxContentLength?: number;
  /** Decision for content over `maxContentLength` (it is not analyzed). @default 'quarantine' */
  oversizeDecision?: Exclude<Decision, 'allow' | 'sanitize'>;
  /** Your own patterns, run on a linear-time engine (RE2). Invalid ones throw `InvalidPatternError`. */
  customPatterns?: readonly CustomPattern[];
  /** Built-in rule ids to turn off. */
  disabledRules?: readonly string[];
  /** Trust (0..1) per source id, as `registerSourceTrust` would set it. */
  sourceTrust?: Readonly<Record<string, number>>;
  /** Default trust per source type, merged over the built-in defaults. */
  sourceTypeTrust?: Partial<Record<SourceType, number>>;
  behavior?: BehaviorOptions;
  /** Offer `sanitize` when removing the offending sentences leaves clean, useful content. @default true */
  sanitize?: boolean;
  normalize?: NormalizeOptions;
  /**
   * The shipped classifier (layer 2). Off by default until calibration shows it raises recall at
   * equal or lower false-positive rate on every surface; `true` turns it on with its threshold.
   * @default false
   */
  /**
   * The learned layer: `true` everywhere, `false` off, or options. @default on for
   * `DEFAULT_LEARNED_SOURCES` (memory, user, system) at `DEFAULT_LEARNED_THRESHOLD` (0.95),
   * off for the other source types
   */
  learned?: boolean | LearnedOptions;
  judge?: JudgeOptions;
  /** The signed threat feed (off unless enabled here or by `MEMGAR_FEED_ENABLED`). @default { enabled: false } */
  feed?: FeedOptions;
}
