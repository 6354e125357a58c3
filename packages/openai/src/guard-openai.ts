import { type CanaryRegistry, type Decision, MemoryRuntimeEnforcer, type SourceType } from '@memgar/core';
import { Stream } from 'openai/streaming';
import { MemgarBlockedError } from './memgar-blocked-error.js';
import { guardChatStream, guardResponsesStream, HoldBack } from './stream-guard.js';

/** What the guard needs of a `MemoryRuntimeEnforcer` (structural). */
export type EnforcerLike = Pick<MemoryRuntimeEnforcer, 'onRetrieval' | 'onToolResult'>;
/** What the guard needs of a `CanaryRegistry` (structural). */
export type CanaryRegistryLike = Pick<CanaryRegistry, 'scan'>;
/** The part of an OpenAI client the guard wraps (structural). */
export interface OpenAILike {
  chat: { completions: object };
  responses: object;
}

/** One decision the guard made, passed to `onDecision`. */
export interface MemgarDecisionEvent {
  /** `prompt`: a message or input item before the request is sent; `output`: the model's output. */
  stage: 'prompt' | 'output';
  /** Where: `messages[0].content`, `tool:search_docs`, `choices[0].message.content`, `output[1].arguments`. */
  where: string;
  decision: Decision;
  allowed: boolean;
  rule: string;
  reason: string;
  /** `pass` (unchanged), `sanitized` (rewrite used), `replaced` (placeholder used), `blocked` (thrown, or stream ended). */
  action: 'pass' | 'sanitized' | 'replaced' | 'blocked';
}

export interface GuardOpenAIOptions {
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
    /** `role: 'tool'` messages and `function_call_output` items, through `onToolResult`. @default true */
    toolResults?: boolean;
    /** System and developer messages (and `instructions`). @default false */
    systemMessages?: boolean;
    /** Output text, for payloads aimed at downstream agents (`onToolResult` as source `agent`). @default true */
    output?: boolean;
  };
  /** Source type given to message text. @default 'rag' */
  contextSourceType?: SourceType;
  /** Called for every decision (plain allows included). Errors it throws are ignored. */
  onDecision?: (event: MemgarDecisionEvent) => void;
  /** `replace`: a refused part becomes `placeholder`; `throw`: `create` rejects with `MemgarBlockedError`. Streams always end with an error. @default 'replace' */
  onBlocked?: 'replace' | 'throw';
  /** The refusal marker. @default '[blocked by memgar]' */
  placeholder?: string;
  /** Stream hold-back window in characters; must exceed the longest canary as written. @default 256 */
  holdBack?: number;
}

/** A text verdict the guard acts on. */
export interface TextCheck {
  allowed: boolean;
  decision: Decision;
  rule: string;
  reason: string;
  text: string | undefined;
}

type Json = Record<string, unknown>;
type Create = (params: Json, options?: unknown) => Promise<unknown>;

/**
 * Wraps an OpenAI client: `chat.completions.create` and `responses.create` scan the messages
 * before the request and the output after (streams included); everything else passes through.
 *
 * @example
 * const openai = guardOpenAI(new OpenAI(), { canaries });
 */
