import type { Decision, SourceType } from '../analyzer/types.js';
import type { CanaryRegistry } from '../integrity/canary-registry.js';
import type { EnforcerLike } from './guard-options.js';
import { guardToolJson } from './guard-tool-json.js';
import { HoldBack, type HoldBackCheck } from './hold-back.js';
import { MemgarBlockedError } from './memgar-blocked-error.js';

/** The enforcer methods for texts entering a model's context (a `MemoryRuntimeEnforcer` has them). */
export type ContextEnforcer = Pick<EnforcerLike, 'onRetrieval' | 'onToolResult'>;

/** What the content guard needs of a `CanaryRegistry`. */
export type CanaryRegistryLike = Pick<CanaryRegistry, 'scan'>;

/** One decision a content guard made, passed to `onDecision`. */
export interface ContentDecisionEvent {
  /** `prompt`: a part of the request before the model saw it; `output`: the model's output. */
  stage: 'prompt' | 'output';
  /** Where, in the adapter's terms: `messages[0].content`, `tool:search_docs …`, `output.text`. */
  where: string;
  decision: Decision;
  allowed: boolean;
  rule: string;
  reason: string;
  /** `pass` (unchanged), `sanitized` (rewrite used), `replaced` (placeholder used), `blocked` (thrown, or stream ended). */
  action: 'pass' | 'sanitized' | 'replaced' | 'blocked';
}

/** Options of a model-call adapter's prompt-and-output guard. */
export interface ContentGuardOptions {
  /** The enforcer that decides. @default new MemoryRuntimeEnforcer() */
  enforcer?: ContextEnforcer;
  /** Canaries that must never appear in the output (text and tool-call arguments). @default none */
  canaries?: CanaryRegistryLike;
  /** What to scan. */
  scan?: {
    /** User message text, as retrieved context (`onRetrieval`). @default true */
    userMessages?: boolean;
    /** Assistant message text (replayed history). @default true */
    assistantMessages?: boolean;
    /** Tool results, through `onToolResult` (JSON, and text holding JSON, field by field). @default true */
    toolResults?: boolean;
    /** System and developer messages (RAG context pasted into the system prompt). @default false */
    systemMessages?: boolean;
    /** Output text, for payloads aimed at downstream agents (`onToolResult` as source `agent`). @default true */
    output?: boolean;
  };
  /** Source type given to message text. @default 'rag' */
  contextSourceType?: SourceType;
  /** Called for every decision (plain allows included). Errors it throws are ignored. @default none */
  onDecision?: (event: ContentDecisionEvent) => void;
  /** `replace`: a refused part becomes `placeholder`; `throw`: the call rejects with `MemgarBlockedError`. Streams always end with an error. @default 'replace' */
  onBlocked?: 'replace' | 'throw';
  /** The refusal marker. @default '[blocked by memgar]' */
  placeholder?: string;
  /** Stream hold-back window in characters; must exceed the longest canary as written. @default 256 */
  holdBack?: number;
}

/** A text verdict the guard acts on: `text` is what to use when allowed. */
export interface ContentTextCheck extends HoldBackCheck {
  text: string | undefined;
  /** The risk score (0–100): the enforcer's; 100 for a canary leak; 0 when not scanned or without a verdict. */
  riskScore: number;
}

/** What differs between the adapters sharing the guard. */
export interface ContentGuardNames {
  /** Prefix of the guard's own rule ids (`<prefix>:no-verdict`, `<prefix>:not-scanned`). */
  prefix: string;
  /** Whether `where` names tool-call arguments (canaries only, no injection scan). */
  isArguments: (where: string) => boolean;
}

/** A prompt-and-output guard (see `createContentGuard`). */
export interface ContentGuard {
  /** The scan switches, defaults filled in. */
  readonly scan: Required<NonNullable<ContentGuardOptions['scan']>>;
  /** The refusal marker. */
  readonly placeholder: string;
  /** Whether the text of a message with `role` is scanned. */
  roleOn(role: unknown): boolean;
  /** Prompt text (user, assistant, system) as retrieved context; returns the text to send. */
  text(text: string, where: string): Promise<string>;
  /**
   * A tool result (a string, JSON text, or a JSON value); returns the value to send: the original,
   * its rewrite (same kind: JSON text stays text), or the placeholder when refused.
   */
  tool(name: string, value: unknown, where: string): Promise<{ allowed: boolean; value: unknown }>;
  /** Model output text or tool-call arguments; returns the text to use (or throws). */
  output(text: string, where: string): Promise<string>;
  /** Checks a complete streamed output (a tool call); a violation is reported and thrown. */
  mustPass(text: string, where: string): Promise<void>;
  /**
   * Checks model output text or tool-call arguments as `output` does (canaries, then the output
   * scan) without acting on the verdict or reporting it, for an adapter that reports and acts itself.
   */
  checkOutput(text: string, where: string): Promise<ContentTextCheck>;
  /** A hold-back window for one stream; a violation is reported and thrown as `MemgarBlockedError`. */
  holdBack(): HoldBack;
}

