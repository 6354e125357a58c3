import type { PolicyProfile, Thresholds } from '../analyzer/options.js';
import type {
  AnalysisResult,
  Decision,
  Finding,
  RuleCategory,
  Severity,
  SourceType,
} from '../analyzer/types.js';
import { DECISIONS, RULE_CATEGORIES, SEVERITIES, SOURCE_TYPES } from '../analyzer/types.js';
import { InvalidInputError, InvalidOptionError } from '../errors/index.js';
import { DECISION_RANK, decisionForScore, PROFILES } from './profiles.js';

/** The three places where text crosses into an agent's memory or context. */
export const BOUNDARIES = ['memory_write', 'retrieval', 'tool_result'] as const;
export type Boundary = (typeof BOUNDARIES)[number];

/** What a rule looks at. Every field given must match; an empty match matches every text. */
export interface PolicyMatch {
  /** Boundaries the rule applies at. @default every boundary */
  boundary?: Boundary | readonly Boundary[];
  /** Source types the rule applies to. @default every source type */
  sourceType?: SourceType | readonly SourceType[];
  /** Source ids (a URL, a tool name, a document id) the rule applies to. @default every source */
  sourceId?: string | readonly string[];
  /** The analysis must have at least one finding in one of these categories. @default no condition */
  category?: RuleCategory | readonly RuleCategory[];
  /**
   * The analysis must have a finding of at least this severity (in `category`, when given).
   * @default no condition (with `category`: any severity)
   */
  minSeverity?: Severity;
  /** The risk score must be at least this (0..100). @default no condition */
  minScore?: number;
}

/** Where a builder rule applies: the scope part of a `PolicyMatch`, plus the rule's id and reason. */
export interface RuleScope {
  /** @default every boundary */
  boundary?: Boundary | readonly Boundary[];
  /** @default every source type */
  sourceType?: SourceType | readonly SourceType[];
  /** @default every source id */
  sourceId?: string | readonly string[];
  /** The rule's id, reported as `verdict.rule`. @default derived from the rule, e.g. `category:exfiltration:block` */
  id?: string;
  /** Why the rule exists, quoted in the verdict's reason. @default none */
  reason?: string;
}

/**
 * One custom rule. `escalate` makes the decision *at least* `decision`; `cap` makes it *at most*
 * `decision`. A cap never goes below the safety floor (a critical finding stays at
 * `criticalFloor` or above), nor below fail-close and not-analyzed guards; when a cap and an
 * escalation both match, the escalation wins.
 */
export interface PolicyRule {
  /** A unique id, reported as `verdict.rule` when this rule makes the verdict. */
  id: string;
  effect: 'escalate' | 'cap';
  /** The decision to escalate to, or to cap at (`sanitize` cannot be a cap: no rewrite may exist). */
  decision: Decision;
  match: PolicyMatch;
  /** Quoted in the verdict's reason. @default none */
  reason?: string;
}

export interface PolicyEngineOptions {
  /**
   * Threshold profile used to map the risk score to a decision. Without `profile` and `thresholds`
   * the engine starts from the analyzer's own decision (its profile, sanitizer and fail-close).
   * @default none (the analyzer's decision)
   */
  profile?: PolicyProfile;
  /** Custom thresholds, merged over `profile` (or over `balanced` when no profile is given). @default none */
  thresholds?: Partial<Thresholds>;
  /** Per-boundary thresholds, merged over the engine's thresholds for that boundary. @default none */
  boundaryThresholds?: Partial<Record<Boundary, Partial<Thresholds>>>;
  /**
   * The decision a critical finding can never go below, whatever the thresholds or rules say.
   * Only `quarantine` and `block` are accepted: the floor can be raised, never removed.
   * @default 'quarantine'
   */
  criticalFloor?: 'quarantine' | 'block';
  /** When the analysis is degraded (a layer that should have run did not), at least `quarantine`. @default false */
  failClose?: boolean;
  /** Keep the analyzer's `sanitize` offer when the score decision is `human_review` or `quarantine`. @default true */
  sanitize?: boolean;
  /** Custom rules, applied as if added with `addRule` in this order. @default [] */
  rules?: readonly PolicyRule[];
}

