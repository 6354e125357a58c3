import type { EvidenceView, Finding, MitreIds, RuleCategory, Severity } from '../analyzer/types.js';
import { InvalidOptionError } from '../errors/index.js';
import type { NormalizedContent, TextView } from '../normalize/types.js';
import { AhoCorasick, HitBuffer } from './aho-corasick.js';
import { BUILTIN_RULES, BUILTIN_SIGNALS } from './catalog/index.js';
import { type CompiledCustomPattern, compileCustomPattern, matchCustomPattern } from './custom-patterns.js';
import { maxMatchLength } from './max-match-length.js';
import { validateRules, validateSignals } from './rule-validation.js';
import { type Segments, segmentAt, segmentSentences } from './segments.js';
import type { CompositeRule, CustomPattern, PatternRule, Rule, RuleInfo, Signal } from './types.js';

/** Options of {@link RuleEngine}. */
export interface RuleEngineOptions {
  /** The rule records. @default BUILTIN_RULES */
  rules?: readonly Rule[];
  /** The signals composite rules refer to. @default BUILTIN_SIGNALS */
  signals?: readonly Signal[];
  /** User patterns, run on the linear-time RE2 engine. @default [] */
  customPatterns?: readonly CustomPattern[];
  /** Ids of rules (or custom patterns) not to run. Unknown ids throw. @default [] */
  disabledRules?: readonly string[];
}

/** Counters of the last {@link RuleEngine.scan} (for diagnostics and tests of the prefilter). */
export interface RuleEngineStats {
  /** Views scanned. */
  views: number;
  /** Keyword occurrences reported by the literal prefilter. */
  keywordHits: number;
  /** Keyword occurrences kept after repeats of one keyword were collapsed (the ones rules looked at). */
  keptHits: number;
  /** Ids of the pattern rules whose regex ran (their keywords occurred). */
  patternRulesRun: string[];
  /** Regex executions (pattern rules and signal confirmations). */
  regexExecutions: number;
  /** Composite rules whose signals were all present and that were evaluated. */
  compositeRulesEvaluated: number;
}

/** How far around a keyword hit a pattern rule's regex looks (characters on each side). */
const PATTERN_REACH = 300;
/** How far around a keyword hit a signal's confirming regex looks. */
const SIGNAL_REACH = 100;
/**
 * Repeats of one keyword inside one clause are collapsed: a hit is skipped when the same keyword
 * was kept less than this many characters earlier with no clause boundary in between. Bounds the
 * work on keyword-stuffed input; a kept occurrence remains at least every this many characters.
 */
const REPEAT_SPACING = 64;

/** Clause boundaries (`. ! ? ; : ,`, line breaks, `|`, closing brackets) as a lookup table. */
const BOUNDARY_TABLE = (() => {
  const t = new Uint8Array(128);
  for (const c of '.!?;:,\n\r|)]}') t[c.charCodeAt(0)] = 1;
  return t;
})();

interface CompiledPattern {
  rule: PatternRule;
  re: RegExp;
  /** `rule.screen`, compiled: the screen and the pattern with `g` (to start at `lastIndex`). */
  screen: { re: RegExp; pattern: RegExp; lookback: number } | undefined;
  /** `maxMatchLength` of the pattern (see {@link hitWindow}). */
  maxLength: number;
}

interface CompiledComposite {
  rule: CompositeRule;
  all: number[];
  any: number[][];
}

interface CompiledSignal {
  signal: Signal;
  /** The confirming regex, compiled with `gu` (every match in a window is an occurrence). */
  re: RegExp | undefined;
  clauseStart: boolean;
  /** `maxMatchLength` of the confirming regex (see {@link hitWindow}). */
  maxLength: number;
}

interface SignalOwner {
  signal: number;
  left: boolean;
  right: boolean;
}

interface RuleOwner {
  rule: number;
  left: boolean;
  right: boolean;
}

interface LiteralOwners {
  rules: RuleOwner[];
  signals: SignalOwner[];
}

/** Flag bits of a signal owner of a literal (see {@link RuleEngine}'s flattened owner tables). */
const OWN_LEFT = 1;
const OWN_RIGHT = 2;
const OWN_CLAUSE = 4;
const OWN_REGEX = 8;

/** Growable Int32 pairs `[start, end)`. */
class Spans {
  starts = new Int32Array(8);
  ends = new Int32Array(8);
  size = 0;
  reset(): void {
    this.size = 0;
  }
  protected grow(): void {
    const s = new Int32Array(this.starts.length * 2);
    const e = new Int32Array(this.starts.length * 2);
    s.set(this.starts);
    e.set(this.ends);
    this.starts = s;
    this.ends = e;
  }
  push(s: number, e: number): void {
    if (this.size === this.starts.length) this.grow();
    this.starts[this.size] = s;
    this.ends[this.size] = e;
    this.size++;
  }
}