type Stage = ContentDecisionEvent['stage'];

/**
 * The prompt-and-output guard of a model-call adapter (`@memgar/openai`, `@memgar/vercel-ai`):
 * message text goes through `onRetrieval`, tool results through `onToolResult` (JSON field by
 * field), the output through the canaries and `onToolResult` as source `agent`. A refused part is
 * replaced by the placeholder or, with `onBlocked: 'throw'`, rejects with `MemgarBlockedError`;
 * every decision is reported to `onDecision`. A text without a verdict is refused (fail closed).
 */
export function createContentGuard(
  enforcer: ContextEnforcer,
  options: ContentGuardOptions,
  names: ContentGuardNames,
): ContentGuard {
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
  const check = (
    allowed: boolean,
    decision: Decision,
    rule: string,
    reason: string,
    riskScore: number,
    text?: string,
  ): ContentTextCheck => ({ allowed, decision, rule, reason, text, riskScore });
  const noVerdict = check(false, 'quarantine', `${names.prefix}:no-verdict`, 'no verdict', 0);

  const emit = (stage: Stage, where: string, c: HoldBackCheck, action: ContentDecisionEvent['action']) => {
    const { decision, allowed, rule, reason } = c;
    const event: ContentDecisionEvent = { stage, where, decision, allowed, rule, reason, action };
    try {
      options.onDecision?.(event);
    } catch {
      // A callback never changes a decision.
    }
    return event;
  };
  /** Reports an output violation that ends a stream; returns the error for it. */
  const fail = (where: string, c: HoldBackCheck) =>
    new MemgarBlockedError(emit('output', where, c, 'blocked'));
  /** Reports a decision; throws when refused under `onBlocked: 'throw'`. */
  const report = (stage: Stage, where: string, c: HoldBackCheck, changed: boolean) => {
    const action = !c.allowed ? (replace ? 'replaced' : 'blocked') : changed ? 'sanitized' : 'pass';
    const event = emit(stage, where, c, action);
    if (!c.allowed && !replace) throw new MemgarBlockedError(event);
  };
  /** The text to use after `c`: the original, the rewrite, or the placeholder. */
  const settle = (stage: Stage, where: string, c: ContentTextCheck, original: string) => {
    report(stage, where, c, c.allowed && c.text !== original);
    return c.allowed ? (c.text ?? original) : placeholder;
  };

  const checkOutput = async (text: string, where: string): Promise<ContentTextCheck> => {
    const leak = options.canaries?.scan(text)[0];
    if (leak !== undefined) {
      const label = leak.canary.label ?? leak.canary.fingerprint;
      return check(false, 'block', 'canary:leak', `canary ${label} leaked (${leak.view})`, 100);
    }
    if (!scan.output || names.isArguments(where))
      return check(true, 'allow', notScanned, 'not scanned', 0, text);
    const v = await enforcer.onToolResult('model-output', text, { sourceType: 'agent' });
    return { ...v, text: v.safeContent };
  };

  return {
    scan,
    placeholder,
    roleOn: (role) =>
      role === 'user'
        ? scan.userMessages
        : role === 'assistant'
          ? scan.assistantMessages
          : (role === 'system' || role === 'developer') && scan.systemMessages,
    text: async (text, where) => {
      const v = (await enforcer.onRetrieval([{ content: text, sourceType }])).verdicts[0];
      return settle('prompt', where, v ? { ...v, text: v.safeContent } : noVerdict, text);
    },
    tool: async (name, value, where) => {
      let verdict: HoldBackCheck = noVerdict;
      const onDecision = (e: HoldBackCheck) => {
        verdict = e;
      };
      const r = await guardToolJson(enforcer, { onDecision }, name, value);
      report('prompt', where, verdict, r.changed);
      return { allowed: r.allowed, value: r.allowed ? r.output : placeholder };
    },
    output: async (text, where) => settle('output', where, await checkOutput(text, where), text),
    mustPass: async (text, where) => {
      const c = await checkOutput(text, where);
      if (!c.allowed) throw fail(where, c);
    },
    checkOutput,
    holdBack: () => new HoldBack(options.holdBack ?? 256, checkOutput, fail),
  };
}