/** What the engine decides about. */
export interface PolicyContext {
  /** The analyzer's result for the text. */
  analysis: AnalysisResult;
  /** Where the text is crossing. */
  boundary: Boundary;
  /** @default analysis.sourceType */
  sourceType?: SourceType;
  /** The source id (a URL, a tool name, a document id) that `sourceId` rules match. @default none */
  sourceId?: string;
}

export interface PolicyVerdict {
  decision: Decision;
  /** One line: why this decision. */
  reason: string;
  /** The id of the rule that made the verdict, e.g. `profile:strict`, `category:exfiltration:block`, `safety-floor:critical`. */
  rule: string;
  /** Every rule that matched or changed the decision, in the order they were applied. */
  matched: string[];
  /** The analyzer's rewrite, present exactly when `decision === 'sanitize'`. */
  sanitized?: string;
}

const BOUNDARY_SET: ReadonlySet<string> = new Set(BOUNDARIES);
const SOURCE_SET: ReadonlySet<string> = new Set(SOURCE_TYPES);
const CATEGORY_SET: ReadonlySet<string> = new Set(RULE_CATEGORIES);
const DECISION_SET: ReadonlySet<string> = new Set(DECISIONS);
const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  info: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};
const KNOWN_OPTIONS = new Set([
  'profile',
  'thresholds',
  'boundaryThresholds',
  'criticalFloor',
  'failClose',
  'sanitize',
  'rules',
]);
const KNOWN_MATCH = new Set(['boundary', 'sourceType', 'sourceId', 'category', 'minSeverity', 'minScore']);

interface CompiledRule extends PolicyRule {
  boundaries?: ReadonlySet<string>;
  sourceTypes?: ReadonlySet<string>;
  sourceIds?: ReadonlySet<string>;
  categories?: ReadonlySet<string>;
}

interface Step {
  decision: Decision;
  rule: string;
  reason: string;
}

/**
 * Maps an analysis to a decision at one boundary: a threshold profile (or the analyzer's own
 * decision), then custom rules — caps, then escalations — then the guards no rule can weaken:
 * unanalyzed content keeps the analyzer's decision, a degraded analysis is never relaxed below
 * the analyzer's decision (so the analyzer's fail-close stands) and, with `failClose`, is at least
 * `quarantine`; a critical finding never goes below `criticalFloor` (`quarantine` by default).
 *
 * @example
 * const policy = new PolicyEngine({ profile: 'strict' })
 *   .blockCategory('exfiltration')
 *   .humanReviewCategory('financial_fraud', { boundary: 'memory_write' })
 *   .blockSourceType('web', { boundary: 'memory_write' });
 * const { decision, reason, rule } = policy.decide({ analysis, boundary: 'memory_write' });
 */
export class PolicyEngine {
  readonly #profile: PolicyProfile | undefined;
  readonly #thresholds: Thresholds | undefined;
  readonly #baseRule: string;
  readonly #boundaryThresholds = new Map<Boundary, Thresholds>();
  readonly #criticalFloor: 'quarantine' | 'block';
  readonly #failClose: boolean;
  readonly #sanitize: boolean;
  readonly #rules: CompiledRule[] = [];

