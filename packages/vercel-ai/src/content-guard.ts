// The prompt-and-output guard of a model-call adapter: the same in @memgar/openai and
// @memgar/vercel-ai (each passes its names and error), and a candidate for @memgar/core/adapter-kit.
import type { CanaryRegistry, Decision, MemoryRuntimeEnforcer, SourceType } from '@memgar/core';
import * as kit from '@memgar/core/adapter-kit';

/** What the guard needs of a `MemoryRuntimeEnforcer` (structural). */
export type EnforcerLike = Pick<MemoryRuntimeEnforcer, 'onRetrieval' | 'onToolResult'>;
/** What the guard needs of a `CanaryRegistry` (structural). */
export type CanaryRegistryLike = Pick<CanaryRegistry, 'scan'>;

/** One decision the guard made, passed to `onDecision`. */
export interface MemgarDecisionEvent {
  /** `prompt`: a part of the request before the model saw it; `output`: the model's output. */
  stage: 'prompt' | 'output';
  /** Where: `messages[0].content`, `prompt[2].content[0]`, `tool:search_docs …`, `output.text`, `output[1].arguments`. */
  where: string;
  decision: Decision;
  allowed: boolean;
  rule: string;
  reason: string;
  /** `pass` (unchanged), `sanitized` (rewrite used), `replaced` (placeholder used), `blocked` (thrown, or stream ended). */
  action: 'pass' | 'sanitized' | 'replaced' | 'blocked';
}

export interface ContentGuardOptions {
  /** The enforcer that decides. @default new MemoryRuntimeEnforcer() */
  enforcer?: EnforcerLike;
  /** Canaries that must never appear in the output (text and tool-call arguments). @default none */
  canaries?: CanaryRegistryLike;
  /** What to scan. */
  scan?: {
    /** User message text, as retrieved context (`onRetrieval`). @default true */
    userMessages?: boolean;
    /** Assistant message text (replayed history). @default true */
    assistantMessages?: boolean;
    /** Tool results, through `onToolResult` (JSON field by field). @default true */
    toolResults?: boolean;
    /** System and developer messages (RAG context pasted into the system prompt). @default false */
    systemMessages?: boolean;
    /** Output text, for payloads aimed at downstream agents (`onToolResult` as source `agent`). @default true */
    output?: boolean;
  };
  /** Source type given to message text. @default 'rag' */
  contextSourceType?: SourceType;
  /** Called for every decision (plain allows included). Errors it throws are ignored. */
  onDecision?: (event: MemgarDecisionEvent) => void;
  /** `replace`: a refused part becomes `placeholder`; `throw`: the call rejects with `MemgarBlockedError`. Streams always end with an error. @default 'replace' */
  onBlocked?: 'replace' | 'throw';
  /** The refusal marker. @default '[blocked by memgar]' */
  placeholder?: string;
  /** Stream hold-back window in characters; must exceed the longest canary as written. @default 256 */
  holdBack?: number;
}

/** A text verdict the guard acts on. */
export interface TextCheck extends kit.HoldBackCheck {
  text: string | undefined;
}

/** What differs between the adapters sharing this guard. */
export interface ContentGuardNames {
  /** Prefix of the guard's own rule ids (`<prefix>:no-verdict`, `<prefix>:not-scanned`). */
  prefix: string;
  /** Whether `where` names tool-call arguments (canaries only, no injection scan). */
  isArguments: (where: string) => boolean;
  blocked: (event: MemgarDecisionEvent) => Error;
}

