import { Analyzer } from '../analyzer/analyzer.js';
import type { AnalysisResult, Decision, Finding, SourceType } from '../analyzer/types.js';
import { SOURCE_TYPES } from '../analyzer/types.js';
import type { DlpFinding, DlpPolicy } from '../dlp/index.js';
import { InvalidInputError, InvalidOptionError, MemgarError } from '../errors/index.js';
import { DECISION_RANK, PolicyEngine } from '../policy/index.js';
import { ALLOWED_DECISIONS } from './allowed.js';
import type { AnalyzerLike } from './analyzer-like.js';
import type { AuditSink } from './audit.js';
import { type AuditContentMode, AuditRecorder } from './audit-recorder.js';
import { sha256Hex } from './content-hash.js';
import { dlpStep } from './dlp-step.js';
import { minHashOfTokens, nearDuplicateClusters } from './near-duplicates.js';
import { mapPool } from './pool.js';
import { mirroringOfTokens, queryTokens } from './query-mirroring.js';
import { tokenHashes } from './text-tokens.js';

/** One retrieved chunk, as a vector store or retriever returns it. */
export interface RetrievalChunk {
  /** The chunk's text. */
  content: string;
  /** The chunk's id in the store. @default none */
  id?: string;
  /**
   * The retriever's relevance score. When every chunk has one and all lie in 0..1 they are used
   * as they are; otherwise they are min–max scaled to 0..1; when any chunk lacks one, relevance
   * comes from the input order (first = 1, then 1 − i/n).
   * @default none
   */
  score?: number;
  /** Where the chunk comes from. @default 'rag' */
  sourceType?: SourceType;
  /** The chunk's source (a URL, a document id); keys per-source trust and the policy's source rules. @default none */
  sourceId?: string;
  /** Trust (0..1) for this chunk, overriding the analyzer's source trust. @default the analyzer's trust */
  trust?: number;
}

/** Coordinated poisoning: several near-duplicate chunks from low-trust sources asserting the same thing. */
export interface NearDuplicateSignalOptions {
  /** @default true */
  enabled?: boolean;
  /** Estimated Jaccard similarity (word 3-shingles, MinHash) from which two chunks are near-duplicates. @default 0.5 */
  threshold?: number;
  /** Low-trust near-duplicates needed to raise the signal. @default 3 */
  minClusterSize?: number;
  /** Decision for the cluster's members (all but one when `keepOne`). @default 'quarantine' */
  decision?: Extract<Decision, 'human_review' | 'quarantine' | 'block'>;
  /** Keep the best-ranked member (with `riskPenalty`) so a repeated benign passage still reaches the model once. @default true */
  keepOne?: boolean;
  /** Risk points added to the kept member before ranking. @default 20 */
  riskPenalty?: number;
}

/** Misinformation-style RAG poisoning: a chunk crafted to mirror the query, carrying an assertive or instructional payload. */
export interface QueryMirroringSignalOptions {
  /** @default true */
  enabled?: boolean;
  /** Share of the query's content words the chunk must contain. @default 0.8 */
  minCoverage?: number;
  /** Longest verbatim run of query words, as a share of the query. @default 0.5 */
  minRun?: number;
  /** Queries with fewer distinct content words are not checked. @default 3 */
  minQueryTerms?: number;
  /** Decision for a mirroring chunk with a payload. @default 'quarantine' */
  decision?: Extract<Decision, 'human_review' | 'quarantine' | 'block'>;
}

