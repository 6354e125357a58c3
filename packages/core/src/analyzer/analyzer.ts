import {
  CryptoUnavailableError,
  InvalidInputError,
  InvalidOptionError,
  LayerFailedError,
} from '../errors/index.js';
import { defaultFeedCacheDir, type FeedLoad, loadFeed } from '../feed/index.js';
import type { BehaviorAssessment, BehaviorFeatures } from '../layers/index.js';
import {
  applyTrust,
  BehaviorBaseline,
  consultJudge,
  extractFeatures,
  TrustRegistry,
} from '../layers/index.js';
import { LearnedModel } from '../learned/index.js';
import type { NormalizedContent, NormalizeOptions } from '../normalize/index.js';
import { normalize } from '../normalize/index.js';
import { decisionForScore, PROFILES } from '../policy/index.js';
import { BUILTIN_RULES, BUILTIN_SIGNALS, RuleEngine, type RuleInfo } from '../rules/index.js';
import { proposeSanitized } from '../sanitize/index.js';
import { envFailClose, envFeedEnabled, envFeedMaxAgeDays, envMaxContentLength } from './env.js';
import { explain } from './explain.js';
import { type AnalysisObserver, notifyObservers } from './observers.js';
import type { AnalyzerOptions, FeedOptions, JudgeOptions, Thresholds } from './options.js';
import { DEFAULT_LEARNED_SOURCES, DEFAULT_LEARNED_THRESHOLD } from './options.js';
import { combineWeights, rankFindings, round1, severityFloor } from './scoring.js';
import type {
  AnalysisResult,
  Decision,
  Finding,
  HealthReport,
  LayerContribution,
  LayerName,
  MemoryEntry,
  RuleCategory,
  Severity,
  SourceType,
  SubsystemHealth,
} from './types.js';
import { SOURCE_TYPES } from './types.js';
import { validateOptions } from './validate-options.js';

const SOURCE_TYPE_SET: ReadonlySet<string> = new Set(SOURCE_TYPES);
/**
 * Sources whose texts are data with something embedded in them (a chunk, a page, a tool result):
 * dropping the injected sentences can leave useful data. A memory write, a prompt or a system text
 * is one statement from one author; an instruction in it is not removed, it is decided on.
 */
const SANITIZABLE_SOURCES: ReadonlySet<SourceType> = new Set([
  'rag',
  'tool',
  'web',
  'email',
  'document',
  'api',
]);
/** At most this fraction of a text may be dropped by the sanitizer. */
const SANITIZE_MAX_REMOVED = 0.4;
const DEFAULT_MAX_CONTENT = 1_000_000;

/** Options of `analyzeBatch`. */
export interface AnalyzeBatchOptions {
  /** Analyses in flight at once (matters when a judge is configured). @default 8 */
  concurrency?: number;
}

/** The threat feed as the analyzer loaded it (see `Analyzer.feed`). */
export interface AnalyzerFeedStatus {
  /** `disabled`: off; `ok`: its rules are in force; `degraded`: refused or its last sync failed. */
  status: 'disabled' | 'ok' | 'degraded';
  /** The feed version whose rules are in force, when one is. */
  version: number | undefined;
  /** Ids of the feed rules in force. */
  ruleIds: readonly string[];
  /** Why the feed is degraded (`bad-signature`, `expired`, `rolled-back`, `unreachable`…). */
  reason: string | undefined;
  /** One line for humans (also the `feed` detail of `healthCheck()`). */
  detail: string;
}

/** What the synchronous layers say about one text. */
interface Evaluation {
  findings: Finding[];
  rulesScore: number;
  /** The learned layer's probability, or undefined when it is off. */
  learnedP: number | undefined;
  learnedDelta: number;
  trustDelta: number;
  behavior: BehaviorAssessment;
  features: BehaviorFeatures | undefined;
  floor: number;
  score: number;
}

function feedRefused(reason: string, detail: string): AnalyzerFeedStatus {
  return { status: 'degraded', version: undefined, ruleIds: [], reason, detail };
}

/**
 * Loads the feed for a new analyzer: options first, then env, then defaults. Never throws for a
 * bad feed (the status says why); throws `InvalidOptionError` for an invalid trusted key.
 */