/** A JSON object or array in `text`, else undefined (then the text is scanned as one string). */
function parseJson(text: string): object | undefined {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

export type ContentGuard = ReturnType<typeof contentGuard>;
type Stage = MemgarDecisionEvent['stage'];
type Verdict = kit.HoldBackCheck;

export function contentGuard(enforcer: EnforcerLike, options: ContentGuardOptions, names: ContentGuardNames) {
  const full = enforcer as kit.EnforcerLike; // kit.guardToolOutput calls only `onToolResult`
  const scan = {
    userMessages: true,
    assistantMessages: true,
    toolResults: true,
    systemMessages: false,
    output: true,
    ...options.scan,
  };
  const sourceType = options.contextSourceType ?? 'rag';
  const placeholder = options.placeholder ?? '[blocked by memgar]';
  const replace = (options.onBlocked ?? 'replace') === 'replace';
  const notScanned = `${names.prefix}:not-scanned`;
  const check = (allowed: boolean, decision: Decision, rule: string, reason: string, text?: string) =>
    ({ allowed, decision, rule, reason, text }) as TextCheck;
  // Fail closed when the enforcer returned no verdict for a text.
  const noVerdict = check(false, 'quarantine', `${names.prefix}:no-verdict`, 'no verdict');

  const emit = (stage: Stage, where: string, c: Verdict, action: string) => {
    const { decision, allowed, rule, reason } = c;
    const event = { stage, where, decision, allowed, rule, reason, action } as MemgarDecisionEvent;
    try {
      options.onDecision?.(event);
    } catch {
      // A callback never changes a decision.
    }
    return event;
  };
  /** Reports an output violation that ends a stream; returns the adapter's error for it. */
  const fail = (where: string, c: Verdict) => names.blocked(emit('output', where, c, 'blocked'));
  /** Reports a decision; throws when refused under `onBlocked: 'throw'`. */
  const report = (stage: Stage, where: string, c: Verdict, changed: boolean) => {
    const action = !c.allowed ? (replace ? 'replaced' : 'blocked') : changed ? 'sanitized' : 'pass';
    const event = emit(stage, where, c, action);
    if (!c.allowed && !replace) throw names.blocked(event);
  };
  /** The text to use after `c`: the original, the rewrite, or the placeholder. */
  const settle = (stage: Stage, where: string, c: TextCheck, original: string) => {
    report(stage, where, c, c.allowed && c.text !== original);
    return c.allowed ? (c.text ?? original) : placeholder;
  };

  const checkOutput = async (text: string, where: string): Promise<TextCheck> => {
    const leak = options.canaries?.scan(text)[0];
    const label = leak?.canary.label ?? leak?.canary.fingerprint;
    if (leak !== undefined)
      return check(false, 'block', 'canary:leak', `canary ${label} leaked (${leak.view})`);
    if (!scan.output || names.isArguments(where))
      return check(true, 'allow', notScanned, 'not scanned', text);
    const v = await enforcer.onToolResult('model-output', text, { sourceType: 'agent' });
    return { ...v, text: v.safeContent };
  };

  return {
    scan,
    placeholder,
    /** Whether text of a message with `role` is scanned. */
    roleOn: (role: unknown): boolean =>
      role === 'user'
        ? scan.userMessages
        : role === 'assistant'
          ? scan.assistantMessages
          : (role === 'system' || role === 'developer') && scan.systemMessages,

    /** Prompt text (user, assistant, system) as retrieved context; returns the text to send. */
    text: async (text: string, where: string): Promise<string> => {
      const v = (await enforcer.onRetrieval([{ content: text, sourceType }])).verdicts[0];
      return settle('prompt', where, v ? { ...v, text: v.safeContent } : noVerdict, text);
    },

    /**
     * A tool result (a string, JSON text, or a JSON value); returns the value to send: the
     * original, its rewrite (same kind: JSON text stays text), or the placeholder when refused.
     */
    tool: async (name: string, value: unknown, where: string) => {
      const parsed = typeof value === 'string' ? parseJson(value) : undefined;
      const events: Verdict[] = [];
      const r = await kit.guardToolOutput(full, { onDecision: (e) => events.push(e) }, name, parsed ?? value);
      report('prompt', where, events[0] ?? noVerdict, r.changed);
      if (!r.allowed) return { allowed: false, value: placeholder };
      const safe = !r.changed ? value : parsed !== undefined ? JSON.stringify(r.output) : r.output;
      return { allowed: true, value: safe };
    },

    /** Model output text or tool-call arguments; returns the text to use (or throws). */
    output: async (text: string, where: string): Promise<string> =>
      settle('output', where, await checkOutput(text, where), text),

    /** Checks a complete streamed output (a tool call); a violation is reported and thrown as `fail`. */
    mustPass: async (text: string, where: string): Promise<void> => {
      const c = await checkOutput(text, where);
      if (!c.allowed) throw fail(where, c);
    },

    /** A hold-back window for one stream: a violation is reported and thrown as the adapter's error. */
    holdBack: () => new kit.HoldBack(options.holdBack ?? 256, checkOutput, fail),
  };
}