  constructor(options: PolicyEngineOptions = {}) {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw new InvalidOptionError('options', 'PolicyEngine options must be an object');
    }
    for (const key of Object.keys(options)) {
      if (!KNOWN_OPTIONS.has(key)) throw new InvalidOptionError(key, `${key}: unknown option`);
    }
    if (options.profile !== undefined && !(options.profile in PROFILES)) {
      throw new InvalidOptionError(
        'profile',
        `profile must be strict, balanced or permissive, got ${String(options.profile)}`,
      );
    }
    this.#profile = options.profile;
    if (options.profile !== undefined || options.thresholds !== undefined) {
      this.#thresholds = mergeThresholds(
        PROFILES[options.profile ?? 'balanced'],
        options.thresholds,
        'thresholds',
      );
    }
    this.#baseRule =
      options.thresholds === undefined
        ? `profile:${options.profile ?? 'balanced'}`
        : options.profile === undefined
          ? 'thresholds:custom'
          : `thresholds:${options.profile}+custom`;
    const floor = options.criticalFloor ?? 'quarantine';
    if (floor !== 'quarantine' && floor !== 'block') {
      throw new InvalidOptionError(
        'criticalFloor',
        `criticalFloor must be quarantine or block, got ${String(floor)}`,
      );
    }
    this.#criticalFloor = floor;
    if (options.failClose !== undefined && typeof options.failClose !== 'boolean') {
      throw new InvalidOptionError('failClose', 'failClose must be a boolean');
    }
    this.#failClose = options.failClose ?? false;
    if (options.sanitize !== undefined && typeof options.sanitize !== 'boolean') {
      throw new InvalidOptionError('sanitize', 'sanitize must be a boolean');
    }
    this.#sanitize = options.sanitize ?? true;
    if (options.boundaryThresholds !== undefined) {
      if (typeof options.boundaryThresholds !== 'object' || options.boundaryThresholds === null) {
        throw new InvalidOptionError('boundaryThresholds', 'boundaryThresholds must be an object');
      }
      for (const [b, t] of Object.entries(options.boundaryThresholds)) {
        this.boundaryThresholds(b as Boundary, t ?? {});
      }
    }
    if (options.rules !== undefined) {
      if (!Array.isArray(options.rules)) throw new InvalidOptionError('rules', 'rules must be an array');
      for (const r of options.rules) this.addRule(r);
    }
  }

  /** The custom rules in force, in the order they were added. */
  get rules(): readonly PolicyRule[] {
    return this.#rules.map(({ id, effect, decision, match, reason }) => ({
      id,
      effect,
      decision,
      match,
      ...(reason !== undefined ? { reason } : {}),
    }));
  }

  /** The thresholds used at `boundary`, or `undefined` when the engine follows the analyzer's decision there. */
  thresholdsFor(boundary: Boundary): Readonly<Thresholds> | undefined {
    return this.#boundaryThresholds.get(boundary) ?? this.#thresholds;
  }

  /** Adds a custom rule. Throws `InvalidOptionError` for a malformed rule or a duplicate id. */
  addRule(rule: PolicyRule): this {
    this.#rules.push(compileRule(rule, this.#rules));
    return this;
  }

  /** Any finding matching `match`: the decision is at least `decision`. */
  escalate(match: PolicyMatch, decision: Decision, scope: Pick<RuleScope, 'id' | 'reason'> = {}): this {
    return this.addRule(
      withReason(
        { id: scope.id ?? autoId('escalate', match, decision), effect: 'escalate', decision, match },
        scope.reason,
      ),
    );
  }

  /** Texts matching `match`: the decision is at most `decision` (never below the safety floor). */
  cap(
    match: PolicyMatch,
    decision: Exclude<Decision, 'sanitize'>,
    scope: Pick<RuleScope, 'id' | 'reason'> = {},
  ): this {
    return this.addRule(
      withReason(
        { id: scope.id ?? autoId('cap', match, decision), effect: 'cap', decision, match },
        scope.reason,
      ),
    );
  }

  /** A finding in `category` sends the text to human review (at least). */
  humanReviewCategory(category: RuleCategory, scope: RuleScope = {}): this {
    return this.#categoryRule(category, 'human_review', scope);
  }

  /** A finding in `category` quarantines the text (at least). */
  quarantineCategory(category: RuleCategory, scope: RuleScope = {}): this {
    return this.#categoryRule(category, 'quarantine', scope);
  }

  /** A finding in `category` blocks the text. */
  blockCategory(category: RuleCategory, scope: RuleScope = {}): this {
    return this.#categoryRule(category, 'block', scope);
  }

  /** Every text from this source type is blocked (within `scope`), whatever its score. */
  blockSourceType(sourceType: SourceType, scope: Omit<RuleScope, 'sourceType'> = {}): this {
    const match = { ...scopeMatch(scope), sourceType };
    return this.addRule(
      withReason(
        {
          id: scope.id ?? scoped(`source-type:${sourceType}:block`, scope),
          effect: 'escalate',
          decision: 'block',
          match,
        },
        scope.reason,
      ),
    );
  }

  /** Every text from this source id is blocked (within `scope`), whatever its score. */
  blockSourceId(sourceId: string, scope: Omit<RuleScope, 'sourceId'> = {}): this {
    const match = { ...scopeMatch(scope), sourceId };
    return this.addRule(
      withReason(
        {
          id: scope.id ?? scoped(`source-id:${sourceId}:block`, scope),
          effect: 'escalate',
          decision: 'block',
          match,
        },
        scope.reason,
      ),
    );
  }

  /** Thresholds for one boundary, merged over the engine's (or `balanced`'s) thresholds. */
  boundaryThresholds(boundary: Boundary, thresholds: Partial<Thresholds>): this {
    if (!BOUNDARY_SET.has(boundary)) {
      throw new InvalidOptionError(
        'boundary',
        `boundary must be one of ${BOUNDARIES.join(', ')}, got ${String(boundary)}`,
      );
    }
    const base =
      this.#boundaryThresholds.get(boundary) ?? this.#thresholds ?? PROFILES[this.#profile ?? 'balanced'];
    this.#boundaryThresholds.set(
      boundary,
      mergeThresholds(base, thresholds, `boundaryThresholds.${boundary}`),
    );
    return this;
  }

  /**
   * Decides about one analysis at one boundary. Throws `InvalidInputError` when the context is
   * malformed (no analysis, an unknown boundary or source type).
   */
  decide(context: PolicyContext): PolicyVerdict {
    const ctx = checkContext(context);
    const a = ctx.analysis;
    const sourceType = ctx.sourceType ?? a.sourceType;
    const matched: string[] = [];

    // 1. Base: the thresholds in force at this boundary, or the analyzer's own decision.
    let step = this.#base(ctx.boundary, a);
    matched.push(step.rule);

    // 2. Caps (the lowest matching cap), then escalations (the highest matching one).
    let lowestCap: CompiledRule | undefined;
    let highestEscalation: CompiledRule | undefined;
    for (const r of this.#rules) {
      if (!matches(r, ctx.boundary, sourceType, ctx.sourceId, a)) continue;
      matched.push(r.id);
      if (r.effect === 'cap') {
        if (lowestCap === undefined || DECISION_RANK[r.decision] < DECISION_RANK[lowestCap.decision])
          lowestCap = r;
      } else if (
        highestEscalation === undefined ||
        DECISION_RANK[r.decision] > DECISION_RANK[highestEscalation.decision]
      ) {
        highestEscalation = r;
      }
    }
    if (lowestCap !== undefined && DECISION_RANK[lowestCap.decision] < DECISION_RANK[step.decision]) {
      step = { decision: lowestCap.decision, rule: lowestCap.id, reason: ruleReason(lowestCap, 'capped at') };
    }
    if (
      highestEscalation !== undefined &&
      DECISION_RANK[highestEscalation.decision] > DECISION_RANK[step.decision]
    ) {
      step = {
        decision: highestEscalation.decision,
        rule: highestEscalation.id,
        reason: ruleReason(highestEscalation, 'escalated to'),
      };
    }

    // 3. Guards no rule can weaken.
    if (!a.layers.rules.ran && DECISION_RANK[a.decision] > DECISION_RANK[step.decision]) {
      // The analyzer did not look at the text (e.g. over maxContentLength) and did not allow it.
      step = { decision: a.decision, rule: 'not-analyzed', reason: `not analyzed: ${a.explanation}` };
      matched.push(step.rule);
    }
    if (a.degraded.length > 0) {
      if (DECISION_RANK[a.decision] > DECISION_RANK[step.decision]) {
        step = {
          decision: a.decision,
          rule: 'degraded:no-relax',
          reason: `degraded analysis (${a.degraded.join(', ')}): never relaxed below the analyzer's ${a.decision}`,
        };
        matched.push(step.rule);
      }
      if (this.#failClose && DECISION_RANK[step.decision] < DECISION_RANK.quarantine) {
        step = {
          decision: 'quarantine',
          rule: 'fail-close',
          reason: `fail-close: degraded ${a.degraded.join(', ')}`,
        };
        matched.push(step.rule);
      }
    }
    const critical = a.findings.find((f) => f.severity === 'critical');
    if (critical !== undefined && DECISION_RANK[step.decision] < DECISION_RANK[this.#criticalFloor]) {
      step = {
        decision: this.#criticalFloor,
        rule: 'safety-floor:critical',
        reason: `critical finding ${critical.ruleId} (${critical.category}): never below ${this.#criticalFloor}; ${step.reason} was overruled`,
      };
      matched.push(step.rule);
    }

    const verdict: PolicyVerdict = { decision: step.decision, reason: step.reason, rule: step.rule, matched };
    if (step.decision === 'sanitize' && a.sanitized !== undefined) verdict.sanitized = a.sanitized;
    else if (step.decision === 'sanitize') {
      // Defensive: a sanitize decision without a rewrite cannot be honoured.
      verdict.decision = 'quarantine';
      verdict.rule = 'sanitize-unavailable';
      verdict.reason = 'sanitize decided but no rewrite is available';
    }
    return verdict;
  }

  #base(boundary: Boundary, a: AnalysisResult): Step {
    const t = this.thresholdsFor(boundary);
    if (t === undefined) {
      return {
        decision: a.decision,
        rule: 'analyzer',
        reason: `analyzer: ${a.decision} at risk ${a.riskScore}${topRule(a.findings)}`,
      };
    }
    const rule = this.#boundaryThresholds.has(boundary) ? `thresholds:${boundary}` : this.#baseRule;
    const d = decisionForScore(a.riskScore, t);
    const reason = scoreReason(d, a, t);
    if (this.#sanitize && a.sanitized !== undefined && (d === 'human_review' || d === 'quarantine')) {
      return {
        decision: 'sanitize',
        rule,
        reason: `${reason}; the rewrite without the offending sentences is clean`,
      };
    }
    return { decision: d, rule, reason };
  }

  #categoryRule(category: RuleCategory, decision: Decision, scope: RuleScope): this {
    const match = { ...scopeMatch(scope), category };
    return this.addRule(
      withReason(
        {
          id: scope.id ?? scoped(`category:${category}:${decision}`, scope),
          effect: 'escalate',
          decision,
          match,
        },
        scope.reason,
      ),
    );
  }
}