function loadAnalyzerFeed(
  options: FeedOptions,
  customIds: readonly string[],
): { status: AnalyzerFeedStatus; load: FeedLoad | undefined } {
  if (!(options.enabled ?? envFeedEnabled() ?? false)) {
    return {
      status: {
        status: 'disabled',
        version: undefined,
        ruleIds: [],
        reason: undefined,
        detail: 'off (enable with feed.enabled or MEMGAR_FEED_ENABLED=true)',
      },
      load: undefined,
    };
  }
  let load: FeedLoad;
  try {
    const cacheDir = options.cacheDir ?? defaultFeedCacheDir();
    load = loadFeed({
      ...(options.document !== undefined ? { document: options.document } : {}),
      ...(cacheDir !== undefined ? { cacheDir } : {}),
      ...(options.trustedKeys !== undefined ? { trustedKeys: options.trustedKeys } : {}),
      ...(options.trustPinnedKey !== undefined ? { trustPinnedKey: options.trustPinnedKey } : {}),
      maxAgeDays: options.maxAgeDays ?? envFeedMaxAgeDays() ?? 7,
      minVersion: options.minVersion ?? 0,
      reservedIds: customIds,
    });
  } catch (cause) {
    if (CryptoUnavailableError.isInstance(cause)) {
      return {
        status: feedRefused('crypto-unavailable', `${cause.message}; bundled rules only`),
        load: undefined,
      };
    }
    if (InvalidOptionError.isInstance(cause) && cause.message.startsWith('trustedKeys')) {
      throw new InvalidOptionError('feed.trustedKeys', `feed.${cause.message}`, { cause });
    }
    throw cause;
  }
  const feed = load.feed;
  return {
    status: {
      status: load.status === 'ok' ? 'ok' : 'degraded',
      version: feed?.version,
      ruleIds: feed?.rules.map((r) => r.id) ?? [],
      reason: load.status === 'ok' ? undefined : load.reason,
      detail: load.detail,
    },
    load,
  };
}

function now(): number {
  return globalThis.performance.now();
}

function layer(ran: boolean, delta: number, note: string): LayerContribution {
  return { ran, delta: round1(delta), note };
}

/**
 * The memgar analyzer: normalizes a text, runs the rule layer, weighs source trust and the agent's
 * behavioural baseline, optionally asks an LLM judge about borderline scores, and returns one
 * decision with the evidence for it.
 *
 * @example
 * const analyzer = new Analyzer({ profile: 'balanced' });
 * const r = await analyzer.analyze({ content: text, sourceType: 'rag', sourceId: url });
 * if (r.decision !== 'allow') …
 */
export class Analyzer {
  readonly #thresholds: Thresholds;
  readonly #failClose: boolean;
  readonly #observers: readonly AnalysisObserver[];
  readonly #maxContent: number;
  readonly #oversize: Exclude<Decision, 'allow' | 'sanitize'>;
  readonly #sanitize: boolean;
  readonly #normalizeOptions: NormalizeOptions;
  readonly #engine: RuleEngine;
  readonly #trust: TrustRegistry;
  readonly #behavior: BehaviorBaseline | undefined;
  readonly #judge: JudgeOptions | undefined;
  /** The learned layer's model and threshold, undefined when the layer is off (or failed to load). */
  #learned: LearnedModel | undefined;
  #learnedThreshold = 1;
  /** Source types the learned layer scores. */
  #learnedSources: ReadonlySet<SourceType> = new Set();
  #learnedError: LayerFailedError | undefined;
  #judgeError: LayerFailedError | undefined;
  readonly #feed: AnalyzerFeedStatus;

