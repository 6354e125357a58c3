import { Analyzer } from '../analyzer/analyzer.js';
import type { AnalysisResult, Decision, Finding, SourceType } from '../analyzer/types.js';
import { SOURCE_TYPES } from '../analyzer/types.js';
import type { DlpFinding, DlpPolicy } from '../dlp/index.js';
import { InvalidInputError, InvalidOptionError, MemgarError } from '../errors/index.js';
import { type Boundary, DECISION_RANK, PolicyEngine, type PolicyVerdict } from '../policy/index.js';
import { ALLOWED_DECISIONS } from './allowed.js';
import type { AnalyzerLike } from './analyzer-like.js';
import type { AuditSink } from './audit.js';
import { type AuditContentMode, type AuditInput, AuditRecorder } from './audit-recorder.js';
import { dlpStep } from './dlp-step.js';
import { type FieldEdit, type JsonStringField, rebuildJson, snapshotJson } from './json-snapshot.js';
import { mapPool } from './pool.js';
import {
  type GuardRetrievalOptions,
  type RetrievalChunk,
  RetrievalGuard,
  type RetrievalGuardOptions,
  type RetrievalVerdict,
} from './retrieval-guard.js';

/** Bounds and behaviour for structured tool output. */
export interface ToolResultOptions {
  /** Deepest nesting of objects and arrays; deeper output fails closed. @default 32 */
  maxDepth?: number;
  /** Most values (objects, arrays, primitives) in one output; more fails closed. @default 10_000 */
  maxNodes?: number;
  /** Most strings (keys and values) in one output; more fails closed. @default 2_000 */
  maxStrings?: number;
  /** Most characters over all strings in one output; more fails closed. @default 1_000_000 */
  maxTotalChars?: number;
  /**
   * Instead of holding back the whole output when some fields are `human_review` or
   * `quarantine`, replace those values by `placeholder` (and remove properties whose key is
   * unsafe) and let the rest through as `sanitize`. A `block` on any field still blocks the whole
   * output.
   * @default false
   */
  dropUnsafeFields?: boolean;
  /** What a dropped value is replaced by. @default '[removed by memgar]' */
  placeholder?: string;
  /** Distinct strings analyzed at once (matters when the analyzer has an LLM judge). @default 8 */
  concurrency?: number;
}

export interface MemoryRuntimeEnforcerOptions {
  /** @default new Analyzer() */
  analyzer?: AnalyzerLike;
  /** @default new PolicyEngine() — the analyzer's decision, with the critical-finding safety floor */
  policy?: PolicyEngine;
  /** Receives an event for every decision other than a plain `allow` (and for those too with `auditAllowed`). @default none */
  audit?: AuditSink;
  /** Also record texts allowed unchanged. @default false */
  auditAllowed?: boolean;
  /** Raw content in audit events: `never`, only for `allowed` text, or `always`. @default 'never' */
  auditContent?: AuditContentMode;
  /** Called when the audit sink throws or rejects; the decision is unaffected. @default ignore */
  onAuditError?: (error: unknown) => void;
  /** Applied to text the policy lets through, at every boundary. @default none */
  dlp?: DlpPolicy;
  /** Options of the retrieval guard (ranking formula, low-trust cap, signals). @default the guard's defaults */
  retrieval?: Omit<
    RetrievalGuardOptions,
    'analyzer' | 'policy' | 'audit' | 'auditAllowed' | 'auditContent' | 'onAuditError' | 'dlp'
  >;
  /** @default the defaults of each `ToolResultOptions` field */
  toolResult?: ToolResultOptions;
}

/** Where a memory write comes from. */
export interface MemoryWriteContext {
  /** Where the text came from before the agent wrote it. @default 'memory' */
  sourceType?: SourceType;
  /** @default none */
  sourceId?: string;
  /** @default none */
  agentId?: string;
  /** @default none */
  tenantId?: string;
}