export interface RetrievalGuardOptions {
  /** @default new Analyzer() */
  analyzer?: AnalyzerLike;
  /** Decides each chunk at the `retrieval` boundary. @default new PolicyEngine() (the analyzer's decision, with the safety floor) */
  policy?: PolicyEngine;
  /** Every filtered chunk is recorded here with the reason. @default none */
  audit?: AuditSink;
  /** Also record chunks that were allowed unchanged. @default false */
  auditAllowed?: boolean;
  /** Raw content in audit events: never, only for allowed text, or always. @default 'never' */
  auditContent?: AuditContentMode;
  /** Called when the audit sink throws or rejects (the decision is unaffected). @default ignore */
  onAuditError?: (error: unknown) => void;
  /** Runs on chunks the policy allows: `block` findings filter the chunk, `redact` findings sanitize it. @default none */
  dlp?: DlpPolicy;
  /** α in the ranking formula: how much trust weighs. 0 ignores trust. @default 0.5 */
  trustWeight?: number;
  /** β in the ranking formula: how much risk weighs. 0 ignores risk. @default 1 */
  riskWeight?: number;
  /** Chunks with trust below this are low-trust (the default trust of rag, tool, web, email, api and unknown sources). @default 0.5 */
  lowTrustThreshold?: number;
  /** At most this many low-trust chunks enter the context; the rest are filtered. @default Infinity */
  maxLowTrustChunks?: number;
  /** More chunks than this in one call throw `InvalidInputError`. @default 1000 */
  maxChunks?: number;
  /** Analyses in flight at once (matters when the analyzer has an LLM judge). @default 8 */
  concurrency?: number;
  /** @default enabled with its defaults */
  nearDuplicates?: NearDuplicateSignalOptions | false;
  /** @default enabled with its defaults */
  queryMirroring?: QueryMirroringSignalOptions | false;
}

/** Options of one `guard` call. */
export interface GuardRetrievalOptions {
  /** The query the chunks were retrieved for; needed for the query-mirroring signal. @default none */
  query?: string;
  /** At most this many chunks are included, best first. @default every allowed chunk */
  topK?: number;
  /** Passed to the analyzer (behavioural baseline) and the audit. @default none */
  agentId?: string;
  /** @default none */
  tenantId?: string;
}

/** A retrieval-time signal on a chunk. */
export interface RetrievalSignal {
  kind: 'near_duplicate_cluster' | 'query_mirroring';
  /** `retrieval:near-duplicate` or `retrieval:query-mirroring`. */
  rule: string;
  /** One line a human can read. */
  detail: string;
  /** For clusters: the indexes of the other members. */
  related?: number[];
  /** For clusters: the highest estimated Jaccard similarity in the cluster. */
  similarity?: number;
  /** For query mirroring: coverage of the query's content words and longest verbatim run (0..1). */
  coverage?: number;
  run?: number;
  /** For query mirroring: the assertive or instructional wording. */
  payload?: string;
}

/** The guard's verdict on one chunk. */
export interface ChunkVerdict {
  /** Position in the input. */
  index: number;
  id: string | undefined;
  /** The chunk may be used: its decision is allow or sanitize and no signal or cap filtered it. */
  allowed: boolean;
  /** Allowed and within `topK`: the chunk is in `RetrievalVerdict.chunks`. */
  included: boolean;
  decision: Decision;
  /** The text to put in the context: the original, or the sanitized rewrite; undefined when not allowed. */
  safeContent: string | undefined;
  reason: string;
  /** The rule behind the verdict (policy rule, `retrieval:*` signal or cap, `dlp:*`). */
  rule: string;
  /** The analyzer's risk score plus signal penalties (0..100). */
  riskScore: number;
  trust: number;
  /** Relevance after normalization (0..1). */
  relevance: number;
  /** relevance × trust^α × (1 − risk/100)^β; 0 when not allowed. */
  score: number;
  signals: RetrievalSignal[];
  findings: Finding[];
  /** DLP findings acted on (redacted or blocking). */
  dlp: DlpFinding[];
  sourceType: SourceType;
  sourceId: string | undefined;
  /** The audit event id, when one was recorded. */
  auditId?: string;
}

export interface RetrievalVerdict {
  /** The chunks to use, best first, at most `topK`. */
  chunks: ChunkVerdict[];
  /** Every chunk's verdict, in input order. */
  verdicts: ChunkVerdict[];
  /** The chunks that were not allowed, in input order. */
  filtered: ChunkVerdict[];
}

