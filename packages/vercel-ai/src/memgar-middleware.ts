import {
  type AnalyzerLike,
  type CanaryRegistry,
  type Decision,
  MemoryRuntimeEnforcer,
  type SourceType,
} from '@memgar/core';
import type { LanguageModelMiddleware } from 'ai';
import { MemgarBlockedError } from './memgar-blocked-error.js';
import { guardStream } from './stream-guard.js';

type CallOptions = Parameters<NonNullable<LanguageModelMiddleware['transformParams']>>[0]['params'];
type Message = CallOptions['prompt'][number];
type Part = Exclude<Message, { role: 'system' }>['content'][number];
type ToolOutput = Extract<Part, { type: 'tool-result' }>['output'];
type GenerateResult = Awaited<ReturnType<NonNullable<LanguageModelMiddleware['wrapGenerate']>>>;

/** What the middleware needs of a `MemoryRuntimeEnforcer` (structural). */
export type EnforcerLike = Pick<MemoryRuntimeEnforcer, 'onRetrieval' | 'onToolResult'>;
/** What the middleware needs of a `CanaryRegistry` (structural). */
export type CanaryRegistryLike = Pick<CanaryRegistry, 'scan'>;

/** One decision the middleware made, passed to `onDecision`. */
export interface MemgarDecisionEvent {
  /** `prompt`: a part of the prompt before the model saw it; `output`: the model's output. */
  stage: 'prompt' | 'output';
  /** Where: `prompt[2].content[0]`, `tool-result:search_docs`, `output.text`, `output.tool-call:send`. */
  where: string;
  decision: Decision;
  allowed: boolean;
  rule: string;
  reason: string;
  /** `pass` (unchanged), `sanitized` (rewritten text replaced the original), `replaced` (refusal marker), `blocked` (thrown or stream ended). */
  action: 'pass' | 'sanitized' | 'replaced' | 'blocked';
}

export interface MemgarMiddlewareOptions {
  /** The enforcer that decides. @default new MemoryRuntimeEnforcer({ analyzer }) */
  enforcer?: EnforcerLike;
  /** Analyzer for the default enforcer; ignored when `enforcer` is given. @default new Analyzer() */
  analyzer?: AnalyzerLike;
  /** Canaries that must never appear in the model's output (text and tool-call input). @default none */
  canaries?: CanaryRegistryLike;
  /** What to scan. */
  scan?: {
    /** Text parts of user messages, as retrieved context (`onRetrieval`). @default true */
    userMessages?: boolean;
    /** Text parts of assistant messages (replayed history). @default true */
    assistantMessages?: boolean;
    /** Tool-result parts, through `onToolResult`. @default true */
    toolResults?: boolean;
    /** System messages (RAG context pasted into the system prompt). @default false */
    systemMessages?: boolean;
    /** The model's output text, for payloads aimed at downstream agents (`onToolResult` as source `agent`). @default true */
    output?: boolean;
  };
  /** Source type given to prompt text. @default 'rag' */
  contextSourceType?: SourceType;
  /** Called for every decision (including plain allows). Errors it throws are ignored. */
  onDecision?: (event: MemgarDecisionEvent) => void;
  /** `replace`: a blocked part becomes `placeholder`; `throw`: the call rejects with `MemgarBlockedError`. Streams always end with an error part. @default 'replace' */
  onBlocked?: 'throw' | 'replace';
  /** The refusal marker. @default '[blocked by memgar]' */
  placeholder?: string;
  /** Stream hold-back window in characters; must exceed the longest canary as it may be written (separators included). @default 256 */
  holdBack?: number;
}

/** A text verdict the middleware acts on. */
export interface TextCheck {
  allowed: boolean;
  decision: Decision;
  rule: string;
  reason: string;
  text: string | undefined;
}

/**
 * A Vercel AI SDK language-model middleware that guards the prompt (user, assistant and tool
 * messages) before the model sees it and the model's output (generate and stream) after.
 *
 * @example
 * const model = wrapLanguageModel({ model: openai('gpt-4o'), middleware: memgarMiddleware({ canaries }) });
 */
