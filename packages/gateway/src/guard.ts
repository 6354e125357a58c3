import { randomUUID } from 'node:crypto';
import {
  type CanaryRegistry,
  type Decision,
  DlpPolicy,
  type DlpPolicyOptions,
  type RedactStyle,
  type ReviewQueue,
  redact,
  type SourceType,
} from '@memgar/core';
import type { EnforcerLike } from '@memgar/core/adapter-kit';

/** What the gateway needs of a `CanaryRegistry` (structural). */
export type CanaryRegistryLike = Pick<CanaryRegistry, 'scan'>;

/** A decision on one part of a request or response. */
export interface Verdict {
  decision: Decision;
  allowed: boolean;
  rule: string;
  reason: string;
  riskScore: number;
  ruleIds: string[];
}

/** One decision the gateway made, as reported to `onDecision`. */
export interface GatewayDecisionEvent extends Omit<Verdict, 'ruleIds'> {
  /** `request`: text on its way to the model (or MCP server); `response`: text on its way back. */
  stage: 'request' | 'response';
  /** The route (`chat_completions`, `responses`, `embeddings`, `messages`) or MCP method. */
  route: string;
  /** Where in the payload: `messages[2].content`, `tools[0]`, `choices[0].delta.content`… */
  where: string;
  /** `pass`, `sanitized` (rewrite used), `redacted` (DLP), `refused` (request refused / stream ended). */
  action: 'pass' | 'sanitized' | 'redacted' | 'refused';
  requestId: string;
  /** The review id when the part was queued for review. */
  reviewId?: string;
}

/** A text of a request, with how it is decided and how its safe version is written back. */
export interface Part {
  where: string;
  /** `retrieval`: message text entering the context; `tool`: tool results, definitions, call arguments; `write`: embedding input. */
  via: 'retrieval' | 'tool' | 'write';
  sourceType: SourceType;
  /** The tool name (for `via: 'tool'`). */
  name?: string;
  /** A string, or a JSON value for `via: 'tool'` (JSON text is decided field by field and stays text). */
  value: unknown;
  set(value: unknown): void;
  /** Part of a message at or before the last assistant turn (skipped when only new messages are scanned). */
  history?: boolean;
}

/** A decided part. */
export interface PartOutcome {
  part: Part;
  verdict: Verdict;
  /** Allowed with a different value (sanitized or redacted). */
  changed: boolean;
  safe: unknown;
}

/** The outcome of checking an output text: the text to release (redacted) with its redactions, or a refusal. */
export type TextCheck = { ok: true; text: string; spans: Span[] } | { ok: false; verdict: Verdict };
interface Span {
  start: number;
  end: number;
  replacement: string;
}