function withReason(rule: PolicyRule, reason: string | undefined): PolicyRule {
  return reason === undefined ? rule : { ...rule, reason };
}

function scopeMatch(scope: RuleScope): PolicyMatch {
  const m: PolicyMatch = {};
  if (scope.boundary !== undefined) m.boundary = scope.boundary;
  if (scope.sourceType !== undefined) m.sourceType = scope.sourceType;
  if (scope.sourceId !== undefined) m.sourceId = scope.sourceId;
  return m;
}

function list<T>(v: T | readonly T[] | undefined): readonly T[] {
  return v === undefined ? [] : Array.isArray(v) ? (v as readonly T[]) : [v as T];
}

function scoped(id: string, scope: RuleScope): string {
  const parts = [
    ...list(scope.boundary),
    ...list(scope.sourceType).map((s) => `source-type=${s}`),
    ...list(scope.sourceId).map((s) => `source-id=${s}`),
  ];
  return parts.length === 0 ? id : `${id}@${parts.join(',')}`;
}

function autoId(effect: string, match: PolicyMatch, decision: Decision): string {
  const parts = Object.entries(match)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`);
  return `${effect}:${decision}${parts.length > 0 ? `@${parts.join(',')}` : ''}`;
}

function mergeThresholds(
  base: Thresholds,
  patch: Partial<Thresholds> | undefined,
  option: string,
): Thresholds {
  if (patch !== undefined && (typeof patch !== 'object' || patch === null || Array.isArray(patch))) {
    throw new InvalidOptionError(option, `${option} must be an object`);
  }
  const t: Thresholds = { ...base };
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (k !== 'block' && k !== 'quarantine' && k !== 'humanReview') {
      throw new InvalidOptionError(`${option}.${k}`, `${option}.${k}: unknown threshold`);
    }
    if (v === undefined) continue;
    if (typeof v !== 'number' || !(v >= 0 && v <= 100)) {
      throw new InvalidOptionError(`${option}.${k}`, `${option}.${k} must be a number from 0 to 100`);
    }
    t[k] = v;
  }
  if (!(t.humanReview <= t.quarantine && t.quarantine <= t.block)) {
    throw new InvalidOptionError(option, `${option} must satisfy humanReview ≤ quarantine ≤ block`);
  }
  return t;
}

function checkSet(
  option: string,
  v: unknown,
  allowed: ReadonlySet<string> | undefined,
  what: string,
): ReadonlySet<string> | undefined {
  if (v === undefined) return undefined;
  const items = Array.isArray(v) ? v : [v];
  if (items.length === 0) throw new InvalidOptionError(option, `${option} must not be empty`);
  for (const item of items) {
    if (typeof item !== 'string' || item.length === 0 || (allowed !== undefined && !allowed.has(item))) {
      throw new InvalidOptionError(option, `${option}: ${String(item)} is not a known ${what}`);
    }
  }
  return new Set(items as string[]);
}

function compileRule(rule: PolicyRule, existing: readonly CompiledRule[]): CompiledRule {
  if (typeof rule !== 'object' || rule === null)
    throw new InvalidOptionError('rule', 'a rule must be an object');
  if (typeof rule.id !== 'string' || rule.id.length === 0) {
    throw new InvalidOptionError('rule.id', 'a rule needs a non-empty string id');
  }
  if (existing.some((r) => r.id === rule.id)) {
    throw new InvalidOptionError('rule.id', `a rule with id "${rule.id}" already exists`);
  }
  if (rule.effect !== 'escalate' && rule.effect !== 'cap') {
    throw new InvalidOptionError('rule.effect', `rule ${rule.id}: effect must be escalate or cap`);
  }
  if (typeof rule.decision !== 'string' || !DECISION_SET.has(rule.decision)) {
    throw new InvalidOptionError(
      'rule.decision',
      `rule ${rule.id}: unknown decision ${String(rule.decision)}`,
    );
  }
  if (rule.effect === 'cap' && rule.decision === 'sanitize') {
    throw new InvalidOptionError(
      'rule.decision',
      `rule ${rule.id}: a cap cannot be sanitize (a rewrite may not exist)`,
    );
  }
  if (rule.reason !== undefined && typeof rule.reason !== 'string') {
    throw new InvalidOptionError('rule.reason', `rule ${rule.id}: reason must be a string`);
  }
  const m = rule.match;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) {
    throw new InvalidOptionError('rule.match', `rule ${rule.id}: match must be an object`);
  }
  for (const key of Object.keys(m)) {
    if (!KNOWN_MATCH.has(key))
      throw new InvalidOptionError(`rule.match.${key}`, `rule ${rule.id}: unknown match field ${key}`);
  }
  if (m.minSeverity !== undefined && !(SEVERITIES as readonly string[]).includes(m.minSeverity)) {
    throw new InvalidOptionError(
      'rule.match.minSeverity',
      `rule ${rule.id}: unknown severity ${String(m.minSeverity)}`,
    );
  }
  if (m.minScore !== undefined && !(typeof m.minScore === 'number' && m.minScore >= 0 && m.minScore <= 100)) {
    throw new InvalidOptionError('rule.match.minScore', `rule ${rule.id}: minScore must be 0..100`);
  }
  const compiled: CompiledRule = { ...rule, match: { ...m } };
  const boundaries = checkSet('rule.match.boundary', m.boundary, BOUNDARY_SET, 'boundary');
  const sourceTypes = checkSet('rule.match.sourceType', m.sourceType, SOURCE_SET, 'source type');
  const sourceIds = checkSet('rule.match.sourceId', m.sourceId, undefined, 'source id');
  const categories = checkSet('rule.match.category', m.category, CATEGORY_SET, 'category');
  if (boundaries) compiled.boundaries = boundaries;
  if (sourceTypes) compiled.sourceTypes = sourceTypes;
  if (sourceIds) compiled.sourceIds = sourceIds;
  if (categories) compiled.categories = categories;
  return compiled;
}

function matches(
  r: CompiledRule,
  boundary: Boundary,
  sourceType: SourceType,
  sourceId: string | undefined,
  a: AnalysisResult,
): boolean {
  if (r.boundaries && !r.boundaries.has(boundary)) return false;
  if (r.sourceTypes && !r.sourceTypes.has(sourceType)) return false;
  if (r.sourceIds && (sourceId === undefined || !r.sourceIds.has(sourceId))) return false;
  if (r.match.minScore !== undefined && a.riskScore < r.match.minScore) return false;
  if (r.categories !== undefined || r.match.minSeverity !== undefined) {
    const min = r.match.minSeverity === undefined ? 0 : SEVERITY_RANK[r.match.minSeverity];
    const hit = a.findings.some(
      (f) => (r.categories === undefined || r.categories.has(f.category)) && SEVERITY_RANK[f.severity] >= min,
    );
    if (!hit) return false;
  }
  return true;
}

function ruleReason(r: PolicyRule, verb: string): string {
  const what = Object.entries(r.match)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join('|') : String(v)}`)
    .join(', ');
  return `rule ${r.id} (${what || 'any text'}) ${verb} ${r.decision}${r.reason !== undefined ? `: ${r.reason}` : ''}`;
}