/** Where a tool result comes from. */
export interface ToolResultContext {
  /** @default 'tool' */
  sourceType?: SourceType;
  /** @default the tool's name */
  sourceId?: string;
  /** @default none */
  agentId?: string;
  /** @default none */
  tenantId?: string;
}

/** The decision on one text at a boundary. */
export interface BoundaryVerdict {
  /** The text (or `safeContent`) may be used: the decision is allow or sanitize. */
  allowed: boolean;
  decision: Decision;
  /** What to store or show: the text, or its sanitized/redacted rewrite. Undefined unless allowed. */
  safeContent: string | undefined;
  /** One line: why. */
  reason: string;
  /** The rule that made the decision (policy rule id, `dlp:*`, `enforcer:*`, `tool-result:*`). */
  rule: string;
  /** 0..100; 0 when the text could not be analyzed. */
  riskScore: number;
  findings: Finding[];
  /** DLP findings acted on. */
  dlp: DlpFinding[];
  /** Ids of the audit events recorded for this decision. */
  auditIds: string[];
}

export interface MemoryWriteVerdict extends BoundaryVerdict {
  /** The analyzer's result; undefined when the analysis failed (the verdict then fails closed). */
  analysis: AnalysisResult | undefined;
}

/** A finding in a tool's output, with where it is. */
export interface ToolFinding extends Finding {
  /** JSON path of the field, e.g. `$.results[2].body` (`$` for a string output). */
  path: string;
  /** Whether the text was the field's value or its key. */
  kind: 'key' | 'value';
}

/** The decision on one field of a tool's output (only fields with a finding, a DLP hit or a decision other than allow are listed). */
export interface ToolFieldVerdict {
  path: string;
  kind: 'key' | 'value';
  decision: Decision;
  rule: string;
  reason: string;
  riskScore: number;
  findings: Finding[];
  dlp: DlpFinding[];
}

export interface ToolResultVerdict extends Omit<BoundaryVerdict, 'findings'> {
  toolName: string;
  /** A safe copy of the output (sanitized and redacted fields); undefined unless allowed. For a string output, `safeContent`. */
  safeOutput: unknown;
  fields: ToolFieldVerdict[];
  findings: ToolFinding[];
}

const SOURCE_SET: ReadonlySet<string> = new Set(SOURCE_TYPES);
const ENFORCER_OPTIONS = new Set([
  'analyzer',
  'policy',
  'audit',
  'auditAllowed',
  'auditContent',
  'onAuditError',
  'dlp',
  'retrieval',
  'toolResult',
]);
const TOOL_RESULT_OPTIONS = new Set([
  'maxDepth',
  'maxNodes',
  'maxStrings',
  'maxTotalChars',
  'dropUnsafeFields',
  'placeholder',
  'concurrency',
]);
const DEFAULT_PLACEHOLDER = '[removed by memgar]';

interface FieldOutcome {
  decision: Decision;
  rule: string;
  reason: string;
  riskScore: number;
  findings: Finding[];
  dlp: DlpFinding[];
  /** The text to use when allowed. */
  text: string | undefined;
}

/**
 * The memory boundary: every memory write, retrieval and tool result gets a decision before it
 * reaches memory or the model. Each text is analyzed, decided by the policy at its boundary,
 * passed through DLP when allowed, and recorded in the audit sink.
 *
 * @example
 * const enforcer = new MemoryRuntimeEnforcer({ policy: new PolicyEngine({ profile: 'strict' }), audit: new InMemoryAuditSink() });
 * const w = await enforcer.onMemoryWrite(text, { sourceType: 'email', agentId: 'support-bot' });
 * if (w.allowed) await store.add(w.safeContent);
 */
export class MemoryRuntimeEnforcer {
  readonly #analyzer: AnalyzerLike;
  readonly #policy: PolicyEngine;
  readonly #audit: AuditRecorder;
  readonly #dlp: DlpPolicy | undefined;
  readonly #guard: RetrievalGuard;
  readonly #tool: Required<ToolResultOptions>;

  constructor(options: MemoryRuntimeEnforcerOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionError('options', 'MemoryRuntimeEnforcer options must be an object');
    }
    checkKeys(options, ENFORCER_OPTIONS, '');
    if (options.toolResult !== undefined) checkKeys(options.toolResult, TOOL_RESULT_OPTIONS, 'toolResult.');
    this.#analyzer = options.analyzer ?? new Analyzer();
    if (typeof this.#analyzer.analyze !== 'function') {
      throw new InvalidOptionError('analyzer', 'analyzer must have an analyze(entry) method');
    }
    this.#policy = options.policy ?? new PolicyEngine();
    // Duck-typed rather than instanceof: two copies of the package in one process must work together.
    if (typeof (this.#policy as { decide?: unknown }).decide !== 'function') {
      throw new InvalidOptionError('policy', 'policy must be a PolicyEngine (an object with decide())');
    }
    this.#dlp = options.dlp;
    const audit = {
      ...(options.audit !== undefined ? { audit: options.audit } : {}),
      auditAllowed: options.auditAllowed ?? false,
      auditContent: options.auditContent ?? 'never',
      ...(options.onAuditError !== undefined ? { onAuditError: options.onAuditError } : {}),
    };
    if (!['never', 'allowed', 'always'].includes(audit.auditContent)) {
      throw new InvalidOptionError('auditContent', 'auditContent must be never, allowed or always');
    }
    this.#audit = new AuditRecorder({
      sink: options.audit,
      recordAllowed: audit.auditAllowed,
      content: audit.auditContent,
      onError: options.onAuditError,
    });
    this.#guard = new RetrievalGuard({
      ...options.retrieval,
      analyzer: this.#analyzer,
      policy: this.#policy,
      ...audit,
      ...(options.dlp !== undefined ? { dlp: options.dlp } : {}),
    });
    const t = options.toolResult ?? {};
    this.#tool = {
      maxDepth: positiveInt('toolResult.maxDepth', t.maxDepth, 32),
      maxNodes: positiveInt('toolResult.maxNodes', t.maxNodes, 10_000),
      maxStrings: positiveInt('toolResult.maxStrings', t.maxStrings, 2_000),
      maxTotalChars: positiveInt('toolResult.maxTotalChars', t.maxTotalChars, 1_000_000),
      dropUnsafeFields: t.dropUnsafeFields ?? false,
      placeholder: t.placeholder ?? DEFAULT_PLACEHOLDER,
      concurrency: positiveInt('toolResult.concurrency', t.concurrency, 8),
    };
    if (typeof this.#tool.placeholder !== 'string') {
      throw new InvalidOptionError('toolResult.placeholder', 'placeholder must be a string');
    }
  }

  /**
   * Decides whether `content` may be written to memory. Throws `InvalidInputError` when content
   * is not a string or the context is malformed; an analysis that fails quarantines the write.
   */
  async onMemoryWrite(content: string, ctx: MemoryWriteContext = {}): Promise<MemoryWriteVerdict> {
    if (typeof content !== 'string') {
      throw new InvalidInputError('content', `onMemoryWrite expects a string, got ${describe(content)}`);
    }
    const c = checkContext(ctx, 'memory');
    let analysis: AnalysisResult | undefined;
    let outcome: FieldOutcome;
    try {
      analysis = await this.#analyzer.analyze({ content, ...c });
      outcome = this.#decide(analysis, content, 'memory_write', c.sourceType, c.sourceId);
    } catch (error) {
      // Input was checked above: whatever fails now (a custom analyzer, a judge) fails closed.
      analysis = undefined;
      outcome = failed(error);
    }
    const auditId = this.#audit.record(
      {
        boundary: 'memory_write',
        decision: outcome.decision,
        reason: outcome.reason,
        rule: outcome.rule,
        ruleIds: ruleIds(outcome),
        ...(analysis !== undefined ? { riskScore: outcome.riskScore } : {}),
        ...auditContext(c),
      },
      content,
    );
    return { ...verdict(outcome, auditId), analysis };
  }

  /**
   * Guards retrieved chunks: filters what the policy or the retrieval signals do not allow,
   * re-ranks the rest by relevance, trust and risk, and explains every filtered chunk in the
   * audit sink. See `RetrievalGuard.guard`.
   */
  async onRetrieval(
    chunks: readonly (RetrievalChunk | string)[],
    options: GuardRetrievalOptions = {},
  ): Promise<RetrievalVerdict> {
    return this.#guard.guard(chunks, options);
  }

  /**
   * Decides whether a tool's output may reach the model. A string is analyzed as one text; an
   * object or array is scanned field by field (values and keys, at any depth), each finding with
   * the JSON path of its field, and a safe copy is built with sanitized and redacted fields.
   * Cycles, output over the limits and output whose properties throw fail closed (`quarantine`).
   * Throws `InvalidInputError` only for a missing tool name or a malformed context.
   */
  async onToolResult(
    toolName: string,
    output: unknown,
    ctx: ToolResultContext = {},
  ): Promise<ToolResultVerdict> {
    if (typeof toolName !== 'string' || toolName.length === 0) {
      throw new InvalidInputError(
        'toolName',
        `toolName must be a non-empty string, got ${describe(toolName)}`,
      );
    }
    const c = checkContext(ctx, 'tool');
    const sourceId = c.sourceId ?? toolName;
    const ctxFull = { ...c, sourceId };
    const base = { boundary: 'tool_result' as const, toolName, ...auditContext(ctxFull) };

    const snap = snapshotJson(output, this.#tool);
    if (!snap.ok) {
      const reason = `tool output at ${snap.path}: ${snap.detail}; quarantined (fail-closed)`;
      const rule = `tool-result:${snap.problem.replace(/_/g, '-')}`;
      const auditId = this.#audit.record(
        { ...base, decision: 'quarantine', reason, rule, ruleIds: [rule], path: snap.path },
        '',
      );
      return {
        toolName,
        allowed: false,
        decision: 'quarantine',
        safeContent: undefined,
        safeOutput: undefined,
        reason,
        rule,
        riskScore: 0,
        findings: [],
        dlp: [],
        fields: [],
        auditIds: auditId === undefined ? [] : [auditId],
      };
    }

    // Analyze each distinct string once.
    const cache = new Map<string, Promise<FieldOutcome>>();
    const outcomeOf = (text: string): Promise<FieldOutcome> => {
      let p = cache.get(text);
      if (p === undefined) {
        p = this.#analyzer
          .analyze({ content: text, ...ctxFull })
          .then((a) => this.#decide(a, text, 'tool_result', ctxFull.sourceType, sourceId))
          .catch((error: unknown) => failed(error));
        cache.set(text, p);
      }
      return p;
    };
    const fields = snap.fields;
    const outcomes = await mapPool(fields, this.#tool.concurrency, (f) => outcomeOf(f.value));

    const fieldVerdicts: ToolFieldVerdict[] = [];
    const findings: ToolFinding[] = [];
    const dlp: DlpFinding[] = [];
    const valueEdits = new Map<string, FieldEdit>();
    const droppedKeys = new Set<string>();
    let strongest: { f: JsonStringField; o: FieldOutcome } | undefined;
    const auditIds: string[] = [];
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      let o = outcomes[i]!;
      if (f.kind === 'key' && o.decision === 'sanitize') {
        // A key cannot be rewritten: an instruction in a key is held back with its property.
        o = {
          ...o,
          decision: 'quarantine',
          rule: 'tool-result:unsafe-key',
          reason: `unsafe object key (${o.reason})`,
          text: undefined,
        };
      }
      for (const x of o.findings) findings.push({ ...x, path: f.path, kind: f.kind });
      dlp.push(...o.dlp);
      if (o.decision !== 'allow' || o.findings.length > 0 || o.dlp.length > 0) {
        fieldVerdicts.push({
          path: f.path,
          kind: f.kind,
          decision: o.decision,
          rule: o.rule,
          reason: o.reason,
          riskScore: o.riskScore,
          findings: o.findings,
          dlp: o.dlp,
        });
      }
      if (o.decision === 'sanitize' && f.kind === 'value' && o.text !== undefined) {
        valueEdits.set(f.path, { replacement: o.text });
      }
      if (strongest === undefined || DECISION_RANK[o.decision] > DECISION_RANK[strongest.o.decision])
        strongest = { f, o };
      if (o.decision !== 'allow') {
        const id = this.#audit.record(
          {
            ...base,
            decision: o.decision,
            reason: o.reason,
            rule: o.rule,
            ruleIds: ruleIds(o),
            riskScore: o.riskScore,
            path: f.path,
          },
          f.value,
        );
        if (id !== undefined) auditIds.push(id);
      }
    }

    let decision: Decision = strongest?.o.decision ?? 'allow';
    let rule = strongest?.o.rule ?? 'tool-result:no-text';
    let reason =
      strongest === undefined
        ? 'no text in the output'
        : typeof output === 'string'
          ? strongest.o.reason
          : `${strongest.f.path}${strongest.f.kind === 'key' ? ' (key)' : ''}: ${strongest.o.reason}`;
    const riskScore = outcomes.reduce((m, o) => Math.max(m, o.riskScore), 0);

    if (
      !ALLOWED_DECISIONS.has(decision) &&
      this.#tool.dropUnsafeFields &&
      decision !== 'block' &&
      typeof output !== 'string'
    ) {
      const dropped: string[] = [];
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i]!;
        if (
          ALLOWED_DECISIONS.has(outcomes[i]!.decision) &&
          !(f.kind === 'key' && outcomes[i]!.decision === 'sanitize')
        )
          continue;
        if (f.kind === 'key') droppedKeys.add(f.path);
        else valueEdits.set(f.path, { replacement: undefined });
        dropped.push(f.path);
      }
      reason = `dropped ${dropped.length} unsafe field(s) (${dropped.slice(0, 5).join(', ')}${dropped.length > 5 ? ', …' : ''}): ${reason}`;
      decision = 'sanitize';
      rule = 'tool-result:unsafe-fields-dropped';
    }

    const allowed = ALLOWED_DECISIONS.has(decision);
    let safeOutput: unknown;
    let safeContent: string | undefined;
    if (allowed) {
      if (typeof output === 'string') {
        safeContent = valueEdits.get('$')?.replacement ?? strongest?.o.text ?? output;
        safeOutput = safeContent;
      } else {
        safeOutput = rebuildJson(snap.value, valueEdits, droppedKeys, this.#tool.placeholder);
        safeContent = serialize(safeOutput);
      }
    }
    if (auditIds.length === 0 || (decision === 'sanitize' && rule === 'tool-result:unsafe-fields-dropped')) {
      const id = this.#audit.record(
        { ...base, decision, reason, rule, ruleIds: [...new Set(findings.map((f) => f.ruleId))], riskScore },
        typeof output === 'string' ? output : (serialize(snap.value) ?? ''),
      );
      if (id !== undefined) auditIds.push(id);
    }
    return {
      toolName,
      allowed,
      decision,
      safeContent,
      safeOutput,
      reason,
      rule,
      riskScore,
      findings,
      dlp,
      fields: fieldVerdicts,
      auditIds,
    };
  }

  /** Policy, then DLP on allowed text. */
  #decide(
    analysis: AnalysisResult,
    content: string,
    boundary: Boundary,
    sourceType: SourceType,
    sourceId: string | undefined,
  ): FieldOutcome {
    const p: PolicyVerdict = this.#policy.decide({
      analysis,
      boundary,
      sourceType,
      ...(sourceId !== undefined ? { sourceId } : {}),
    });
    const o: FieldOutcome = {
      decision: p.decision,
      rule: p.rule,
      reason: p.reason,
      riskScore: analysis.riskScore,
      findings: analysis.findings,
      dlp: [],
      text: ALLOWED_DECISIONS.has(p.decision)
        ? p.decision === 'sanitize'
          ? p.sanitized
          : content
        : undefined,
    };
    if (this.#dlp !== undefined && o.text !== undefined) {
      const d = dlpStep(this.#dlp, o.text);
      o.dlp = d.findings;
      if (d.decision !== undefined) {
        if (DECISION_RANK[d.decision] > DECISION_RANK[o.decision]) {
          o.decision = d.decision;
          o.rule = d.rule;
          o.reason = `${d.reason}; ${o.reason}`;
        } else {
          o.reason = `${o.reason}; ${d.reason}`;
        }
        o.text = d.text;
      }
    }
    return o;
  }
}