const SOURCE_SET: ReadonlySet<string> = new Set(SOURCE_TYPES);
const SIGNAL_DECISIONS = new Set(['human_review', 'quarantine', 'block']);
const GUARD_OPTIONS = new Set([
  'analyzer',
  'policy',
  'audit',
  'auditAllowed',
  'auditContent',
  'onAuditError',
  'dlp',
  'trustWeight',
  'riskWeight',
  'lowTrustThreshold',
  'maxLowTrustChunks',
  'maxChunks',
  'concurrency',
  'nearDuplicates',
  'queryMirroring',
]);

interface Work {
  v: ChunkVerdict;
  content: string | undefined;
  analysis: AnalysisResult | undefined;
  penalty: number;
  /** Token hashes of the content, computed once for both signals. */
  tokens?: Uint32Array;
}

function tokensOf(w: Work): Uint32Array {
  if (w.tokens === undefined) w.tokens = tokenHashes(w.content ?? '');
  return w.tokens;
}

/**
 * Guards what a retriever returns before it reaches the model: each chunk is analyzed and
 * decided at the `retrieval` boundary; quarantined, blocked and held chunks are filtered; the
 * rest is re-ranked by
 *
 *     score = relevance × trust^α × (1 − risk/100)^β        (α = trustWeight, β = riskWeight)
 *
 * and capped (`topK`, `maxLowTrustChunks`). Two signals see what one text alone cannot:
 * near-duplicate chunks from low-trust sources (coordinated poisoning) and a chunk that mirrors
 * the query and carries an assertive or instructional payload. Every filtered chunk is
 * explained in the audit sink. Cost: one analysis per chunk plus O(n² × 64) for the
 * near-duplicate comparison and O(query × chunk words) for mirroring.
 */
export class RetrievalGuard {
  readonly #analyzer: AnalyzerLike;
  readonly #policy: PolicyEngine;
  readonly #audit: AuditRecorder;
  readonly #dlp: DlpPolicy | undefined;
  readonly #alpha: number;
  readonly #beta: number;
  readonly #lowTrust: number;
  readonly #maxLowTrust: number;
  readonly #maxChunks: number;
  readonly #concurrency: number;
  readonly #nd: Required<NearDuplicateSignalOptions> | undefined;
  readonly #qm: Required<QueryMirroringSignalOptions> | undefined;