/** Per-view scratch: occurrences of each signal. */
class Occurrences extends Spans {
  /** Sorts by start (stable) when hits of keywords of different lengths came out of order. */
  sort(): void {
    const st = this.starts;
    const n = this.size;
    let sorted = true;
    for (let i = 1; i < n; i++) {
      if ((st[i] as number) < (st[i - 1] as number)) {
        sorted = false;
        break;
      }
    }
    if (sorted) return;
    const en = this.ends;
    const idx = Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => (st[a] as number) - (st[b] as number) || a - b,
    );
    const ns = new Int32Array(st.length);
    const ne = new Int32Array(st.length);
    for (let i = 0; i < n; i++) {
      ns[i] = st[idx[i] as number] as number;
      ne[i] = en[idx[i] as number] as number;
    }
    this.starts = ns;
    this.ends = ne;
  }
  /** First index with start ≥ pos. */
  lowerBound(pos: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.starts[mid] as number) < pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Merged windows `[start, end)` in increasing order. */
class Windows extends Spans {
  add(s: number, e: number): void {
    const n = this.size;
    if (n > 0 && s <= (this.ends[n - 1] as number)) {
      if (s < (this.starts[n - 1] as number)) this.starts[n - 1] = s;
      if (e > (this.ends[n - 1] as number)) this.ends[n - 1] = e;
      return;
    }
    this.push(s, e);
  }
  /** Adds `[s, e)` anywhere (not only after the last window), merging what it overlaps. */
  insert(s: number, e: number): void {
    const n = this.size;
    if (n === 0 || s >= (this.starts[n - 1] as number)) {
      this.add(s, e);
      return;
    }
    const starts = Array.from(this.starts.subarray(0, n));
    const ends = Array.from(this.ends.subarray(0, n));
    this.size = 0;
    let added = false;
    for (let i = 0; i < n; i++) {
      if (!added && s < (starts[i] as number)) {
        this.#merge(s, e);
        added = true;
      }
      this.#merge(starts[i] as number, ends[i] as number);
    }
    if (!added) this.#merge(s, e);
  }
  #merge(s: number, e: number): void {
    const n = this.size;
    if (n > 0 && s <= (this.ends[n - 1] as number)) {
      if (e > (this.ends[n - 1] as number)) this.ends[n - 1] = e;
      return;
    }
    this.push(s, e);
  }
}

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || (c >= 65 && c <= 90) || c >= 0xc0;
}

const CLAUSE_FILLERS = new Set([
  'please',
  'kindly',
  'now',
  'also',
  'then',
  'and',
  'first',
  'next',
  'finally',
  'just',
  'so',
  'immediately',
  'additionally',
  'afterwards',
  'lastly',
  'simply',
]);
/** Hashes of the fillers, so the hot path can reject a word without allocating a string. */
const FILLER_HASHES = new Set([...CLAUSE_FILLERS].map((w) => hashRange(w, 0, w.length)));

function hashRange(text: string, from: number, to: number): number {
  let h = 0;
  for (let i = from; i < to; i++) h = (Math.imul(h, 31) + text.charCodeAt(i)) | 0;
  return h;
}
/** Quotes, list marks and spaces skipped before a clause start (code units; see {@link isClauseStart}). */
const CLAUSE_MARKS = new Set([32, 34, 40, 91, 123, 42, 45, 62, 35, 0x2022, 0x201c, 0x2018]);
const CLAUSE_MARK_TABLE = (() => {
  const t = new Uint8Array(128);
  for (const c of CLAUSE_MARKS) if (c < 128) t[c] = 1;
  return t;
})();
const isClauseMark = (c: number): boolean =>
  c < 128 ? CLAUSE_MARK_TABLE[c] === 1 : c === 0x2022 || c === 0x201c || c === 0x2018;
/** `. ! ? ; : ,`, line breaks, `|`, closing brackets: the same set as {@link BOUNDARY_TABLE}. */
const isClauseBoundary = (c: number): boolean => c < 128 && BOUNDARY_TABLE[c] === 1;

/** Whether `pos` starts a sentence or clause, skipping quotes, list marks and filler words. */
function isClauseStart(text: string, pos: number): boolean {
  let p = pos;
  for (let words = 0; words <= 3; words++) {
    while (p > 0 && isClauseMark(text.charCodeAt(p - 1))) p--;
    if (p === 0) return true;
    const c = text.charCodeAt(p - 1);
    if (isClauseBoundary(c)) return true;
    if (!isWordChar(c)) return false;
    let q = p;
    while (q > 0 && p - q < 16 && isWordChar(text.charCodeAt(q - 1))) q--;
    if (!FILLER_HASHES.has(hashRange(text, q, p)) || !CLAUSE_FILLERS.has(text.slice(q, p))) return false;
    p = q;
  }
  return false;
}

