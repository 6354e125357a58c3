import { MemoryRuntimeEnforcer } from '@memgar/core';
import {
  type ContentGuard,
  type ContentGuardOptions,
  createContentGuard,
  withOverrides,
} from '@memgar/core/adapter-kit';
import { Stream } from 'openai/streaming';
import { guardChatStream, guardResponsesStream } from './stream-guard.js';

/** The part of an OpenAI client the guard wraps (structural). */
export interface OpenAILike {
  chat: { completions: object };
  responses: object;
}

export type GuardOpenAIOptions = ContentGuardOptions;

type Json = Record<string, unknown>;
type Create = (params: Json, options?: unknown) => Promise<unknown>;
type Guard = (text: string, where: string) => Promise<string>;

/** A string, or an array of parts whose `text` is guarded when `types` has their `type`. */
async function guardContent(content: unknown, where: string, types: string[], fn: Guard): Promise<unknown> {
  if (typeof content === 'string') return fn(content, where);
  if (!Array.isArray(content)) return content;
  const parts: unknown[] = [];
  for (const [k, part] of (content as Json[]).entries()) {
    const ok = types.includes(part.type as string) && typeof part.text === 'string';
    parts.push(ok ? { ...part, text: await fn(part.text as string, `${where}[${k}]`) } : part);
  }
  return parts;
}

/** The request's messages (or input items) with tool results and message text guarded. */
async function guardRequest(g: ContentGuard, params: Json, chat: boolean): Promise<Json> {
  const out = { ...params };
  const key = chat ? 'messages' : 'input';
  if (!chat && typeof params.instructions === 'string' && g.scan.systemMessages) {
    out.instructions = await g.text(params.instructions, 'instructions');
  }
  if (!chat && typeof params.input === 'string' && g.scan.userMessages)
    out.input = await g.text(params.input, 'input');
  if (!Array.isArray(params[key])) return out;
  const types = chat ? ['text'] : ['input_text', 'output_text'];
  const names = new Map<string, string>(); // tool-call id → tool name
  const items: unknown[] = [];
  for (const [i, m] of (params[key] as Json[]).entries()) {
    for (const tc of (m.tool_calls ?? []) as { id: string; function?: { name: string } }[]) {
      if (tc.function) names.set(tc.id, tc.function.name);
    }
    if (m.type === 'function_call' || m.type === 'custom_tool_call')
      names.set(m.call_id as string, m.name as string);
    const result = chat
      ? m.role === 'tool' || m.role === 'function'
      : m.type === 'function_call_output' || m.type === 'custom_tool_call_output';
    const field = chat ? 'content' : result ? 'output' : 'content';
    const where = `${key}[${i}].${field}`;
    if (result && g.scan.toolResults) {
      const id = (chat ? m.tool_call_id : m.call_id) as string;
      const name = (m.role === 'function' ? (m.name as string) : names.get(id)) ?? 'tool';
      const fn = async (t: string, w: string) => (await g.tool(name, t, `tool:${name} ${w}`)).value as string;
      items.push({ ...m, [field]: await guardContent(m[field], where, types, fn) });
    } else if (!result && g.roleOn(m.role)) {
      items.push({ ...m, content: await guardContent(m.content, where, types, g.text) });
    } else items.push(m);
  }
  return { ...out, [key]: items };
}

async function guardChatResult(g: ContentGuard, result: Json): Promise<Json> {
  for (const [i, choice] of ((result.choices ?? []) as Json[]).entries()) {
    const m = choice.message as (Json & { tool_calls?: Json[] }) | undefined;
    if (!m) continue;
    if (typeof m.content === 'string') m.content = await g.output(m.content, `choices[${i}].message.content`);
    const kept: Json[] = [];
    for (const [j, tc] of (m.tool_calls ?? []).entries()) {
      const args = (tc.function as Json | undefined)?.arguments;
      const ok =
        typeof args !== 'string' || (await g.output(args, `choices[${i}].message.tool_calls[${j}]`)) === args;
      if (ok) kept.push(tc);
      else m.content = g.placeholder; // a refused call is dropped
    }
    if (kept.length > 0) m.tool_calls = kept;
    else delete m.tool_calls;
  }
  return result;
}

async function guardResponse(g: ContentGuard, result: Json): Promise<Json> {
  if (!Array.isArray(result.output)) return result;
  const items: Json[] = [];
  for (const [i, item] of (result.output as Json[]).entries()) {
    if (item.type === 'message' && Array.isArray(item.content)) {
      const content = await guardContent(item.content, `output[${i}]`, ['output_text'], g.output);
      items.push({ ...item, content });
    } else if (item.type === 'function_call' && typeof item.arguments === 'string') {
      items.push({ ...item, arguments: await g.output(item.arguments, `output[${i}].arguments`) });
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
}

/**
 * Wraps an OpenAI client: `chat.completions.create` and `responses.create` scan the messages
 * before the request and the output after (streams included); everything else passes through.
 *
 * @example
 * const openai = guardOpenAI(new OpenAI(), { canaries });
 */
export function guardOpenAI<C extends OpenAILike>(client: C, options: GuardOpenAIOptions = {}): C {
  const g = createContentGuard(options.enforcer ?? new MemoryRuntimeEnforcer(), options, {
    prefix: 'openai',
    isArguments: (where) => /tool_calls|\.arguments$/.test(where),
  });
  const wrap = (resource: object, chat: boolean) => {
    const create = async (params: Json, reqOptions?: unknown) => {
      const original = (resource as { create: Create }).create.bind(resource);
      const res = await original(await guardRequest(g, params, chat), reqOptions);
      if (params.stream !== true) return (chat ? guardChatResult : guardResponse)(g, res as Json);
      const source = res as Stream<Json>;
      const guarded = (chat ? guardChatStream : guardResponsesStream)(source, g.holdBack());
      return new Stream(() => guarded[Symbol.asyncIterator](), source.controller);
    };
    return withOverrides(resource, { create });
  };
  const chat = withOverrides(client.chat, { completions: wrap(client.chat.completions, true) });
  return withOverrides(client, { chat, responses: wrap(client.responses, false) });
}
