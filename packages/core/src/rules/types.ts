import type { MitreIds, RuleCategory, Severity } from '../analyzer/types.js';

export interface RuleExamples {
  /** Texts the rule must fire on (run by the test suite through the whole analyzer pipeline's normalizer). */
  positive: readonly string[];
  /** Look-alike texts the rule must not fire on. */
  negative: readonly string[];
}

interface RuleBase {
  /** Stable id, `MG-<AREA>-<NNN>`, e.g. `MG-EXFIL-001`. Never reused. */
  id: string;
  title: string;
  category: RuleCategory;
  severity: Severity;
  /** 0..1: how much one match contributes to risk. */
  weight: number;
  mitre: MitreIds;
  description: string;
  examples: RuleExamples;
}

/**
 * A rule that is one regular expression over a folded view (lower-case, normalized).
 * `keywords` feed the literal prefilter: the pattern runs only where one of them occurs.
 */
export interface PatternRule extends RuleBase {
  kind: 'pattern';
  /** Lower-case literals; at least one occurs in every text the pattern can match. */
  keywords: readonly string[];
  /** JavaScript regex source, compiled with flags `gu` (`i` not needed: views are lower-case). Must be ReDoS-safe. */
  pattern: string;
  /**
   * A promise about `pattern` that lets the engine ignore keyword hits inside longer words
   * ("set" in "settings"): `word` — every match contains a keyword as a whole word (bounded on each
   * side where the keyword begins or ends with a word character); `end` — bounded at its end only.
   * Matches must also be shorter than about 250 characters. Default: every hit counts.
   */
  keywordBoundary?: 'word' | 'end';
  /**
   * Optional screen for a pattern whose work is bounded per start position but large (a long gap
   * after a keyword that may be repeated densely, e.g. `<!--` × N). `pattern` must match a text
   * exactly when `screen.pattern` does, and `screen.pattern` must do bounded work per character
   * in total. The engine runs the screen first; when it matches at p, it runs `pattern` from
   * p − `screen.lookback` only: `lookback` must bound how far left of p the leftmost match of
   * `pattern` can start, so findings and evidence are the same as with `pattern` alone.
   */
  screen?: { pattern: string; lookback: number };
}

/**
 * A compositional rule: fires when every signal in `all` (and at least one of each group in
 * `any`) is present within one window of the text. Generalizes to wording nobody wrote down.
 */
export interface CompositeRule extends RuleBase {
  kind: 'composite';
  all: readonly string[];
  any?: readonly (readonly string[])[];
  /** `sentence`: the signals must share a sentence; a number: within that many characters. */
  window: 'sentence' | number;
}

export type Rule = PatternRule | CompositeRule;

/** A lexical signal (a class of words and phrases) that composite rules combine. */
export interface Signal {
  id: string;
  description: string;
  keywords: readonly string[];
  /**
   * Optional regex to confirm a keyword hit (ReDoS-safe, bounded: it runs on a window of about
   * 100 characters around each hit, and each of its matches is an occurrence of the signal);
   * without it, the keyword hit is the signal. Keywords match on word boundaries; a keyword
   * ending in `*` matches as a word prefix (`credential*`).
   */
  pattern?: string;
  /**
   * `clause-start`: a keyword hit counts only at the start of a sentence or clause (after
   * `. ! ? ; : ,`, a line break, or the text start, optionally after fillers like "please",
   * "then", "and", "also"). Models imperatives ("Send the file…", "…, then transfer $500").
   */
  position?: 'clause-start';
}

/** A pattern supplied by the user at run time. Runs on a linear-time engine (RE2). */
export interface CustomPattern {
  id: string;
  /** RE2 syntax (no backreferences or lookaround). Matched against the normalized, lower-cased text. */
  pattern: string;
  /** @default 'custom' */
  category?: RuleCategory;
  /** @default 'medium' */
  severity?: Severity;
  /** 0..1. @default 0.5 */
  weight?: number;
  /** @default the id */
  title?: string;
}

/** What `memgar patterns` lists. */
export interface RuleInfo {
  id: string;
  title: string;
  category: RuleCategory;
  severity: Severity;
  weight: number;
  mitre: MitreIds;
  description: string;
  kind: 'pattern' | 'composite' | 'custom';
}