  constructor(options: AnalyzerOptions = {}) {
    validateOptions(options);
    const profile = options.profile ?? 'balanced';
    const t = { ...PROFILES[profile], ...stripUndefined(options.thresholds ?? {}) };
    if (!(t.humanReview <= t.quarantine && t.quarantine <= t.block)) {
      throw new InvalidOptionError('thresholds', 'thresholds must satisfy humanReview ≤ quarantine ≤ block');
    }
    this.#thresholds = t;
    this.#failClose = options.failClose ?? envFailClose() ?? false;
    this.#observers = [...(options.observers ?? [])];
    this.#maxContent = options.maxContentLength ?? envMaxContentLength() ?? DEFAULT_MAX_CONTENT;
    this.#oversize = options.oversizeDecision ?? 'quarantine';
    this.#sanitize = options.sanitize ?? true;
    this.#normalizeOptions = options.normalize ?? {};
    const engineOptions = {
      ...(options.customPatterns ? { customPatterns: options.customPatterns } : {}),
      ...(options.disabledRules ? { disabledRules: options.disabledRules } : {}),
    };
    const feed = loadAnalyzerFeed(
      options.feed ?? {},
      (options.customPatterns ?? []).map((c) => c.id),
    );
    let engine: RuleEngine | undefined;
    if (feed.load?.feed !== undefined) {
      const { rules, signals } = feed.load.feed;
      try {
        engine = new RuleEngine({
          ...engineOptions,
          rules: [...BUILTIN_RULES, ...rules],
          signals: [...BUILTIN_SIGNALS, ...signals],
        });
      } catch (cause) {
        // The feed was verified; an engine that still refuses it leaves the bundled rules.
        feed.status = feedRefused(
          'invalid-rule',
          `feed refused by the rule engine: ${String(cause)}; bundled rules only`,
        );
      }
    }
    this.#engine = engine ?? new RuleEngine(engineOptions);
    this.#feed = feed.status;
    this.#trust = new TrustRegistry(options.sourceTypeTrust ?? {}, options.sourceTrust ?? {});
    const b = options.behavior ?? {};
    this.#behavior =
      b.enabled === false
        ? undefined
        : new BehaviorBaseline({
            warmup: b.warmup ?? 50,
            maxAgents: b.maxAgents ?? 1000,
            maxBoost: b.maxBoost ?? 10,
          });
    this.#judge = options.judge;
    const learned = options.learned ?? {
      sourceTypes: DEFAULT_LEARNED_SOURCES,
      threshold: DEFAULT_LEARNED_THRESHOLD,
    };
    if (learned !== false) {
      this.#learnedSources = new Set(learned === true ? SOURCE_TYPES : (learned.sourceTypes ?? SOURCE_TYPES));
      try {
        const model = LearnedModel.load();
        this.#learned = model;
        this.#learnedThreshold = (learned === true ? undefined : learned.threshold) ?? model.meta.threshold;
      } catch (cause) {
        // A model that does not load is a degraded layer (fail-close applies), never a crash.
        this.#learnedError = LayerFailedError.isInstance(cause)
          ? cause
          : new LayerFailedError('learned', `learned model failed to load: ${String(cause)}`, { cause });
      }
    }
  }

  /** The thresholds in force (profile merged with custom ones). */
  get thresholds(): Readonly<Thresholds> {
    return this.#thresholds;
  }

  /** Sets the trust (0..1) of one source id; it overrides the source type's default. */
  registerSourceTrust(sourceId: string, trust: number): void {
    this.#trust.register(sourceId, trust);
  }