  constructor(options: RetrievalGuardOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionError('options', 'RetrievalGuard options must be an object');
    }
    for (const k of Object.keys(options)) {
      if (!GUARD_OPTIONS.has(k)) throw new InvalidOptionError(k, `${k}: unknown option`);
    }
    this.#analyzer = options.analyzer ?? new Analyzer();
    this.#policy = options.policy ?? new PolicyEngine();
    this.#audit = new AuditRecorder({
      sink: options.audit,
      recordAllowed: options.auditAllowed ?? false,
      content: options.auditContent ?? 'never',
      onError: options.onAuditError,
    });
    this.#dlp = options.dlp;
    this.#alpha = nonNegative('trustWeight', options.trustWeight, 0.5);
    this.#beta = nonNegative('riskWeight', options.riskWeight, 1);
    this.#lowTrust = unit('lowTrustThreshold', options.lowTrustThreshold, 0.5);
    this.#maxLowTrust = count('maxLowTrustChunks', options.maxLowTrustChunks, Number.POSITIVE_INFINITY);
    this.#maxChunks = count('maxChunks', options.maxChunks, 1000);
    this.#concurrency = count('concurrency', options.concurrency, 8);
    if (this.#concurrency < 1) throw new InvalidOptionError('concurrency', 'concurrency must be at least 1');
    const nd = options.nearDuplicates;
    if (nd !== false && nd?.enabled !== false) {
      this.#nd = {
        enabled: true,
        threshold: unit('nearDuplicates.threshold', nd?.threshold, 0.5),
        minClusterSize: count('nearDuplicates.minClusterSize', nd?.minClusterSize, 3),
        decision: signalDecision('nearDuplicates.decision', nd?.decision),
        keepOne: nd?.keepOne ?? true,
        riskPenalty: nonNegative('nearDuplicates.riskPenalty', nd?.riskPenalty, 20),
      };
      if (this.#nd.minClusterSize < 2) {
        throw new InvalidOptionError('nearDuplicates.minClusterSize', 'minClusterSize must be at least 2');
      }
    }
    const qm = options.queryMirroring;
    if (qm !== false && qm?.enabled !== false) {
      this.#qm = {
        enabled: true,
        minCoverage: unit('queryMirroring.minCoverage', qm?.minCoverage, 0.8),
        minRun: unit('queryMirroring.minRun', qm?.minRun, 0.5),
        minQueryTerms: count('queryMirroring.minQueryTerms', qm?.minQueryTerms, 3),
        decision: signalDecision('queryMirroring.decision', qm?.decision),
      };
    }
  }

  /**
   * Guards one retrieval. Throws `InvalidInputError` when `chunks` is not an array (or has more
   * than `maxChunks`) or the options are malformed; a malformed chunk is filtered (fail-closed),
   * not thrown.
   */
  async guard(
    chunks: readonly (RetrievalChunk | string)[],
    options: GuardRetrievalOptions = {},
  ): Promise<RetrievalVerdict> {
    if (!Array.isArray(chunks)) throw new InvalidInputError('chunks', 'guard expects an array of chunks');
    if (chunks.length > this.#maxChunks) {
      throw new InvalidInputError('chunks', `${chunks.length} chunks exceed maxChunks ${this.#maxChunks}`);
    }
    const o = checkCallOptions(options);
    const relevance = relevances(chunks);
    const work = await mapPool(chunks, this.#concurrency, (c, i) =>
      this.#decideChunk(c, i, relevance[i]!, o),
    );

    if (this.#nd !== undefined) this.#nearDuplicates(work, this.#nd);
    if (this.#qm !== undefined && o.query !== undefined) this.#queryMirroring(work, o.query, this.#qm);

    // Rank what is still allowed.
    for (const w of work) {
      const v = w.v;
      v.riskScore = Math.min(100, round1(v.riskScore + w.penalty));
      v.score = v.allowed
        ? round4(v.relevance * v.trust ** this.#alpha * Math.max(0, 1 - v.riskScore / 100) ** this.#beta)
        : 0;
    }
    const ranked = work
      .filter((w) => w.v.allowed)
      .sort((a, b) => b.v.score - a.v.score || a.v.index - b.v.index);
    let lowTrust = 0;
    const included: ChunkVerdict[] = [];
    for (const w of ranked) {
      const v = w.v;
      if (v.trust < this.#lowTrust) {
        lowTrust++;
        if (lowTrust > this.#maxLowTrust) {
          filter(
            v,
            'retrieval:low-trust-cap',
            `over the cap of ${this.#maxLowTrust} low-trust chunk(s) (trust ${v.trust} < ${this.#lowTrust})`,
          );
          v.score = 0;
          continue;
        }
      }
      if (included.length < (o.topK ?? Number.POSITIVE_INFINITY)) {
        v.included = true;
        included.push(v);
      }
    }

    const queryHash = o.query !== undefined && this.#audit.enabled ? sha256Hex(o.query) : undefined;
    for (const w of work) this.#record(w, o, queryHash);
    const verdicts = work.map((w) => w.v);
    return { chunks: included, verdicts, filtered: verdicts.filter((v) => !v.allowed) };
  }

  async #decideChunk(
    raw: RetrievalChunk | string,
    index: number,
    relevance: number,
    o: GuardRetrievalOptions,
  ): Promise<Work> {
    const chunk: RetrievalChunk | undefined =
      typeof raw === 'string' ? { content: raw } : typeof raw === 'object' && raw !== null ? raw : undefined;
    const id = chunk !== undefined && typeof chunk.id === 'string' ? chunk.id : undefined;
    const sourceType: SourceType =
      chunk?.sourceType !== undefined && SOURCE_SET.has(chunk.sourceType) ? chunk.sourceType : 'rag';
    const sourceId = typeof chunk?.sourceId === 'string' ? chunk.sourceId : undefined;
    const v: ChunkVerdict = {
      index,
      id,
      allowed: false,
      included: false,
      decision: 'quarantine',
      safeContent: undefined,
      reason: '',
      rule: '',
      riskScore: 0,
      trust: 0,
      relevance,
      score: 0,
      signals: [],
      findings: [],
      dlp: [],
      sourceType,
      sourceId,
    };
    const bad = chunkProblem(chunk);
    if (bad !== undefined) {
      v.rule = 'retrieval:invalid-chunk';
      v.reason = `invalid chunk: ${bad}; filtered (fail-closed)`;
      return {
        v,
        content: typeof chunk?.content === 'string' ? chunk.content : undefined,
        analysis: undefined,
        penalty: 0,
      };
    }
    const content = chunk!.content;
    let analysis: AnalysisResult;
    try {
      analysis = await this.#analyzer.analyze({
        content,
        sourceType,
        ...(sourceId !== undefined ? { sourceId } : {}),
        ...(o.agentId !== undefined ? { agentId: o.agentId } : {}),
        ...(o.tenantId !== undefined ? { tenantId: o.tenantId } : {}),
      });
    } catch (error) {
      v.rule = 'retrieval:analysis-failed';
      v.reason = `analysis failed (${errorMessage(error)}); filtered (fail-closed)`;
      return { v, content, analysis: undefined, penalty: 0 };
    }
    const p = this.#policy.decide({
      analysis,
      boundary: 'retrieval',
      sourceType,
      ...(sourceId !== undefined ? { sourceId } : {}),
    });
    v.decision = p.decision;
    v.rule = p.rule;
    v.reason = p.reason;
    v.riskScore = analysis.riskScore;
    v.trust = chunk!.trust ?? analysis.trust;
    v.findings = analysis.findings;
    v.allowed = ALLOWED_DECISIONS.has(p.decision);
    if (v.allowed) {
      v.safeContent = p.decision === 'sanitize' ? p.sanitized : content;
      if (this.#dlp !== undefined && v.safeContent !== undefined) {
        const d = dlpStep(this.#dlp, v.safeContent);
        if (d.decision !== undefined && DECISION_RANK[d.decision] > DECISION_RANK[v.decision]) {
          v.decision = d.decision;
          v.rule = d.rule;
          v.reason = `${d.reason}; ${v.reason}`;
        } else if (d.decision !== undefined) {
          v.reason = `${v.reason}; ${d.reason}`;
        }
        v.dlp = d.findings;
        v.safeContent = d.text;
        v.allowed = d.decision !== 'block';
      }
    }
    return { v, content, analysis, penalty: 0 };
  }

  #nearDuplicates(work: Work[], nd: Required<NearDuplicateSignalOptions>): void {
    const low = work.filter(
      (w) => w.content !== undefined && w.analysis !== undefined && w.v.trust < this.#lowTrust,
    );
    if (low.length < nd.minClusterSize) return;
    const sigs = low.map((w) => minHashOfTokens(tokensOf(w)));
    for (const cluster of nearDuplicateClusters(sigs, nd.threshold)) {
      if (cluster.members.length < nd.minClusterSize) continue;
      const members = cluster.members.map((i) => low[i]!);
      const indexes = members.map((w) => w.v.index);
      const sources = new Set(members.map((w) => w.v.sourceId ?? `#${w.v.index}`)).size;
      // Keep the best candidate: allowed first, then the least risky and most relevant.
      const keep = nd.keepOne
        ? [...members]
            .filter((w) => w.v.allowed)
            .sort(
              (a, b) =>
                a.v.riskScore - b.v.riskScore || b.v.relevance - a.v.relevance || a.v.index - b.v.index,
            )[0]
        : undefined;
      for (const w of members) {
        const related = indexes.filter((i) => i !== w.v.index);
        const detail =
          `one of ${members.length} near-duplicate low-trust chunks (${sources} source${sources > 1 ? 's' : ''}, ` +
          `estimated Jaccard up to ${cluster.similarity.toFixed(2)}; chunks ${related.join(', ')}): coordinated poisoning`;
        w.v.signals.push({
          kind: 'near_duplicate_cluster',
          rule: 'retrieval:near-duplicate',
          detail,
          related,
          similarity: cluster.similarity,
        });
        if (w === keep) {
          w.penalty += nd.riskPenalty;
          w.v.reason = `${w.v.reason}; kept one of a near-duplicate cluster with a risk penalty of ${nd.riskPenalty}`;
        } else if (w.v.allowed || DECISION_RANK[nd.decision] > DECISION_RANK[w.v.decision]) {
          escalate(w.v, nd.decision, 'retrieval:near-duplicate', detail);
        }
      }
    }
  }

  #queryMirroring(work: Work[], query: string, qm: Required<QueryMirroringSignalOptions>): void {
    const q = queryTokens(query);
    for (const w of work) {
      if (w.content === undefined || w.analysis === undefined || w.v.trust >= this.#lowTrust) continue;
      const m = mirroringOfTokens(q, w.content, tokensOf(w), qm);
      if (!m.mirrors) continue;
      const payload =
        m.payload ??
        (w.analysis.findings.length > 0 ? `finding ${w.analysis.findings[0]!.ruleId}` : undefined);
      if (payload === undefined) continue;
      const detail = `mirrors the query (covers ${Math.round(m.coverage * 100)} % of its words, verbatim run ${Math.round(m.run * 100)} %) and asserts or instructs ("${payload}"): misinformation-style RAG poisoning`;
      w.v.signals.push({
        kind: 'query_mirroring',
        rule: 'retrieval:query-mirroring',
        detail,
        coverage: m.coverage,
        run: m.run,
        payload,
      });
      escalate(w.v, qm.decision, 'retrieval:query-mirroring', detail);
    }
  }

  #record(w: Work, o: GuardRetrievalOptions, queryHash: string | undefined): void {
    const v = w.v;
    if (!this.#audit.enabled) return;
    const ruleIds = [
      ...v.findings.map((f) => f.ruleId),
      ...v.signals.map((s) => s.rule),
      ...v.dlp.map((d) => `dlp:${d.type}`),
    ];
    const id = this.#audit.record(
      {
        boundary: 'retrieval',
        decision: v.decision,
        allowed: v.allowed,
        reason: v.reason,
        rule: v.rule,
        ruleIds: [...new Set(ruleIds)],
        ...(w.analysis !== undefined ? { riskScore: v.riskScore } : {}),
        sourceType: v.sourceType,
        ...(v.sourceId !== undefined ? { sourceId: v.sourceId } : {}),
        ...(o.agentId !== undefined ? { agentId: o.agentId } : {}),
        ...(o.tenantId !== undefined ? { tenantId: o.tenantId } : {}),
        chunkIndex: v.index,
        ...(v.id !== undefined ? { chunkId: v.id } : {}),
        ...(queryHash !== undefined ? { queryHash } : {}),
      },
      v.allowed && v.safeContent !== undefined ? v.safeContent : (w.content ?? ''),
    );
    if (id !== undefined) v.auditId = id;
  }
}