function topRule(findings: readonly Finding[]): string {
  const f = findings[0];
  return f === undefined ? '' : ` (${f.ruleId}, ${f.category}, ${f.severity})`;
}

function scoreReason(d: Decision, a: AnalysisResult, t: Thresholds): string {
  const s = a.riskScore;
  const why =
    d === 'block'
      ? `risk ${s} ≥ block threshold ${t.block}`
      : d === 'quarantine'
        ? `risk ${s} ≥ quarantine threshold ${t.quarantine}`
        : d === 'human_review'
          ? `risk ${s} ≥ human-review threshold ${t.humanReview}`
          : `risk ${s} < human-review threshold ${t.humanReview}`;
  return `${why}${topRule(a.findings)}`;
}

function checkContext(context: unknown): PolicyContext {
  if (typeof context !== 'object' || context === null) {
    throw new InvalidInputError('context', 'decide() expects a context object');
  }
  const c = context as Partial<PolicyContext>;
  const a = c.analysis as Partial<AnalysisResult> | undefined;
  if (
    typeof a !== 'object' ||
    a === null ||
    typeof a.riskScore !== 'number' ||
    Number.isNaN(a.riskScore) ||
    !Array.isArray(a.findings) ||
    !Array.isArray(a.degraded) ||
    typeof a.decision !== 'string' ||
    !DECISION_SET.has(a.decision) ||
    typeof a.layers !== 'object' ||
    a.layers === null
  ) {
    throw new InvalidInputError(
      'analysis',
      'decide() expects the AnalysisResult returned by Analyzer.analyze',
    );
  }
  if (typeof c.boundary !== 'string' || !BOUNDARY_SET.has(c.boundary)) {
    throw new InvalidInputError(
      'boundary',
      `boundary must be one of ${BOUNDARIES.join(', ')}, got ${String(c.boundary)}`,
    );
  }
  if (c.sourceType !== undefined && !SOURCE_SET.has(c.sourceType)) {
    throw new InvalidInputError('sourceType', `unknown source type ${String(c.sourceType)}`);
  }
  if (c.sourceId !== undefined && typeof c.sourceId !== 'string') {
    throw new InvalidInputError('sourceId', 'sourceId must be a string');
  }
  return c as PolicyContext;
}