/**
 * Layer 1: the rule engine. Compiles all keywords of all pattern rules and signals into one
 * Aho–Corasick automaton; per view, one pass finds keyword hits, then only the rules with a hit run
 * their regex, and only on windows around the hits. Composite rules combine signals within a
 * sentence or a character window. Custom patterns run on RE2 (linear time).
 */
export class RuleEngine {
  readonly #patterns: CompiledPattern[] = [];
  readonly #composites: CompiledComposite[] = [];
  readonly #signals: CompiledSignal[] = [];
  readonly #custom: CompiledCustomPattern[] = [];
  readonly #automaton: AhoCorasick;
  readonly #owners: LiteralOwners[] = [];
  readonly #literalLength: Int32Array;
  // The owners flattened for the hot loop: rules of literal l are ruleOwn[ruleOwnStart[l] ..
  // ruleOwnStart[l + 1]), signals likewise with their OWN_* flags.
  readonly #ruleOwnStart: Int32Array;
  readonly #ruleOwn: Int32Array;
  readonly #ruleOwnFlags: Uint8Array;
  /** Per rule owner: the generation in which the kept hit of its literal did not qualify (see #scanView). */
  readonly #ruleOwnDeferGen: Uint32Array;
  /** Per literal: the generation in which some rule owner of its kept hit was deferred. */
  readonly #litDeferGen: Uint32Array;
  readonly #sigOwnStart: Int32Array;
  readonly #sigOwn: Int32Array;
  readonly #sigOwnFlags: Uint8Array;
  readonly #infos: RuleInfo[] = [];
  // Scratch reused across scans. Per-view marks hold the view's generation number when set.
  readonly #hits = new HitBuffer(256);
  readonly #keptAt: Int32Array;
  readonly #keptGen: Uint32Array;
  #gen = 0;
  #nRules = 0;
  readonly #ruleGen: Uint32Array;
  readonly #ruleDoneGen: Uint32Array;
  readonly #sigGen: Uint32Array;
  readonly #sigWinGen: Uint32Array;
  readonly #touchedRules: Int32Array;
  readonly #touchedSignals: Int32Array;
  readonly #touchedRegexSignals: Int32Array;
  readonly #occ: Occurrences[];
  readonly #sigWindows: Windows[];
  readonly #ruleWindows: Windows[];
  #stats: RuleEngineStats = {
    views: 0,
    keywordHits: 0,
    keptHits: 0,
    patternRulesRun: [],
    regexExecutions: 0,
    compositeRulesEvaluated: 0,
  };

  /**
   * @throws InvalidOptionError when a rule or signal record is invalid, or `disabledRules` names an unknown id.
   * @throws InvalidPatternError when a custom pattern cannot run in linear time or does not parse.
   */
  constructor(options: RuleEngineOptions = {}) {
    const rules = options.rules ?? BUILTIN_RULES;
    const signals = options.signals ?? BUILTIN_SIGNALS;
    validateSignals(signals);
    const signalIndex = new Map<string, number>(signals.map((s, i) => [s.id, i]));
    validateRules(rules, new Set(signalIndex.keys()));
    const custom = (options.customPatterns ?? []).map(compileCustomPattern);
    const known = new Set<string>(rules.map((r) => r.id));
    for (const c of custom) {
      if (known.has(c.id))
        throw new InvalidOptionError('customPatterns', `custom pattern id "${c.id}" is already used`);
      known.add(c.id);
    }
    const disabled = new Set<string>();
    for (const id of options.disabledRules ?? []) {
      if (!known.has(id))
        throw new InvalidOptionError('disabledRules', `unknown rule id "${id}" in disabledRules`);
      disabled.add(id);
    }

    const literalIndex = new Map<string, number>();
    const literals: string[] = [];
    const literalOf = (lit: string): LiteralOwners => {
      let i = literalIndex.get(lit);
      if (i === undefined) {
        i = literals.length;
        literalIndex.set(lit, i);
        literals.push(lit);
        this.#owners.push({ rules: [], signals: [] });
      }
      return this.#owners[i] as LiteralOwners;
    };

    signals.forEach((signal, index) => {
      this.#signals.push({
        signal,
        re: signal.pattern === undefined ? undefined : new RegExp(signal.pattern, 'gu'),
        clauseStart: signal.position === 'clause-start',
        maxLength: signal.pattern === undefined ? 0 : maxMatchLength(signal.pattern),
      });
      for (const raw of signal.keywords) {
        const prefix = raw.endsWith('*');
        const lit = prefix ? raw.slice(0, -1) : raw;
        literalOf(lit).signals.push({
          signal: index,
          left: isWordChar(lit.charCodeAt(0)),
          right: !prefix && isWordChar(lit.charCodeAt(lit.length - 1)),
        });
      }
    });

    for (const rule of rules) {
      if (disabled.has(rule.id)) continue;
      if (rule.kind === 'pattern') {
        const index = this.#patterns.length;
        this.#patterns.push({
          rule,
          re: new RegExp(rule.pattern, 'u'),
          screen:
            rule.screen === undefined
              ? undefined
              : {
                  re: new RegExp(rule.screen.pattern, 'u'),
                  pattern: new RegExp(rule.pattern, 'gu'),
                  lookback: rule.screen.lookback,
                },
          maxLength: maxMatchLength(rule.pattern),
        });
        const word = rule.keywordBoundary === 'word';
        const atEnd = word || rule.keywordBoundary === 'end';
        for (const k of new Set(rule.keywords)) {
          literalOf(k).rules.push({
            rule: index,
            left: word && isWordChar(k.charCodeAt(0)),
            right: atEnd && isWordChar(k.charCodeAt(k.length - 1)),
          });
        }
      } else {
        this.#composites.push({
          rule,
          all: rule.all.map((id) => signalIndex.get(id) as number),
          any: (rule.any ?? []).map((g) => g.map((id) => signalIndex.get(id) as number)),
        });
      }
      this.#infos.push({
        id: rule.id,
        title: rule.title,
        category: rule.category,
        severity: rule.severity,
        weight: rule.weight,
        mitre: rule.mitre,
        description: rule.description,
        kind: rule.kind,
      });
    }
    for (const c of custom) {
      if (disabled.has(c.id)) continue;
      this.#custom.push(c);
      this.#infos.push({
        id: c.id,
        title: c.title,
        category: c.category,
        severity: c.severity,
        weight: c.weight,
        mitre: { atlas: [], attack: [] },
        description: `Custom pattern /${c.pattern}/`,
        kind: 'custom',
      });
    }
    this.#automaton = automatonFor(literals.length > 0 ? literals : ['\u0000']);
    this.#literalLength = Int32Array.from(literals, (l) => l.length);
    if (literals.length === 0) this.#owners.push({ rules: [], signals: [] });
    this.#keptAt = new Int32Array(this.#literalLength.length);
    this.#keptGen = new Uint32Array(this.#literalLength.length);
    const nLit = this.#owners.length;
    this.#ruleOwnStart = new Int32Array(nLit + 1);
    this.#sigOwnStart = new Int32Array(nLit + 1);
    let nr = 0;
    let ns = 0;
    for (let l = 0; l < nLit; l++) {
      const o = this.#owners[l] as LiteralOwners;
      this.#ruleOwnStart[l] = nr;
      this.#sigOwnStart[l] = ns;
      nr += o.rules.length;
      ns += o.signals.length;
    }
    this.#ruleOwnStart[nLit] = nr;
    this.#sigOwnStart[nLit] = ns;
    this.#ruleOwn = new Int32Array(nr);
    this.#ruleOwnFlags = new Uint8Array(nr);
    this.#ruleOwnDeferGen = new Uint32Array(nr);
    this.#litDeferGen = new Uint32Array(nLit);
    this.#sigOwn = new Int32Array(ns);
    this.#sigOwnFlags = new Uint8Array(ns);
    nr = 0;
    ns = 0;
    for (const o of this.#owners) {
      for (const ro of o.rules) {
        this.#ruleOwn[nr] = ro.rule;
        this.#ruleOwnFlags[nr++] = (ro.left ? OWN_LEFT : 0) | (ro.right ? OWN_RIGHT : 0);
      }
      for (const so of o.signals) {
        const sig = this.#signals[so.signal] as CompiledSignal;
        this.#sigOwn[ns] = so.signal;
        this.#sigOwnFlags[ns++] =
          (so.left ? OWN_LEFT : 0) |
          (so.right ? OWN_RIGHT : 0) |
          (sig.clauseStart ? OWN_CLAUSE : 0) |
          (sig.re === undefined ? 0 : OWN_REGEX);
      }
    }
    this.#ruleGen = new Uint32Array(this.#patterns.length);
    this.#ruleDoneGen = new Uint32Array(this.#patterns.length);
    this.#sigGen = new Uint32Array(signals.length);
    this.#sigWinGen = new Uint32Array(signals.length);
    this.#touchedRules = new Int32Array(this.#patterns.length);
    this.#touchedSignals = new Int32Array(signals.length);
    this.#touchedRegexSignals = new Int32Array(signals.length);
    this.#occ = signals.map(() => new Occurrences());
    this.#sigWindows = signals.map(() => new Windows());
    this.#ruleWindows = this.#patterns.map(() => new Windows());
  }

  /** Number of active rules (built-in or user records, plus custom patterns, minus disabled ones). */
  get size(): number {
    return this.#infos.length;
  }

  /** Counters of the last scan. */
  get stats(): Readonly<RuleEngineStats> {
    return this.#stats;
  }

  /** The active rules, optionally filtered by severity and/or category. */
  list(filter: { severity?: Severity; category?: RuleCategory } = {}): RuleInfo[] {
    return this.#infos.filter(
      (r) =>
        (filter.severity === undefined || r.severity === filter.severity) &&
        (filter.category === undefined || r.category === filter.category),
    );
  }

  /**
   * Runs every active rule over every view of `content`. At most one finding per rule id: the
   * first found (views in order, main text first). Every finding has `layer: 'rules'`.
   */
  scan(content: NormalizedContent): Finding[] {
    this.#stats = {
      views: 0,
      keywordHits: 0,
      keptHits: 0,
      patternRulesRun: [],
      regexExecutions: 0,
      compositeRulesEvaluated: 0,
    };
    const found = new Map<string, Finding>();
    for (const view of content.views) {
      this.#stats.views++;
      this.#scanView(content.original, view, found);
      for (const c of this.#custom) {
        if (found.has(c.id)) continue;
        const m = matchCustomPattern(c, view.text);
        if (m !== undefined) {
          found.set(c.id, {
            ruleId: c.id,
            title: c.title,
            category: c.category,
            severity: c.severity,
            weight: c.weight,
            mitre: { atlas: [], attack: [] },
            evidence: evidenceOf(content.original, view, m[0], m[1]),
            layer: 'rules',
          });
        }
      }
    }
    return [...found.values()];
  }

  #scanView(original: string, view: TextView, found: Map<string, Finding>): void {
    const text = view.text;
    if (text.length === 0) return;
    const hits = this.#hits;
    hits.clear();
    this.#automaton.scan(text, hits);
    const stats = this.#stats;
    stats.keywordHits += hits.length;
    let kept = 0;
    if (hits.length === 0) return;

    const len = text.length;
    const gen = ++this.#gen;
    const keptAt = this.#keptAt;
    const keptGen = this.#keptGen;
    const litLength = this.#literalLength;
    const ruleOwnStart = this.#ruleOwnStart;
    const ruleOwn = this.#ruleOwn;
    const ruleOwnFlags = this.#ruleOwnFlags;
    const ruleOwnDeferGen = this.#ruleOwnDeferGen;
    const litDeferGen = this.#litDeferGen;
    const sigOwnStart = this.#sigOwnStart;
    const sigOwn = this.#sigOwn;
    const sigOwnFlags = this.#sigOwnFlags;
    const sigGen = this.#sigGen;
    const sigWinGen = this.#sigWinGen;
    const touchedSignals = this.#touchedSignals;
    const touchedRegexSignals = this.#touchedRegexSignals;
    this.#nRules = 0;
    let nSignals = 0;
    let nRegexSignals = 0;
    // A repeat is collapsed when no clause boundary lies in [kept, maxStart) (maxStart: the largest
    // hit start so far). Boundaries are looked up lazily, only when a repeat has to be checked, in
    // an interval [knownFrom, knownTo) grown on demand; `lastBoundary` is the last boundary in it,
    // or -1.
    let knownFrom = -1;
    let knownTo = -1;
    let lastBoundary = -1;
    let maxStart = 0;
    const litBuf = hits.literal;
    const endBuf = hits.end;
    const nHits = hits.length;

    for (let h = 0; h < nHits; h++) {
      const lit = litBuf[h] as number;
      const end = endBuf[h] as number;
      const start = end - (litLength[lit] as number);
      if (start > maxStart) maxStart = start;
      // Collapse repeats of one keyword inside one clause (amortized O(n) boundary tracking).
      if (keptGen[lit] === gen) {
        const prev = keptAt[lit] as number;
        if (start - prev < REPEAT_SPACING && start > prev) {
          if ((sigOwnStart[lit + 1] as number) === (sigOwnStart[lit] as number)) {
            // No signal owns this keyword, only pattern rules, whose window around the kept hit
            // covers this repeat (see hitWindowEnd): clause boundaries do not matter, collapse.
            // ("<!--" × N: its "!" is a boundary, so the clause test alone never collapsed it.)
            if (litDeferGen[lit] === gen) this.#undefer(text, lit, start, end, prev, gen, found);
            continue;
          }
          if (knownTo < 0 || prev - knownTo > 2 * REPEAT_SPACING) {
            // Start a new interval rather than scan a long stretch no check needs (a restart
            // happens at most once per 128 characters, so rescans stay linear in total).
            knownFrom = prev;
            knownTo = prev;
            lastBoundary = -1;
          }
          for (; knownTo < maxStart; knownTo++) {
            const c = text.charCodeAt(knownTo);
            if (c < 128 && BOUNDARY_TABLE[c] === 1) lastBoundary = knownTo;
          }
          let collapse = lastBoundary < prev;
          // No boundary in [knownFrom, maxStart): extend the interval back to `prev` if needed.
          while (collapse && knownFrom > prev) {
            knownFrom--;
            const c = text.charCodeAt(knownFrom);
            if (c < 128 && BOUNDARY_TABLE[c] === 1) {
              lastBoundary = knownFrom;
              collapse = false;
            }
          }
          if (collapse) {
            // A rule that wants whole-word keywords skipped the kept hit (inside a word); this
            // repeat may qualify: give the rule the window of the kept hit, as if it had qualified.
            if (litDeferGen[lit] === gen) this.#undefer(text, lit, start, end, prev, gen, found);
            continue;
          }
        }
      }
      keptGen[lit] = gen;
      keptAt[lit] = start;
      kept++;
      const wordBefore = start > 0 && isWordChar(text.charCodeAt(start - 1));
      const wordAfter = end < len && isWordChar(text.charCodeAt(end));
      for (let k = ruleOwnStart[lit] as number, kEnd = ruleOwnStart[lit + 1] as number; k < kEnd; k++) {
        const flags = ruleOwnFlags[k] as number;
        if ((wordBefore && (flags & OWN_LEFT) !== 0) || (wordAfter && (flags & OWN_RIGHT) !== 0)) {
          ruleOwnDeferGen[k] = gen;
          litDeferGen[lit] = gen;
          continue;
        }
        ruleOwnDeferGen[k] = 0;
        const r = ruleOwn[k] as number;
        if (this.#touchRule(r, gen, found)) {
          const L = (this.#patterns[r] as CompiledPattern).maxLength;
          (this.#ruleWindows[r] as Windows).add(
            hitWindowStart(start, end, L, PATTERN_REACH),
            hitWindowEnd(start, end, L, PATTERN_REACH, len),
          );
        }
      }
      const kEnd = sigOwnStart[lit + 1] as number;
      let k = sigOwnStart[lit] as number;
      if (k === kEnd) continue;
      for (; k < kEnd; k++) {
        const flags = sigOwnFlags[k] as number;
        if (wordBefore && (flags & OWN_LEFT) !== 0) continue;
        if (wordAfter && (flags & OWN_RIGHT) !== 0) continue;
        if ((flags & OWN_CLAUSE) !== 0 && !isClauseStart(text, start)) continue;
        const s = sigOwn[k] as number;
        if (sigGen[s] !== gen) {
          sigGen[s] = gen;
          touchedSignals[nSignals++] = s;
          (this.#occ[s] as Occurrences).reset();
        }
        if ((flags & OWN_REGEX) === 0) {
          (this.#occ[s] as Occurrences).push(start, end);
        } else {
          if (sigWinGen[s] !== gen) {
            sigWinGen[s] = gen;
            touchedRegexSignals[nRegexSignals++] = s;
            (this.#sigWindows[s] as Windows).reset();
          }
          const L = (this.#signals[s] as CompiledSignal).maxLength;
          (this.#sigWindows[s] as Windows).add(
            hitWindowStart(start, end, L, SIGNAL_REACH),
            hitWindowEnd(start, end, L, SIGNAL_REACH, len),
          );
        }
      }
    }
    stats.keptHits += kept;

    // Confirm regex signals on their windows: every match is an occurrence.
    for (let t = 0; t < nRegexSignals; t++) {
      const s = touchedRegexSignals[t] as number;
      const g = (this.#signals[s] as CompiledSignal).re as RegExp;
      const w = this.#sigWindows[s] as Windows;
      const occ = this.#occ[s] as Occurrences;
      for (let i = 0; i < w.size; i++) {
        const ws = snapToWordStart(text, w.starts[i] as number);
        const slice = text.slice(ws, w.ends[i] as number);
        g.lastIndex = 0;
        stats.regexExecutions++;
        for (let m = g.exec(slice); m !== null; m = g.exec(slice)) {
          if (m[0].length === 0) {
            g.lastIndex++;
            continue;
          }
          occ.push(ws + m.index, ws + m.index + m[0].length);
        }
      }
    }

    // Pattern rules: only those with a keyword hit, only on windows around the hits.
    const touchedRules = this.#touchedRules;
    for (let t = 0; t < this.#nRules; t++) {
      const r = touchedRules[t] as number;
      const { rule, re, screen } = this.#patterns[r] as CompiledPattern;
      stats.patternRulesRun.push(rule.id);
      const w = this.#ruleWindows[r] as Windows;
      for (let i = 0; i < w.size; i++) {
        const ws = snapToWordStart(text, w.starts[i] as number);
        const slice = text.slice(ws, w.ends[i] as number);
        stats.regexExecutions++;
        let m: RegExpExecArray | null;
        if (screen === undefined) m = re.exec(slice);
        else {
          const sm = screen.re.exec(slice);
          if (sm === null) continue;
          stats.regexExecutions++;
          screen.pattern.lastIndex = Math.max(0, sm.index - screen.lookback);
          m = screen.pattern.exec(slice);
        }
        if (m !== null && m[0].length > 0) {
          found.set(
            rule.id,
            findingOf(rule, evidenceOf(original, view, ws + m.index, ws + m.index + m[0].length)),
          );
          break;
        }
      }
    }

    // Composite rules.
    if (this.#composites.length === 0 || nSignals === 0) return;
    for (let t = 0; t < nSignals; t++) (this.#occ[touchedSignals[t] as number] as Occurrences).sort();
    const count = (s: number): number => (sigGen[s] === gen ? (this.#occ[s] as Occurrences).size : 0);
    let segments: Segments | undefined;
    for (const c of this.#composites) {
      let anchor = -1;
      let best = Number.POSITIVE_INFINITY;
      let ok = true;
      for (const s of c.all) {
        const n = count(s);
        if (n === 0) {
          ok = false;
          break;
        }
        if (n < best) {
          best = n;
          anchor = s;
        }
      }
      // Signals first: a typed-array read rules out most composites before the map lookup.
      if (!ok || found.has(c.rule.id)) continue;
      for (const g of c.any) {
        if (!g.some((s) => count(s) > 0)) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      stats.compositeRulesEvaluated++;
      segments ??= segmentSentences(text);
      const span = this.#evaluateComposite(c, anchor, segments, len);
      if (span !== undefined)
        found.set(c.rule.id, findingOf(c.rule, evidenceOf(original, view, span[0], span[1])));
    }
  }

  /** Marks pattern rule `r` as having a hit in this view; false when it already has a finding. */
  #touchRule(r: number, gen: number, found: Map<string, Finding>): boolean {
    if (this.#ruleGen[r] !== gen) {
      this.#ruleGen[r] = gen;
      if (found.has((this.#patterns[r] as CompiledPattern).rule.id)) {
        this.#ruleDoneGen[r] = gen;
        return false;
      }
      this.#touchedRules[this.#nRules++] = r;
      (this.#ruleWindows[r] as Windows).reset();
      return true;
    }
    return this.#ruleDoneGen[r] !== gen;
  }

  /**
   * A repeat `[start, end)` of literal `lit` was collapsed into the kept hit at `kept`. Rule owners
   * that skipped the kept hit (not a whole word) get the kept hit's window if this repeat qualifies,
   * so collapsing never hides a whole-word occurrence from them.
   */
  #undefer(
    text: string,
    lit: number,
    start: number,
    end: number,
    kept: number,
    gen: number,
    found: Map<string, Finding>,
  ): void {
    const len = text.length;
    const wordBefore = start > 0 && isWordChar(text.charCodeAt(start - 1));
    const wordAfter = end < len && isWordChar(text.charCodeAt(end));
    const keptEnd = kept + (this.#literalLength[lit] as number);
    for (
      let k = this.#ruleOwnStart[lit] as number, kEnd = this.#ruleOwnStart[lit + 1] as number;
      k < kEnd;
      k++
    ) {
      if (this.#ruleOwnDeferGen[k] !== gen) continue;
      const flags = this.#ruleOwnFlags[k] as number;
      if ((wordBefore && (flags & OWN_LEFT) !== 0) || (wordAfter && (flags & OWN_RIGHT) !== 0)) continue;
      this.#ruleOwnDeferGen[k] = 0;
      const r = this.#ruleOwn[k] as number;
      if (this.#touchRule(r, gen, found)) {
        const L = (this.#patterns[r] as CompiledPattern).maxLength;
        (this.#ruleWindows[r] as Windows).insert(
          hitWindowStart(kept, keptEnd, L, PATTERN_REACH),
          hitWindowEnd(kept, keptEnd, L, PATTERN_REACH, len),
        );
      }
    }
  }

  /** Finds one combination of the rule's signals inside one window; returns its span. */
  #evaluateComposite(
    c: CompiledComposite,
    anchor: number,
    segments: Segments,
    len: number,
  ): [number, number] | undefined {
    // 'sentence': the anchor's sentence. A number n: n characters either side of the anchor, but
    // never beyond the neighbouring sentences, and the combination may span two sentences at most,
    // so weak signals from unrelated sentences of a long document do not chain into a finding.
    const windowChars = c.rule.window === 'sentence' ? -1 : c.rule.window;
    const a = this.#occ[anchor] as Occurrences;
    let lastSegment = -1;
    for (let i = 0; i < a.size; i++) {
      const as = a.starts[i] as number;
      const ae = a.ends[i] as number;
      let lo: number;
      let hi: number;
      const seg = segmentAt(segments, as);
      if (windowChars < 0) {
        if (seg < 0 || seg === lastSegment) continue;
        lastSegment = seg;
        lo = segments.starts[seg] as number;
        hi = Math.max(segments.ends[seg] as number, ae);
      } else {
        const prev = Math.max(0, seg - 1);
        const next = Math.min(segments.count - 1, seg + 1);
        lo = Math.max(0, as - windowChars, seg < 0 ? 0 : (segments.starts[prev] as number));
        hi = Math.min(len, ae + windowChars, seg < 0 ? len : Math.max(segments.ends[next] as number, ae));
      }
      let spanStart = as;
      let spanEnd = ae;
      let ok = true;
      const take = (s: number): boolean => {
        const occ = this.#occ[s] as Occurrences;
        if (occ.size === 0 || this.#sigGen[s] !== this.#gen) return false;
        const k = occ.lowerBound(lo);
        if (k >= occ.size) return false;
        const os = occ.starts[k] as number;
        const oe = occ.ends[k] as number;
        if (oe > hi) return false;
        if (os < spanStart) spanStart = os;
        if (oe > spanEnd) spanEnd = oe;
        return true;
      };
      for (const s of c.all) {
        if (s !== anchor && !take(s)) {
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      for (const g of c.any) {
        let any = false;
        for (const s of g) {
          if (take(s)) {
            any = true;
            break;
          }
        }
        if (!any) {
          ok = false;
          break;
        }
      }
      if (ok && (windowChars < 0 || segmentAt(segments, spanEnd - 1) - segmentAt(segments, spanStart) <= 1)) {
        return [spanStart, spanEnd];
      }
    }
    return undefined;
  }
}

/** Compiled automata by their literal list: immutable, so engines with the same keywords share one. */
const AUTOMATA = new Map<string, AhoCorasick>();
const MAX_CACHED_AUTOMATA = 16;

/**
 * The automaton for `literals`, compiled once per distinct list (building the built-in catalog's
 * takes tens of milliseconds; analyzers are often created per tenant or per request).
 */
export function automatonFor(literals: readonly string[]): AhoCorasick {
  const key = literals.join('\u0000');
  let a = AUTOMATA.get(key);
  if (a === undefined) {
    a = new AhoCorasick(literals);
    if (AUTOMATA.size >= MAX_CACHED_AUTOMATA) {
      const oldest = AUTOMATA.keys().next().value;
      if (oldest !== undefined) AUTOMATA.delete(oldest);
    }
    AUTOMATA.set(key, a);
  }
  return a;
}

/**
 * The window a regex runs on around a keyword hit `[start, end)`: the fixed `reach` either side,
 * narrowed to where a match that contains the hit can lie when the regex's longest match `L` is
 * known (`[end - L, start + L)`), plus `REPEAT_SPACING` to the right, since a hit stands in for
 * repeats of its keyword up to that far behind it. So a rule whose longest match is 60 characters
 * runs on about 190 characters rather than 600.
 */
function hitWindowStart(start: number, end: number, L: number, reach: number): number {
  return Math.max(0, start - reach, end - L);
}

/** The end of the window of {@link hitWindowStart}; `len`: the text's length. */
function hitWindowEnd(start: number, end: number, L: number, reach: number, len: number): number {
  return Math.min(len, end + reach, start + L + REPEAT_SPACING);
}

/** Moves a window start back to the start of the word it cuts (at most 32 chars). */
function snapToWordStart(text: string, pos: number): number {
  let p = pos;
  const min = Math.max(0, pos - 32);
  while (p > min && isWordChar(text.charCodeAt(p - 1))) p--;
  return p;
}

function findingOf(rule: Rule, evidence: Finding['evidence']): Finding {
  return {
    ruleId: rule.id,
    title: rule.title,
    category: rule.category,
    severity: rule.severity,
    weight: rule.weight,
    mitre: rule.mitre as MitreIds,
    evidence,
    layer: 'rules',
  };
}

/** Maps a `[start, end)` span of `view.text` to evidence in the original content. */
export function evidenceOf(
  original: string,
  view: TextView,
  start: number,
  end: number,
): Finding['evidence'] {
  const offsets = view.offsets;
  const last = offsets.length - 1;
  let oStart = offsets[Math.min(start, last)] ?? 0;
  let oEnd = offsets[Math.min(end, last)] ?? oStart;
  const kind: EvidenceView = view.kind;
  if (kind !== 'text' && oEnd <= oStart) {
    // A decoded view maps into its encoded segment: show the whole segment.
    oStart = offsets[0] ?? oStart;
    oEnd = offsets[last] ?? oEnd;
  }
  if (oEnd < oStart) oEnd = oStart;
  const evidence: Finding['evidence'] = {
    text: original.slice(oStart, oEnd),
    start: oStart,
    end: oEnd,
    view: kind,
  };
  if (kind !== 'text') evidence.decoded = view.text.slice(start, end);
  return evidence;
}