/** A response text refused while streaming; ends the stream with the provider's error event. */
export class StreamViolation extends Error {
  constructor(
    readonly where: string,
    readonly verdict: Verdict,
  ) {
    super(
      `memgar refused the response at ${where} (${verdict.decision}, ${verdict.rule}): ${verdict.reason}`,
    );
    this.name = 'StreamViolation';
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON object or array in `text`, else undefined. */
export function parseJson(text: string): object | undefined {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

const refusal = (decision: Decision, rule: string, reason: string, riskScore = 100): TextCheck => ({
  ok: false,
  verdict: { decision, allowed: false, rule, reason, riskScore, ruleIds: [rule] },
});

export interface ContentGuardOptions {
  /** Decides request parts. */
  enforcer: EnforcerLike;
  /** Decides response text for injection aimed at downstream agents; none to skip that check. */
  outputEnforcer: EnforcerLike | undefined;
  canaries: CanaryRegistryLike | undefined;
  /** DLP on response text; none to skip. */
  dlp: DlpPolicyOptions | undefined;
  reviewQueue: ReviewQueue;
}

/** Decides request parts and checks response text (canaries, DLP, injection). */
export class ContentGuard {
  readonly #o: ContentGuardOptions;
  readonly #dlp: DlpPolicy | undefined;
  readonly #style: RedactStyle;

  constructor(options: ContentGuardOptions) {
    this.#o = options;
    this.#dlp = options.dlp === undefined ? undefined : new DlpPolicy(options.dlp);
    this.#style = options.dlp?.redactStyle ?? 'label';
  }

  /** Decides one request part. */
  async decide(part: Part, ids: { agentId?: string; tenantId?: string } = {}): Promise<PartOutcome> {
    const e = this.#o.enforcer;
    const { value, sourceType } = part;
    let v: {
      decision: Decision;
      allowed: boolean;
      rule: string;
      reason: string;
      riskScore: number;
      safeContent: string | undefined;
      findings: { ruleId: string }[];
      safeOutput?: unknown;
    };
    let safe: unknown;
    if (part.via === 'tool') {
      const parsed = typeof value === 'string' ? parseJson(value) : undefined;
      const name = part.name ?? 'tool';
      const t = await e.onToolResult(name, parsed ?? value, { sourceType, sourceId: name, ...ids });
      v = t;
      safe =
        parsed !== undefined
          ? JSON.stringify(t.safeOutput)
          : typeof value === 'string'
            ? t.safeContent
            : t.safeOutput;
    } else {
      const text = String(value);
      v =
        part.via === 'write'
          ? await e.onMemoryWrite(text, { sourceType, ...ids })
          : ((await e.onRetrieval([{ content: text, sourceType }], ids)).verdicts[0] ?? {
              decision: 'quarantine',
              allowed: false,
              rule: 'gateway:no-verdict',
              reason: 'the enforcer returned no verdict',
              riskScore: 0,
              safeContent: undefined,
              findings: [],
            });
      safe = v.safeContent;
    }
    const { decision, allowed, rule, reason, riskScore } = v;
    const verdict = { decision, allowed, rule, reason, riskScore, ruleIds: v.findings.map((f) => f.ruleId) };
    const changed = allowed && (typeof value === 'string' ? safe !== value : decision !== 'allow');
    return { part, verdict, changed, safe: allowed ? safe : undefined };
  }

  /** Queues a held part (quarantine, human review) for review; returns its review id. */
  async hold(o: PartOutcome, context: Record<string, unknown>): Promise<string> {
    const id = randomUUID();
    const { decision } = o.verdict;
    await this.#o.reviewQueue.add({
      id,
      content: typeof o.part.value === 'string' ? o.part.value : JSON.stringify(o.part.value),
      decision: decision === 'human_review' ? 'human_review' : 'quarantine',
      reason: o.verdict.reason,
      rule: o.verdict.rule,
      ruleIds: o.verdict.ruleIds,
      riskScore: o.verdict.riskScore,
      context: { sourceType: o.part.sourceType, metadata: { ...context, where: o.part.where } },
      queuedAt: new Date().toISOString(),
      status: 'pending',
    });
    return id;
  }

  /**
   * Checks a response text: a canary leak or a DLP `block` refuses it; DLP `redact` findings are
   * redacted (their spans returned when `stream`); an injection aimed at downstream agents refuses it. When
   * `stream` is false, a `sanitize` decision uses the rewrite; in a stream it refuses (a window
   * cannot be rewritten consistently).
   */
  async checkText(text: string, stream: boolean): Promise<TextCheck> {
    const leak = this.#o.canaries?.scan(text)[0];
    if (leak !== undefined) {
      const label = leak.canary.label ?? leak.canary.fingerprint.slice(0, 6);
      return refusal('block', 'canary:leak', `canary "${label}" leaked (${leak.view})`);
    }
    let out = text;
    let spans: Span[] = [];
    if (this.#dlp !== undefined) {
      const d = this.#dlp.apply(text);
      const blocked = d.findings.find((f) => f.action === 'block');
      if (blocked !== undefined)
        return refusal('block', `dlp:${blocked.type}`, `${blocked.type} in the response`);
      // Only a stream's window needs the spans (to release a redaction whole).
      if (stream)
        spans = d.findings
          .filter((f) => f.action === 'redact')
          .map((f) => {
            const value = text.slice(f.start, f.end);
            const one = [{ ...f, start: 0, end: value.length }];
            return { start: f.start, end: f.end, replacement: redact(value, one, { style: this.#style }) };
          });
      out = d.text ?? text;
    }
    if (this.#o.outputEnforcer !== undefined) {
      const v = await this.#o.outputEnforcer.onToolResult('model-output', out, { sourceType: 'agent' });
      if (!v.allowed || (stream && v.decision !== 'allow')) {
        const { decision, rule, riskScore } = v;
        const reason = v.allowed ? `${v.reason} (a stream cannot be rewritten)` : v.reason;
        const ruleIds = v.findings.map((f) => f.ruleId);
        return { ok: false, verdict: { decision, allowed: false, rule, reason, riskScore, ruleIds } };
      }
      out = v.safeContent ?? out;
    }
    return { ok: true, text: out, spans };
  }
}

/** Characters of released text kept as context for the next scan (a DLP keyword before its value). */
const CONTEXT = 64;

/**
 * A hold-back window over streamed text, one buffer per key. The last `size` characters of a
 * scanned buffer stay unreleased and are scanned again with what follows, so a canary, secret or
 * payload of at most `size` characters split across chunks is seen whole before any of it is
 * released. Unlike the kit's `HoldBack`, released text is redacted (DLP): a finding that crosses
 * the release point is released whole, redacted.
 */
export class OutputWindow {
  readonly #size: number;
  readonly #check: (text: string, where: string) => Promise<TextCheck>;
  readonly #buffers = new Map<string, { text: string; context: string }>();

  constructor(size: number, check: (text: string, where: string) => Promise<TextCheck>) {
    this.#size = size;
    this.#check = check;
  }

  /** Adds a delta under `key`; returns the text that may be released now (often '', then synchronously). */
  push(key: string, delta: string, where: string): string | Promise<string> {
    let b = this.#buffers.get(key);
    if (b === undefined) {
      b = { text: '', context: '' };
      this.#buffers.set(key, b);
    }
    b.text += delta;
    return b.text.length >= 2 * this.#size ? this.#release(key, false, where) : '';
  }

  /** Scans and releases everything left under `key` ('' synchronously when nothing is left). */
  flush(key: string, where: string): string | Promise<string> {
    const b = this.#buffers.get(key);
    if (b === undefined || b.text.length === 0) {
      this.#buffers.delete(key);
      return '';
    }
    return this.#release(key, true, where);
  }

  /** Keys still holding text. */
  keys(): string[] {
    return [...this.#buffers.keys()];
  }

  async #release(key: string, final: boolean, where: string): Promise<string> {
    const b = this.#buffers.get(key);
    if (final) this.#buffers.delete(key);
    if (b === undefined || b.text.length === 0) return '';
    const c = await this.#check(b.context + b.text, where);
    if (!c.ok) {
      this.#buffers.clear();
      throw new StreamViolation(where, c.verdict);
    }
    const off = b.context.length;
    const spans = c.spans
      .map((s) => ({ ...s, start: Math.max(0, s.start - off), end: s.end - off }))
      .filter((s) => s.end > 0);
    let cut = final ? b.text.length : b.text.length - this.#size;
    for (const s of spans) if (s.start < cut && s.end > cut) cut = s.end;
    let out = '';
    let at = 0;
    for (const s of spans) {
      if (s.end > cut || s.start < at) continue;
      out += b.text.slice(at, s.start) + s.replacement;
      at = s.end;
    }
    out += b.text.slice(at, cut);
    b.context = (b.context + b.text.slice(0, cut)).slice(-CONTEXT);
    b.text = b.text.slice(cut);
    return out;
  }
}

/** The string leaves of a JSON value, with setters (for tool-call inputs given as objects). */
export function stringLeaves(
  value: unknown,
  at: string,
  set: (v: unknown) => void,
  depth = 0,
): { where: string; text: string; set(t: string): void }[] {
  if (typeof value === 'string') return [{ where: at, text: value, set }];
  if (depth > 32 || typeof value !== 'object' || value === null) return [];
  const entries = Array.isArray(value) ? value.entries() : Object.entries(value);
  const out: ReturnType<typeof stringLeaves> = [];
  const target = value as Record<string | number, unknown>;
  for (const [k, v] of entries) {
    const where = Array.isArray(value) ? `${at}[${k}]` : `${at}.${k}`;
    out.push(...stringLeaves(v, where, setter(target, k), depth + 1));
  }
  return out;
}

/** A function that writes `obj[key]`. */
export function setter(obj: object, key: string | number): (value: unknown) => void {
  return (value) => {
    (obj as Record<string | number, unknown>)[key] = value;
  };
}

export { isRecord };