function failed(error: unknown): FieldOutcome {
  const message = MemgarError.isInstance(error)
    ? `${error.code}: ${error.message}`
    : error instanceof Error
      ? error.message
      : String(error);
  return {
    decision: 'quarantine',
    rule: 'enforcer:analysis-failed',
    reason: `analysis failed (${message}); quarantined (fail-closed)`,
    riskScore: 0,
    findings: [],
    dlp: [],
    text: undefined,
  };
}

function verdict(o: FieldOutcome, auditId: string | undefined): BoundaryVerdict {
  const allowed = ALLOWED_DECISIONS.has(o.decision);
  return {
    allowed,
    decision: o.decision,
    safeContent: allowed ? o.text : undefined,
    reason: o.reason,
    rule: o.rule,
    riskScore: o.riskScore,
    findings: o.findings,
    dlp: o.dlp,
    auditIds: auditId === undefined ? [] : [auditId],
  };
}

function ruleIds(o: FieldOutcome): string[] {
  return [...new Set([...o.findings.map((f) => f.ruleId), ...o.dlp.map((d) => `dlp:${d.type}`)])];
}

interface CheckedContext {
  sourceType: SourceType;
  sourceId?: string;
  agentId?: string;
  tenantId?: string;
}

function checkContext(ctx: unknown, dflt: SourceType): CheckedContext {
  if (typeof ctx !== 'object' || ctx === null || Array.isArray(ctx)) {
    throw new InvalidInputError('context', `the context must be an object, got ${describe(ctx)}`);
  }
  const c = ctx as Record<string, unknown>;
  if (c.sourceType !== undefined && !(typeof c.sourceType === 'string' && SOURCE_SET.has(c.sourceType))) {
    throw new InvalidInputError(
      'sourceType',
      `sourceType must be one of ${SOURCE_TYPES.join(', ')}, got ${describe(c.sourceType)}`,
    );
  }
  const out: CheckedContext = { sourceType: (c.sourceType as SourceType | undefined) ?? dflt };
  for (const k of ['sourceId', 'agentId', 'tenantId'] as const) {
    const v = c[k];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new InvalidInputError(k, `${k} must be a string, got ${describe(v)}`);
    out[k] = v;
  }
  return out;
}

function auditContext(
  c: CheckedContext,
): Pick<AuditInput, 'sourceType' | 'sourceId' | 'agentId' | 'tenantId'> {
  return {
    sourceType: c.sourceType,
    ...(c.sourceId !== undefined ? { sourceId: c.sourceId } : {}),
    ...(c.agentId !== undefined ? { agentId: c.agentId } : {}),
    ...(c.tenantId !== undefined ? { tenantId: c.tenantId } : {}),
  };
}

function serialize(v: unknown): string | undefined {
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

function checkKeys(o: object, known: ReadonlySet<string>, prefix: string): void {
  if (typeof o !== 'object' || o === null)
    throw new InvalidOptionError(prefix || 'options', 'must be an object');
  for (const k of Object.keys(o)) {
    if (!known.has(k)) throw new InvalidOptionError(`${prefix}${k}`, `${prefix}${k}: unknown option`);
  }
}

function positiveInt(option: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new InvalidOptionError(option, `${option} must be an integer ≥ 1, got ${String(v)}`);
  }
  return v;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return typeof v;
}