/** Raises a verdict to `decision` (never lowers it) and marks it filtered when that decision does not allow. */
function escalate(v: ChunkVerdict, decision: Decision, rule: string, detail: string): void {
  if (DECISION_RANK[decision] <= DECISION_RANK[v.decision] && !v.allowed) return;
  if (DECISION_RANK[decision] > DECISION_RANK[v.decision]) v.decision = decision;
  if (!ALLOWED_DECISIONS.has(v.decision)) filter(v, rule, detail);
}

function filter(v: ChunkVerdict, rule: string, reason: string): void {
  v.allowed = false;
  v.included = false;
  v.safeContent = undefined;
  v.rule = rule;
  v.reason = reason;
}

function chunkProblem(chunk: RetrievalChunk | undefined): string | undefined {
  if (chunk === undefined) return 'not an object or a string';
  if (typeof chunk.content !== 'string')
    return `content is ${chunk.content === null ? 'null' : typeof chunk.content}, not a string`;
  if (chunk.sourceType !== undefined && !SOURCE_SET.has(chunk.sourceType))
    return `unknown sourceType ${String(chunk.sourceType)}`;
  if (chunk.sourceId !== undefined && typeof chunk.sourceId !== 'string') return 'sourceId is not a string';
  if (
    chunk.trust !== undefined &&
    !(typeof chunk.trust === 'number' && chunk.trust >= 0 && chunk.trust <= 1)
  ) {
    return `trust ${String(chunk.trust)} is not a number from 0 to 1`;
  }
  return undefined;
}