export function memgarMiddleware(options: MemgarMiddlewareOptions = {}): LanguageModelMiddleware {
  const enforcer =
    options.enforcer ??
    new MemoryRuntimeEnforcer(options.analyzer !== undefined ? { analyzer: options.analyzer } : {});
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

  const report = (stage: MemgarDecisionEvent['stage'], where: string, c: TextCheck, original: string) => {
    const action = !c.allowed
      ? replace
        ? 'replaced'
        : 'blocked'
      : c.text !== original
        ? 'sanitized'
        : 'pass';
    const event: MemgarDecisionEvent = {
      stage,
      where,
      decision: c.decision,
      allowed: c.allowed,
      rule: c.rule,
      reason: c.reason,
      action,
    };
    try {
      options.onDecision?.(event);
    } catch {
      // A callback never changes a decision.
    }
    if (!c.allowed && !replace) throw new MemgarBlockedError(event);
    return c.allowed ? (c.text ?? original) : placeholder;
  };

  const guardText = async (text: string, where: string) => {
    const v = (await enforcer.onRetrieval([{ content: text, sourceType }])).verdicts[0];
    const c: TextCheck = v
      ? { ...v, text: v.safeContent }
      : {
          allowed: false,
          decision: 'quarantine',
          rule: 'vercel-ai:no-verdict',
          reason: 'no verdict',
          text: undefined,
        };
    return report('prompt', where, c, text);
  };

  const guardTool = async (name: string, value: unknown, where: string) => {
    const v = await enforcer.onToolResult(name, value);
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    const out = report('prompt', where, { ...v, text: v.allowed ? v.safeContent : undefined }, text);
    if (!v.allowed) return { blocked: true as const, value: out };
    return { blocked: false as const, value: typeof value === 'string' ? out : v.safeOutput };
  };

  const guardToolOutput = async (name: string, output: ToolOutput, where: string): Promise<ToolOutput> => {
    switch (output.type) {
      case 'text':
      case 'error-text': {
        const r = await guardTool(name, output.value, where);
        return { ...output, value: r.value as string };
      }
      case 'json':
      case 'error-json': {
        const r = await guardTool(name, output.value, where);
        if (r.blocked)
          return { type: output.type === 'json' ? 'text' : 'error-text', value: r.value as string };
        return { ...output, value: r.value as typeof output.value };
      }
      case 'content': {
        const value = [];
        for (const [k, item] of output.value.entries()) {
          if (item.type !== 'text') value.push(item);
          else
            value.push({
              ...item,
              text: (await guardTool(name, item.text, `${where}[${k}]`)).value as string,
            });
        }
        return { ...output, value };
      }
      default:
        return output;
    }
  };

  const guardPart = async (part: Part, role: Message['role'], where: string): Promise<Part> => {
    if (part.type === 'text') {
      const on = role === 'user' ? scan.userMessages : scan.assistantMessages;
      return on ? { ...part, text: await guardText(part.text, where) } : part;
    }
    if (part.type === 'tool-result' && scan.toolResults) {
      return {
        ...part,
        output: await guardToolOutput(part.toolName, part.output, `tool-result:${part.toolName}`),
      };
    }
    return part;
  };

  const checkOutput = async (text: string, where: string): Promise<TextCheck> => {
    const leak = options.canaries?.scan(text)[0];
    if (leak !== undefined) {
      const label = leak.canary.label ?? leak.canary.fingerprint;
      return {
        allowed: false,
        decision: 'block',
        rule: 'canary:leak',
        reason: `canary ${label} leaked (${leak.view})`,
        text: undefined,
      };
    }
    if (!scan.output || where.startsWith('output.tool-call')) {
      return { allowed: true, decision: 'allow', rule: 'vercel-ai:not-scanned', reason: 'not scanned', text };
    }
    const v = await enforcer.onToolResult('model-output', text, { sourceType: 'agent' });
    return { ...v, text: v.safeContent };
  };

  return {
    specificationVersion: 'v3',

    async transformParams({ params }) {
      const prompt: Message[] = [];
      for (const [i, m] of params.prompt.entries()) {
        if (m.role === 'system') {
          prompt.push(
            scan.systemMessages ? { ...m, content: await guardText(m.content, `prompt[${i}]`) } : m,
          );
          continue;
        }
        const content: Part[] = [];
        for (const [j, part] of m.content.entries()) {
          content.push(await guardPart(part, m.role, `prompt[${i}].content[${j}]`));
        }
        prompt.push({ ...m, content } as Message);
      }
      return { ...params, prompt };
    },

    async wrapGenerate({ doGenerate }) {
      const result = await doGenerate();
      const content: GenerateResult['content'] = [];
      for (const part of result.content) {
        if (part.type === 'text') {
          const text = report(
            'output',
            'output.text',
            await checkOutput(part.text, 'output.text'),
            part.text,
          );
          content.push({ ...part, text });
        } else if (part.type === 'tool-call') {
          const where = `output.tool-call:${part.toolName}`;
          const c = await checkOutput(part.input, where);
          if (c.allowed) content.push(part);
          else content.push({ type: 'text', text: report('output', where, c, part.input) });
        } else {
          content.push(part);
        }
      }
      return { ...result, content };
    },

    async wrapStream({ doStream }) {
      const result = await doStream();
      const stream = guardStream(result.stream, {
        holdBack: options.holdBack ?? 256,
        check: checkOutput,
        onViolation: (where, c) => {
          const { decision, allowed, rule, reason } = c;
          const event: MemgarDecisionEvent = {
            stage: 'output',
            where,
            decision,
            allowed,
            rule,
            reason,
            action: 'blocked',
          };
          try {
            options.onDecision?.(event);
          } catch {
            // ignored
          }
          return new MemgarBlockedError(event);
        },
      });
      return { ...result, stream };
    },
  };
}