export function guardOpenAI<C extends OpenAILike>(client: C, options: GuardOpenAIOptions = {}): C {
  const enforcer = options.enforcer ?? new MemoryRuntimeEnforcer();
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

  const emit = (event: MemgarDecisionEvent) => {
    try {
      options.onDecision?.(event);
    } catch {
      // A callback never changes a decision.
    }
  };

  const report = (stage: MemgarDecisionEvent['stage'], where: string, c: TextCheck, original: string) => {
    const action = !c.allowed
      ? replace
        ? 'replaced'
        : 'blocked'
      : c.text !== original
        ? 'sanitized'
        : 'pass';
    const { decision, allowed, rule, reason } = c;
    const event: MemgarDecisionEvent = { stage, where, decision, allowed, rule, reason, action };
    emit(event);
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
          rule: 'openai:no-verdict',
          reason: 'no verdict',
          text: undefined,
        };
    return report('prompt', where, c, text);
  };

  const guardTool = async (name: string, text: string, where: string) => {
    let value: unknown = text;
    if (/^\s*[[{]/.test(text)) {
      try {
        value = JSON.parse(text);
      } catch {
        // Not JSON: scanned as one text.
      }
    }
    const v = await enforcer.onToolResult(name, value);
    const safe =
      typeof value === 'string' || v.decision === 'allow' ? v.safeContent : JSON.stringify(v.safeOutput);
    return report('prompt', where, { ...v, text: v.allowed ? safe : undefined }, text);
  };

  /** A string, or an array of parts whose `text` is guarded when `types` has their `type`. */
  const guardContent = async (
    content: unknown,
    where: string,
    types: string[],
    fn: (text: string, where: string) => Promise<string>,
  ): Promise<unknown> => {
    if (typeof content === 'string') return fn(content, where);
    if (!Array.isArray(content)) return content;
    const parts: unknown[] = [];
    for (const [k, part] of (content as Json[]).entries()) {
      const ok = types.includes(part.type as string) && typeof part.text === 'string';
      parts.push(ok ? { ...part, text: await fn(part.text as string, `${where}[${k}]`) } : part);
    }
    return parts;
  };

  const roleOn = (role: unknown) =>
    role === 'user'
      ? scan.userMessages
      : role === 'assistant'
        ? scan.assistantMessages
        : (role === 'system' || role === 'developer') && scan.systemMessages;

  const guardChatRequest = async (params: Json): Promise<Json> => {
    if (!Array.isArray(params.messages)) return params;
    const names = new Map<string, string>();
    const messages: unknown[] = [];
    for (const [i, m] of (params.messages as Json[]).entries()) {
      for (const tc of (m.tool_calls ?? []) as { id: string; function?: { name: string } }[]) {
        if (tc.function) names.set(tc.id, tc.function.name);
      }
      const where = `messages[${i}].content`;
      if ((m.role === 'tool' || m.role === 'function') && scan.toolResults) {
        const name = (m.role === 'tool' ? names.get(m.tool_call_id as string) : (m.name as string)) ?? 'tool';
        const fn = (t: string, w: string) => guardTool(name, t, `tool:${name} ${w}`);
        messages.push({ ...m, content: await guardContent(m.content, where, ['text'], fn) });
      } else if (roleOn(m.role)) {
        messages.push({ ...m, content: await guardContent(m.content, where, ['text'], guardText) });
      } else messages.push(m);
    }
    return { ...params, messages };
  };

  const guardResponsesRequest = async (params: Json): Promise<Json> => {
    const out = { ...params };
    if (typeof params.instructions === 'string' && scan.systemMessages) {
      out.instructions = await guardText(params.instructions, 'instructions');
    }
    if (typeof params.input === 'string') {
      if (scan.userMessages) out.input = await guardText(params.input, 'input');
      return out;
    }
    if (!Array.isArray(params.input)) return out;
    const names = new Map<string, string>();
    const input: unknown[] = [];
    const textTypes = ['input_text', 'output_text'];
    for (const [i, item] of (params.input as Json[]).entries()) {
      if (item.type === 'function_call' || item.type === 'custom_tool_call') {
        names.set(item.call_id as string, item.name as string);
      }
      const isOutput = item.type === 'function_call_output' || item.type === 'custom_tool_call_output';
      if (isOutput && scan.toolResults) {
        const name = names.get(item.call_id as string) ?? 'tool';
        const fn = (t: string, w: string) => guardTool(name, t, `tool:${name} ${w}`);
        input.push({ ...item, output: await guardContent(item.output, `input[${i}].output`, textTypes, fn) });
      } else if (typeof item.role === 'string' && roleOn(item.role)) {
        const content = await guardContent(item.content, `input[${i}].content`, textTypes, guardText);
        input.push({ ...item, content });
      } else input.push(item);
    }
    out.input = input;
    return out;
  };

  const checkOutput = async (text: string, _where: string, injection: boolean): Promise<TextCheck> => {
    const leak = options.canaries?.scan(text)[0];
    if (leak !== undefined) {
      const label = leak.canary.label ?? leak.canary.fingerprint;
      const reason = `canary ${label} leaked (${leak.view})`;
      return { allowed: false, decision: 'block', rule: 'canary:leak', reason, text: undefined };
    }
    if (!injection || !scan.output) {
      return { allowed: true, decision: 'allow', rule: 'openai:not-scanned', reason: 'not scanned', text };
    }
    const v = await enforcer.onToolResult('model-output', text, { sourceType: 'agent' });
    return { ...v, text: v.safeContent };
  };

  const output = async (text: string, where: string, injection: boolean) =>
    report('output', where, await checkOutput(text, where, injection), text);

  const guardChatResult = async (result: Json): Promise<Json> => {
    for (const [i, choice] of ((result.choices ?? []) as Json[]).entries()) {
      const m = choice.message as Json & { tool_calls?: Json[] };
      if (!m) continue;
      if (typeof m.content === 'string')
        m.content = await output(m.content, `choices[${i}].message.content`, true);
      if (!m.tool_calls) continue;
      const kept: Json[] = [];
      for (const [j, tc] of m.tool_calls.entries()) {
        const args = (tc.function as Json | undefined)?.arguments;
        if (typeof args !== 'string') kept.push(tc);
        else if ((await output(args, `choices[${i}].message.tool_calls[${j}]`, false)) === args)
          kept.push(tc);
        else m.content = placeholder;
      }
      if (kept.length > 0) m.tool_calls = kept;
      else delete m.tool_calls;
    }
    return result;
  };

  const guardResponse = async (result: Json): Promise<Json> => {
    if (!Array.isArray(result.output)) return result;
    const items: Json[] = [];
    for (const [i, item] of (result.output as Json[]).entries()) {
      if (item.type === 'message' && Array.isArray(item.content)) {
        const fn = (t: string, w: string) => output(t, w, true);
        items.push({
          ...item,
          content: await guardContent(item.content, `output[${i}]`, ['output_text'], fn),
        });
      } else if (item.type === 'function_call' && typeof item.arguments === 'string') {
        const args = await output(item.arguments, `output[${i}].arguments`, false);
        items.push(args === item.arguments ? item : { ...item, arguments: args });
      } else items.push(item);
    }
    result.output = items;
    if (typeof result.output_text === 'string') {
      result.output_text = items
        .flatMap((it) => (it.type === 'message' ? (it.content as Json[]) : []))
        .flatMap((p) => (p.type === 'output_text' ? [p.text as string] : []))
        .join('');
    }
    return result;
  };

  const holdBack = () =>
    new HoldBack(options.holdBack ?? 256, checkOutput, (where, c) => {
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
      emit(event);
      return new MemgarBlockedError(event);
    });

  const wrap = (
    resource: object,
    request: (p: Json) => Promise<Json>,
    result: (r: Json) => Promise<Json>,
    stream: (s: AsyncIterable<Json>, hb: HoldBack) => AsyncGenerator<Json>,
  ) => {
    const create = async (params: Json, reqOptions?: unknown) => {
      const original = (resource as { create: Create }).create.bind(resource);
      const res = await original(await request(params), reqOptions);
      if (params.stream !== true) return result(res as Json);
      const source = res as Stream<Json>;
      return new Stream(() => stream(source, holdBack())[Symbol.asyncIterator](), source.controller);
    };
    return passThrough(resource, { create });
  };

  const completions = wrap(client.chat.completions, guardChatRequest, guardChatResult, guardChatStream);
  const responses = wrap(client.responses, guardResponsesRequest, guardResponse, guardResponsesStream);
  const chat = passThrough(client.chat, { completions });
  return passThrough(client, { chat, responses }) as C;
}

/** A proxy answering `overrides` first; any other property comes from `target` (methods bound to it). */
function passThrough(target: object, overrides: Record<string, unknown>): object {
  return new Proxy(target, {
    get(t, prop, _receiver) {
      if (typeof prop === 'string' && Object.hasOwn(overrides, prop)) return overrides[prop];
      const v = Reflect.get(t, prop, t);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}