/** Relevance per chunk in 0..1 (see `RetrievalChunk.score`). */
function relevances(chunks: readonly unknown[]): number[] {
  const n = chunks.length;
  const scores = chunks.map((c) =>
    typeof c === 'object' &&
    c !== null &&
    typeof (c as RetrievalChunk).score === 'number' &&
    Number.isFinite((c as RetrievalChunk).score)
      ? (c as RetrievalChunk).score!
      : undefined,
  );
  if (n > 0 && scores.every((s) => s !== undefined)) {
    const s = scores as number[];
    if (s.every((x) => x >= 0 && x <= 1)) return s;
    const min = Math.min(...s);
    const max = Math.max(...s);
    return s.map((x) => (max === min ? 1 : round4((x - min) / (max - min))));
  }
  return chunks.map((_, i) => round4(1 - i / n));
}

function checkCallOptions(options: GuardRetrievalOptions): GuardRetrievalOptions {
  if (typeof options !== 'object' || options === null)
    throw new InvalidInputError('options', 'options must be an object');
  if (options.query !== undefined && typeof options.query !== 'string') {
    throw new InvalidInputError('query', 'query must be a string');
  }
  if (options.topK !== undefined && !(Number.isInteger(options.topK) && options.topK >= 1)) {
    throw new InvalidInputError('topK', `topK must be an integer ≥ 1, got ${String(options.topK)}`);
  }
  for (const k of ['agentId', 'tenantId'] as const) {
    if (options[k] !== undefined && typeof options[k] !== 'string')
      throw new InvalidInputError(k, `${k} must be a string`);
  }
  return options;
}

function nonNegative(option: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new InvalidOptionError(option, `${option} must be a finite number ≥ 0, got ${String(v)}`);
  }
  return v;
}

function unit(option: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
    throw new InvalidOptionError(option, `${option} must be a number from 0 to 1, got ${String(v)}`);
  }
  return v;
}

function count(option: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (v === Number.POSITIVE_INFINITY) return v;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new InvalidOptionError(option, `${option} must be an integer ≥ 0, got ${String(v)}`);
  }
  return v;
}

function signalDecision(
  option: string,
  v: Decision | undefined,
): Extract<Decision, 'human_review' | 'quarantine' | 'block'> {
  if (v === undefined) return 'quarantine';
  if (!SIGNAL_DECISIONS.has(v)) {
    throw new InvalidOptionError(
      option,
      `${option} must be human_review, quarantine or block, got ${String(v)}`,
    );
  }
  return v as Extract<Decision, 'human_review' | 'quarantine' | 'block'>;
}

function errorMessage(error: unknown): string {
  if (MemgarError.isInstance(error)) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function round4(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}