  /**
   * Analyzes one entry (a bare string is analyzed as `{ content, sourceType: 'unknown' }`).
   * Throws `InvalidInputError` for input that is not a text entry; never throws for hostile text.
   */
  async analyze(input: MemoryEntry | string): Promise<AnalysisResult> {
    const entry = checkEntry(input);
    const result = await this.#analyze(entry);
    notifyObservers(this.#observers, {
      result,
      sourceType: result.sourceType,
      contentLength: entry.content.length,
      ...(entry.sourceId !== undefined ? { sourceId: entry.sourceId } : {}),
      ...(entry.agentId !== undefined ? { agentId: entry.agentId } : {}),
      ...(entry.tenantId !== undefined ? { tenantId: entry.tenantId } : {}),
    });
    return result;
  }

  async #analyze(entry: MemoryEntry): Promise<AnalysisResult> {
    const t0 = now();
    const sourceType: SourceType = entry.sourceType ?? 'unknown';
    const trust = this.#trust.trustOf(sourceType, entry.sourceId);
    const content = entry.content;

    if (content.trim().length === 0) {
      return this.#result(
        t0,
        'allow',
        0,
        [],
        sourceType,
        trust,
        emptyLayers('empty content'),
        [],
        ['empty content'],
      );
    }
    if (content.length > this.#maxContent) {
      const score =
        this.#oversize === 'block'
          ? this.#thresholds.block
          : this.#oversize === 'quarantine'
            ? this.#thresholds.quarantine
            : this.#thresholds.humanReview;
      const note = `content of ${content.length} characters exceeds maxContentLength ${this.#maxContent}; not analyzed`;
      return this.#result(t0, this.#oversize, score, [], sourceType, trust, emptyLayers(note), [], [note]);
    }

    const ev = this.#evaluate(content, trust, entry.agentId, sourceType);
    let score = ev.score;
    const degraded: string[] = this.#learnedError !== undefined ? ['learned'] : [];
    if (this.#feed.status === 'degraded') degraded.push('feed');
    const extras: string[] = [];

    let judgeLayer = layer(false, 0, this.#judge ? 'score not borderline' : 'no judge configured');
    if (this.#judge !== undefined) {
      const outcome = await consultJudge(this.#judge, entry, { riskScore: score, findings: ev.findings });
      if (outcome.kind === 'ok') {
        this.#judgeError = undefined;
        const judged = Math.max(ev.floor, 0.5 * score + 50 * outcome.probability);
        judgeLayer = layer(
          true,
          judged - score,
          `judge: attack probability ${outcome.probability.toFixed(2)}`,
        );
        score = judged;
      } else if (outcome.kind === 'failed') {
        this.#judgeError = outcome.error;
        degraded.push('judge');
        judgeLayer = layer(false, 0, outcome.error.message);
      }
    }

    let decision: Decision = decisionForScore(score, this.#thresholds);
    let sanitized: string | undefined;
    if (
      this.#sanitize &&
      SANITIZABLE_SOURCES.has(sourceType) &&
      (decision === 'human_review' || decision === 'quarantine')
    ) {
      const ruleFindings = ev.findings.filter((f) => f.layer === 'rules');
      const proposal = proposeSanitized(content, ruleFindings, { maxRemovedFraction: SANITIZE_MAX_REMOVED });
      if (proposal !== undefined) {
        // The rewrite must come back with no finding at all: what is left of an attack often reads
        // as an instruction too, and anything short of clean keeps the stronger decision.
        const again = this.#evaluate(proposal.text, trust, undefined, sourceType);
        const clean = again.findings.length === 0;
        if (clean) {
          decision = 'sanitize';
          sanitized = proposal.text;
          extras.push(`removed ${proposal.removedSpans} sentence${proposal.removedSpans > 1 ? 's' : ''}`);
        }
      }
    }

    if (this.#failClose && degraded.length > 0 && (decision === 'allow' || decision === 'sanitize')) {
      decision = 'quarantine';
      sanitized = undefined;
      extras.push(`fail-close: degraded ${degraded.join(', ')}`);
    }

    if (decision === 'allow' && this.#behavior !== undefined && ev.features !== undefined) {
      this.#behavior.learn(entry.agentId, ev.features);
    }

    const layers: Record<LayerName, LayerContribution> = {
      rules: layer(
        true,
        ev.rulesScore,
        `${ev.findings.filter((f) => f.layer === 'rules').length} finding(s)`,
      ),
      learned: this.#learnedLayer(ev, sourceType),
      trust: layer(
        true,
        ev.trustDelta,
        `trust ${trust.toFixed(2)} (${entry.sourceId !== undefined ? 'source' : sourceType})`,
      ),
      behavior: this.#behaviorLayer(ev.behavior),
      judge: judgeLayer,
    };
    return this.#result(
      t0,
      decision,
      score,
      ev.findings,
      sourceType,
      trust,
      layers,
      degraded,
      extras,
      sanitized,
    );
  }

  /** Analyzes many entries with bounded concurrency; results keep the input order. */
  async analyzeBatch(
    entries: readonly (MemoryEntry | string)[],
    options: AnalyzeBatchOptions = {},
  ): Promise<AnalysisResult[]> {
    if (!Array.isArray(entries))
      throw new InvalidInputError('entries', 'analyzeBatch expects an array of entries');
    const concurrency = options.concurrency ?? 8;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new InvalidOptionError('concurrency', 'concurrency must be an integer ≥ 1');
    }
    const results = new Array<AnalysisResult>(entries.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < entries.length) {
        const i = next++;
        results[i] = await this.analyze(entries[i] as MemoryEntry | string);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker));
    return results;
  }

  /** The rules in force, optionally filtered. */
  listRules(filter: { severity?: Severity; category?: RuleCategory } = {}): RuleInfo[] {
    return this.#engine.list(filter);
  }

  /** The threat feed: whether its rules are in force, its version, and why not when they are not. */
  get feed(): AnalyzerFeedStatus {
    return this.#feed;
  }

  /** Per-subsystem health. `status` is `degraded` when any subsystem is. */
  healthCheck(): HealthReport {
    const subsystems: Record<string, SubsystemHealth> = {
      normalizer: {
        status: 'ok',
        detail: 'NFKC, invisible/bidi removal, homoglyph and leet folding, decoding',
      },
      rules: {
        status: this.#engine.size > 0 ? 'ok' : 'degraded',
        detail: `${this.#engine.size} rules loaded`,
      },
      learned: this.#learnedError
        ? { status: 'degraded', detail: this.#learnedError.message }
        : this.#learned === undefined
          ? { status: 'disabled', detail: 'off (enable with the learned option)' }
          : {
              status: 'ok',
              detail: `model ${this.#learned.version}, threshold ${this.#learnedThreshold}, on for ${[...this.#learnedSources].join(', ')}`,
            },
      trust: { status: 'ok', detail: `${this.#trust.registeredSources} source(s) registered` },
      behavior: this.#behavior
        ? { status: 'ok', detail: `${this.#behavior.size} agent baseline(s)` }
        : { status: 'disabled', detail: 'behavior.enabled is false' },
      judge:
        this.#judge === undefined
          ? { status: 'disabled', detail: 'no judge configured' }
          : this.#judgeError
            ? { status: 'degraded', detail: this.#judgeError.message }
            : { status: 'ok', detail: 'judge configured' },
      feed: { status: this.#feed.status, detail: this.#feed.detail },
    };
    const degraded = Object.values(subsystems).some((s) => s.status === 'degraded');
    return { status: degraded ? 'degraded' : 'ok', failClose: this.#failClose, subsystems };
  }

  #evaluate(content: string, trust: number, agentId: string | undefined, sourceType: SourceType): Evaluation {
    const normalized = normalize(content, this.#normalizeOptions);
    const findings = this.#engine.scan(normalized);
    if (normalized.signals.truncatedDecodes > 0) findings.push(truncatedDecodeFinding(content, normalized));
    const rulesScore = combineWeights(findings);
    let learnedP: number | undefined;
    let learnedDelta = 0;
    if (this.#learned !== undefined && this.#learnedSources.has(sourceType)) {
      learnedP = this.#learned.scoreViews(normalized.views);
      if (learnedP >= this.#learnedThreshold) {
        findings.push(learnedFinding(content, learnedP, this.#learnedThreshold));
        learnedDelta = combineWeights(findings) - rulesScore;
      }
    }
    const evidence = rulesScore + learnedDelta;
    const trusted = applyTrust(evidence, trust, findings);
    const trustDelta = trusted - evidence;
    let behavior: BehaviorAssessment = { active: false, boost: 0, outliers: [], scans: 0 };
    let features: BehaviorFeatures | undefined;
    if (this.#behavior !== undefined && agentId !== undefined) {
      features = extractFeatures(content, trusted);
      behavior = this.#behavior.assess(agentId, features);
      if (behavior.boost > 0) findings.push(behaviorFinding(content, behavior));
    }
    const floor = severityFloor(findings);
    const score = Math.min(100, Math.max(floor, trusted + behavior.boost));
    return { findings, rulesScore, learnedP, learnedDelta, trustDelta, behavior, features, floor, score };
  }

  #learnedLayer(ev: Evaluation, sourceType: SourceType): LayerContribution {
    if (this.#learnedError !== undefined) return layer(false, 0, this.#learnedError.message);
    if (this.#learned === undefined) return layer(false, 0, 'off');
    if (ev.learnedP === undefined) return layer(false, 0, `off for ${sourceType} (learned.sourceTypes)`);
    const note = `${this.#learned.version}: p=${ev.learnedP.toFixed(3)} (threshold ${this.#learnedThreshold})`;
    return layer(true, ev.learnedDelta, note);
  }

  #behaviorLayer(b: BehaviorAssessment): LayerContribution {
    if (this.#behavior === undefined) return layer(false, 0, 'disabled');
    if (!b.active) return layer(false, 0, `warming up (${b.scans} scans)`);
    if (b.boost === 0) return layer(true, 0, 'within this agent’s baseline');
    return layer(
      true,
      b.boost,
      `unusual for this agent: ${b.outliers.map((o) => `${o.feature} z=${o.z}`).join(', ')}`,
    );
  }

  #result(
    t0: number,
    decision: Decision,
    score: number,
    findings: Finding[],
    sourceType: SourceType,
    trust: number,
    layers: Record<LayerName, LayerContribution>,
    degraded: string[],
    extras: string[],
    sanitized?: string,
  ): AnalysisResult {
    const ranked = rankFindings(findings);
    const riskScore = round1(score);
    return {
      decision,
      riskScore,
      findings: ranked,
      layers,
      explanation: explain(decision, riskScore, ranked, sourceType, trust, extras),
      ...(sanitized !== undefined ? { sanitized } : {}),
      degraded,
      sourceType,
      trust,
      durationMs: now() - t0,
    };
  }
}

/** A finding about the whole text (a layer with no span): its evidence is the text's opening. */
function wholeTextFinding(content: string, evidenceChars: number, f: Omit<Finding, 'evidence'>): Finding {
  const end = Math.min(content.length, evidenceChars);
  return { ...f, evidence: { text: content.slice(0, end), start: 0, end, view: 'text' } };
}

/**
 * An encoded segment too large to decode whole: only its prefix was inspected, so whatever it
 * carries past that is unseen. Medium weight — review, not a block — and the evidence is the
 * segment, so the sanitizer can drop it from embedded content.
 */
function truncatedDecodeFinding(content: string, normalized: NormalizedContent): Finding {
  const view = normalized.views.find((v) => v.truncated === true);
  const start = view?.segment?.start ?? 0;
  const end = view?.segment?.end ?? Math.min(content.length, 200);
  return {
    ruleId: 'MG-HID-900',
    title: 'Encoded segment too large to inspect fully',
    category: 'hidden_instruction',
    severity: 'medium',
    weight: 0.45,
    mitre: { atlas: ['AML.T0051.001'], attack: ['T1027'] },
    evidence: { text: content.slice(start, end), start, end, view: view?.kind ?? 'text' },
    layer: 'rules',
  };
}

function behaviorFinding(content: string, b: BehaviorAssessment): Finding {
  return wholeTextFinding(content, 120, {
    ruleId: 'MG-BEHAV-001',
    title: 'Unusual write for this agent',
    category: 'behavioral_anomaly',
    severity: 'low',
    weight: b.boost / 100,
    mitre: { atlas: ['AML.T0080'], attack: [] },
    layer: 'behavior',
  });
}

/**
 * The learned layer's finding: weight grows from 0.4 at the threshold to at most 0.7, medium
 * severity (it sets no floor and lowers none); a model has no span, so the sanitizer never uses it.
 */
function learnedFinding(content: string, p: number, threshold: number): Finding {
  return wholeTextFinding(content, 200, {
    ruleId: 'MG-ML-001',
    title: 'Learned classifier: reads like an injected instruction',
    category: 'instruction_override',
    severity: 'medium',
    weight: Math.min(0.7, 0.4 + 4 * (p - threshold)),
    mitre: { atlas: ['AML.T0051.001', 'AML.T0080'], attack: [] },
    layer: 'learned',
  });
}

function emptyLayers(note: string): Record<LayerName, LayerContribution> {
  const l = layer(false, 0, note);
  return { rules: l, learned: l, trust: l, behavior: l, judge: l };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function checkEntry(input: unknown): MemoryEntry {
  if (typeof input === 'string') return { content: input };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidInputError('entry', `expected a MemoryEntry object or a string, got ${describe(input)}`);
  }
  const e = input as Record<string, unknown>;
  if (typeof e.content !== 'string') {
    throw new InvalidInputError('content', `content must be a string, got ${describe(e.content)}`);
  }
  if (
    e.sourceType !== undefined &&
    !(typeof e.sourceType === 'string' && SOURCE_TYPE_SET.has(e.sourceType))
  ) {
    throw new InvalidInputError(
      'sourceType',
      `sourceType must be one of ${SOURCE_TYPES.join(', ')}; got ${describe(e.sourceType)}`,
    );
  }
  for (const key of ['sourceId', 'agentId', 'tenantId'] as const) {
    if (e[key] !== undefined && typeof e[key] !== 'string') {
      throw new InvalidInputError(key, `${key} must be a string, got ${describe(e[key])}`);
    }
  }
  return e as unknown as MemoryEntry;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return typeof v;
}
