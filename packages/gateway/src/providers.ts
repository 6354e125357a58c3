import type { SourceType } from '@memgar/core';
import { isRecord, type Part, setter, stringLeaves } from './guard.js';
import type { SseEvent } from './sse.js';

type Json = Record<string, unknown>;

/** Source types given to the analyzer per kind of request text. */
export interface SourceTypes {
  /** System and developer messages, `instructions`, Anthropic `system`. @default 'system' */
  system: SourceType;
  /** User messages. @default 'user' */
  user: SourceType;
  /** Assistant messages replayed in the history. @default 'agent' */
  assistant: SourceType;
  /** Tool results (`role: tool`, `function_call_output`, `tool_result` blocks). @default 'tool' */
  toolResult: SourceType;
  /** Tool definitions (name, description, schema). @default 'tool' */
  toolDefinition: SourceType;
  /** Tool-call arguments in the history. @default 'agent' */
  toolArguments: SourceType;
  /** Embedding input. @default 'document' */
  embedding: SourceType;
}

export const DEFAULT_SOURCE_TYPES: SourceTypes = {
  system: 'system',
  user: 'user',
  assistant: 'agent',
  toolResult: 'tool',
  toolDefinition: 'tool',
  toolArguments: 'agent',
  embedding: 'document',
};

/** A text of a response, checked whole. */
export interface OutPart {
  where: string;
  text: string;
  set(text: string): void;
}

/** A streamed text delta, pushed through the hold-back window under `key`. */
interface Delta extends OutPart {
  key: string;
}

/** How one provider's stream is read: deltas, where they end, full texts, and its error event. */
export interface StreamCodec {
  deltas(json: Json): Delta[];
  /** Keys `json` closes; `apply(rest)` writes the released rest into `json`, or returns an event to send before it. */
  closes(
    json: Json,
    open: string[],
  ): { key: string; where: string; apply(rest: string): SseEvent | undefined }[];
  fulls(json: Json): OutPart[];
  /** An event carrying the rest of `key` (stream ended without closing it). */
  tail(key: string, rest: string): SseEvent;
  error(code: string, message: string): SseEvent;
}

export type ProviderName = 'openai' | 'anthropic';
export type RouteId = 'chat_completions' | 'responses' | 'embeddings' | 'models' | 'messages';

export interface Route {
  id: RouteId;
  method: 'GET' | 'POST';
  path: string;
  provider: ProviderName;
  requestParts?(body: Json, st: SourceTypes): Part[];
  responseParts?(body: Json): OutPart[];
  codec?(): StreamCodec;
}

const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const lastIndex = (items: unknown[], test: (m: Json) => boolean): number =>
  items.findLastIndex((m) => isRecord(m) && test(m));

type MakePart = (where: string, value: unknown, set: (v: unknown) => void) => Part;
const mk =
  (via: Part['via'], sourceType: SourceType, history: boolean, name?: string): MakePart =>
  (where, value, set) => ({ where, via, sourceType, value, set, history, ...(name ? { name } : {}) });

const TEXT_TYPES = new Set(['text', 'input_text', 'output_text']);

/** `holder[key]` as a string, or its text parts (`{ type: 'text' | 'input_text' | 'output_text', text }`). */
function textParts(holder: Json, key: string, at: string, make: MakePart): Part[] {
  const where = at === '' ? key : `${at}.${key}`;
  const c = holder[key];
  if (typeof c === 'string') return [make(where, c, setter(holder, key))];
  return arr(c).flatMap((p, j) =>
    isRecord(p) && typeof p.text === 'string' && TEXT_TYPES.has(str(p.type))
      ? [make(`${where}[${j}].text`, p.text, setter(p, 'text'))]
      : [],
  );
}

/** Tool definitions: each tool's description and schema, decided as one JSON value. */
function toolDefinitions(
  list: unknown,
  at: string,
  st: SourceTypes,
  fnOf: (t: Json) => Json | undefined,
  schemaKey: string,
): Part[] {
  return arr(list).flatMap((t, i) => {
    const fn = isRecord(t) ? fnOf(t) : undefined;
    if (fn === undefined || typeof fn.name !== 'string') return [];
    const value = { description: str(fn.description), [schemaKey]: fn[schemaKey] ?? {} };
    return [
      mk(
        'tool',
        st.toolDefinition,
        false,
        fn.name,
      )(`${at}[${i}]`, value, (v) => {
        if (!isRecord(v)) return;
        if (fn.description !== undefined || v.description !== '') fn.description = v.description;
        if (fn[schemaKey] !== undefined) fn[schemaKey] = v[schemaKey];
      }),
    ];
  });
}

const roleSource = (role: unknown, st: SourceTypes): SourceType =>
  role === 'system' || role === 'developer' ? st.system : role === 'assistant' ? st.assistant : st.user;

function chatRequestParts(body: Json, st: SourceTypes): Part[] {
  const messages = arr(body.messages);
  const last = lastIndex(messages, (m) => m.role === 'assistant');
  const names = new Map<string, string>();
  const out: Part[] = [];
  for (const [i, m] of messages.entries()) {
    if (!isRecord(m)) continue;
    const at = `messages[${i}]`;
    const history = i <= last;
    if (m.role === 'tool' || m.role === 'function') {
      const name = m.role === 'function' ? str(m.name) : names.get(str(m.tool_call_id));
      out.push(...textParts(m, 'content', at, mk('tool', st.toolResult, history, name || 'tool')));
      continue;
    }
    const system = m.role === 'system' || m.role === 'developer';
    out.push(...textParts(m, 'content', at, mk('retrieval', roleSource(m.role, st), history && !system)));
    const calls: [string, unknown][] = [...arr(m.tool_calls).entries()].map(([j, tc]) => [
      `tool_calls[${j}].function`,
      tc,
    ]);
    if (isRecord(m.function_call)) calls.push(['function_call', { function: m.function_call }]);
    for (const [where, tc] of calls) {
      const fn = isRecord(tc) ? tc.function : undefined;
      if (!isRecord(fn) || typeof fn.arguments !== 'string') continue;
      if (isRecord(tc) && typeof tc.id === 'string') names.set(tc.id, str(fn.name));
      const make = mk('tool', st.toolArguments, history, str(fn.name) || 'tool');
      out.push(make(`${at}.${where}.arguments`, fn.arguments, setter(fn, 'arguments')));
    }
  }
  const fnOf = (t: Json) => (t.type === 'function' && isRecord(t.function) ? t.function : undefined);
  out.push(...toolDefinitions(body.tools, 'tools', st, fnOf, 'parameters'));
  out.push(...toolDefinitions(body.functions, 'functions', st, (f) => f, 'parameters'));
  return out;
}

function responsesRequestParts(body: Json, st: SourceTypes): Part[] {
  const out: Part[] = [];
  if (typeof body.instructions === 'string')
    out.push(...textParts(body, 'instructions', '', mk('retrieval', st.system, false)));
  if (typeof body.input === 'string')
    out.push(...textParts(body, 'input', '', mk('retrieval', st.user, false)));
  const items = arr(body.input);
  const last = lastIndex(items, (m) => m.role === 'assistant' || m.type === 'function_call');
  const names = new Map<string, string>();
  for (const [i, it] of items.entries()) {
    if (!isRecord(it)) continue;
    const at = `input[${i}]`;
    const history = i <= last;
    const type = it.type ?? 'message';
    if (type === 'message' && it.role !== undefined) {
      const system = it.role === 'system' || it.role === 'developer';
      out.push(...textParts(it, 'content', at, mk('retrieval', roleSource(it.role, st), history && !system)));
    } else if (type === 'function_call' && typeof it.arguments === 'string') {
      names.set(str(it.call_id), str(it.name));
      const make = mk('tool', st.toolArguments, history, str(it.name) || 'tool');
      out.push(make(`${at}.arguments`, it.arguments, setter(it, 'arguments')));
    } else if (type === 'function_call_output') {
      const name = names.get(str(it.call_id)) || 'tool';
      out.push(...textParts(it, 'output', at, mk('tool', st.toolResult, history, name)));
    }
  }
  const fnOf = (t: Json) => (t.type === 'function' ? t : undefined);
  out.push(...toolDefinitions(body.tools, 'tools', st, fnOf, 'parameters'));
  return out;
}

function embeddingParts(body: Json, st: SourceTypes): Part[] {
  if (typeof body.input === 'string') return textParts(body, 'input', '', mk('write', st.embedding, false));
  const input = arr(body.input);
  return input.flatMap((t, i) =>
    typeof t === 'string' ? [mk('write', st.embedding, false)(`input[${i}]`, t, setter(input, i))] : [],
  );
}

function anthropicRequestParts(body: Json, st: SourceTypes): Part[] {
  const out = textParts(body, 'system', '', mk('retrieval', st.system, false));
  const messages = arr(body.messages);
  const last = lastIndex(messages, (m) => m.role === 'assistant');
  const names = new Map<string, string>();
  for (const [i, m] of messages.entries()) {
    if (!isRecord(m)) continue;
    const at = `messages[${i}]`;
    const history = i <= last;
    const text = mk('retrieval', roleSource(m.role, st), history);
    if (typeof m.content === 'string') out.push(...textParts(m, 'content', at, text));
    for (const [j, b] of arr(m.content).entries()) {
      if (!isRecord(b)) continue;
      const where = `${at}.content[${j}]`;
      if (b.type === 'text' && typeof b.text === 'string')
        out.push(text(`${where}.text`, b.text, setter(b, 'text')));
      else if (b.type === 'tool_use') {
        names.set(str(b.id), str(b.name));
        const make = mk('tool', st.toolArguments, history, str(b.name) || 'tool');
        out.push(make(`${where}.input`, b.input ?? {}, setter(b, 'input')));
      } else if (b.type === 'tool_result') {
        const name = names.get(str(b.tool_use_id)) || 'tool';
        out.push(...textParts(b, 'content', where, mk('tool', st.toolResult, history, name)));
      } else if (b.type === 'document' && isRecord(b.source) && b.source.type === 'text') {
        out.push(...textParts(b.source, 'data', `${where}.source`, text));
      }
    }
  }
  const fnOf = (t: Json) => (t.type === undefined || t.type === 'custom' ? t : undefined);
  out.push(...toolDefinitions(body.tools, 'tools', st, fnOf, 'input_schema'));
  return out;
}

/** `holder[key]` as an output part when it is a string. */
const field = (holder: unknown, key: string, where: string): OutPart[] =>
  isRecord(holder) && typeof holder[key] === 'string'
    ? [{ where, text: holder[key], set: setter(holder, key) }]
    : [];

function chatResponseParts(body: Json): OutPart[] {
  return arr(body.choices).flatMap((c, i) => {
    const m = isRecord(c) ? c.message : undefined;
    if (!isRecord(m)) return [];
    const at = `choices[${i}].message`;
    const calls = arr(m.tool_calls).flatMap((tc, j) =>
      field(isRecord(tc) ? tc.function : undefined, 'arguments', `${at}.tool_calls[${j}].function.arguments`),
    );
    return [
      ...field(m, 'content', `${at}.content`),
      ...field(m, 'refusal', `${at}.refusal`),
      ...calls,
      ...field(m.function_call, 'arguments', `${at}.function_call.arguments`),
    ];
  });
}

function responsesItemParts(item: unknown, at: string): OutPart[] {
  if (!isRecord(item)) return [];
  const parts = arr(item.type === 'reasoning' ? item.summary : item.content);
  const key = item.type === 'reasoning' ? 'summary' : 'content';
  return [
    ...parts.flatMap((p, j) => [
      ...field(p, 'text', `${at}.${key}[${j}].text`),
      ...field(p, 'refusal', `${at}.${key}[${j}].refusal`),
    ]),
    ...field(item, 'arguments', `${at}.arguments`),
    ...field(item, 'input', `${at}.input`),
  ];
}

const responsesBodyParts = (body: Json): OutPart[] =>
  arr(body.output).flatMap((item, i) => responsesItemParts(item, `output[${i}]`));

function anthropicBlockParts(b: unknown, at: string): OutPart[] {
  if (!isRecord(b)) return [];
  if (b.type === 'tool_use' && b.input !== undefined) {
    return stringLeaves(b.input, `${at}.input`, setter(b, 'input'));
  }
  return [...field(b, 'text', `${at}.text`), ...field(b, 'thinking', `${at}.thinking`)];
}

const anthropicBodyParts = (body: Json): OutPart[] =>
  arr(body.content).flatMap((b, i) => anthropicBlockParts(b, `content[${i}]`));

const num = (v: unknown): number => (typeof v === 'number' && Number.isInteger(v) ? v : 0);

function chatCodec(): StreamCodec {
  let meta: Json = {};
  const apply = (delta: Json, key: string, rest: string) => {
    const [kind, , ti] = key.split(':');
    if (kind === 'c') delta.content = str(delta.content) + rest;
    else if (kind === 'r') delta.refusal = str(delta.refusal) + rest;
    else {
      if (!Array.isArray(delta.tool_calls)) delta.tool_calls = [];
      const calls = delta.tool_calls as Json[];
      let tc = calls.find((t) => t.index === Number(ti));
      if (tc === undefined) {
        tc = { index: Number(ti), function: {} };
        calls.push(tc);
      }
      if (!isRecord(tc.function)) tc.function = {};
      const fn = tc.function as Json;
      fn.arguments = str(fn.arguments) + rest;
    }
  };
  return {
    deltas(j) {
      meta = { id: j.id, object: j.object, created: j.created, model: j.model };
      // One pass, no intermediate arrays: this runs for every streamed chunk.
      const out: Delta[] = [];
      for (const c of arr(j.choices)) {
        if (!isRecord(c) || !isRecord(c.delta)) continue;
        const ci = num(c.index);
        const d = c.delta;
        const at = `choices[${ci}].delta`;
        if (typeof d.content === 'string')
          out.push({ where: `${at}.content`, text: d.content, set: setter(d, 'content'), key: `c:${ci}` });
        if (typeof d.refusal === 'string')
          out.push({ where: `${at}.refusal`, text: d.refusal, set: setter(d, 'refusal'), key: `r:${ci}` });
        for (const tc of arr(d.tool_calls)) {
          const fn = isRecord(tc) ? tc.function : undefined;
          if (!isRecord(fn) || typeof fn.arguments !== 'string') continue;
          const ti = num((tc as Json).index);
          out.push({
            where: `${at}.tool_calls[${ti}].function.arguments`,
            text: fn.arguments,
            set: setter(fn, 'arguments'),
            key: `t:${ci}:${ti}`,
          });
        }
      }
      return out;
    },
    closes(j, open) {
      return arr(j.choices).flatMap((c) => {
        if (!isRecord(c) || c.finish_reason == null) return [];
        const ci = String(num(c.index));
        if (!isRecord(c.delta)) c.delta = {};
        const delta = c.delta as Json;
        return open
          .filter((k) => k.split(':')[1] === ci)
          .map((key) => ({
            key,
            where: `choices[${ci}].delta`,
            apply: (rest: string) => void apply(delta, key, rest),
          }));
      });
    },
    fulls: () => [],
    tail(key, rest) {
      const delta: Json = {};
      apply(delta, key, rest);
      const choice = { index: Number(key.split(':')[1]), delta, finish_reason: null };
      return { data: JSON.stringify({ ...meta, choices: [choice] }) };
    },
    error: (code, message) => ({
      data: JSON.stringify({ error: { message, type: 'invalid_request_error', code, param: null } }),
    }),
  };
}

const RESPONSES_TEXT =
  /^response\.(output_text|refusal|function_call_arguments|custom_tool_call_input|reasoning_summary_text|reasoning_text)\.(delta|done)$/;

function responsesCodec(): StreamCodec {
  let seq = 0;
  const last = new Map<string, Json>();
  const keyOf = (kind: string, j: Json) =>
    `${kind}|${str(j.item_id)}|${num(j.content_index ?? j.summary_index)}`;
  const tail = (key: string, rest: string): SseEvent => {
    const base = last.get(key) ?? {};
    return { event: str(base.type), data: JSON.stringify({ ...base, delta: rest }) };
  };
  return {
    deltas(j) {
      seq = typeof j.sequence_number === 'number' ? j.sequence_number : seq;
      const m = RESPONSES_TEXT.exec(str(j.type));
      if (m?.[1] === undefined || m[2] !== 'delta' || typeof j.delta !== 'string') return [];
      const key = keyOf(m[1], j);
      last.set(key, { ...j, delta: '' });
      return field(j, 'delta', `output[${num(j.output_index)}].${m[1]}`).map((p) => ({ ...p, key }));
    },
    closes(j, open) {
      const m = RESPONSES_TEXT.exec(str(j.type));
      const terminal = /^response\.(completed|incomplete|failed)$/.test(str(j.type));
      const keys = m?.[1] !== undefined && m[2] === 'done' ? [keyOf(m[1], j)] : terminal ? open : [];
      return keys
        .filter((k) => open.includes(k))
        .map((key) => ({ key, where: key, apply: (rest: string) => tail(key, rest) }));
    },
    fulls(j) {
      const done = RESPONSES_TEXT.exec(str(j.type))?.[2] === 'done';
      return [
        ...(done
          ? ['text', 'arguments', 'refusal', 'input'].flatMap((k) => field(j, k, `${str(j.type)}.${k}`))
          : []),
        ...(isRecord(j.part) ? responsesItemParts({ content: [j.part] }, 'part') : []),
        ...responsesItemParts(j.item, 'item'),
        ...(isRecord(j.response) ? responsesBodyParts(j.response) : []),
      ];
    },
    tail,
    error: (code, message) => ({
      event: 'error',
      data: JSON.stringify({ type: 'error', code, message, param: null, sequence_number: seq + 1 }),
    }),
  };
}

const ANTHROPIC_DELTA: Record<string, string> = {
  text_delta: 'text',
  input_json_delta: 'partial_json',
  thinking_delta: 'thinking',
};

function anthropicCodec(): StreamCodec {
  const tail = (key: string, rest: string): SseEvent => {
    const [index, type = ''] = key.split('|');
    const delta = { type, [ANTHROPIC_DELTA[type] ?? 'text']: rest };
    return {
      event: 'content_block_delta',
      data: JSON.stringify({ type: 'content_block_delta', index: Number(index), delta }),
    };
  };
  return {
    deltas(j) {
      const d = j.delta;
      const name = isRecord(d) ? ANTHROPIC_DELTA[str(d.type)] : undefined;
      if (j.type !== 'content_block_delta' || !isRecord(d) || name === undefined) return [];
      const key = `${num(j.index)}|${str(d.type)}`;
      return field(d, name, `content[${num(j.index)}].${name}`).map((p) => ({ ...p, key }));
    },
    closes(j, open) {
      const keys =
        j.type === 'content_block_stop'
          ? open.filter((k) => k.startsWith(`${num(j.index)}|`))
          : j.type === 'message_stop'
            ? open
            : [];
      return keys.map((key) => ({ key, where: key, apply: (rest: string) => tail(key, rest) }));
    },
    fulls(j) {
      if (j.type === 'message_start' && isRecord(j.message)) return anthropicBodyParts(j.message);
      if (j.type === 'content_block_start')
        return anthropicBlockParts(j.content_block, `content[${num(j.index)}]`);
      return [];
    },
    tail,
    error: (_code, message) => ({
      event: 'error',
      data: JSON.stringify({ type: 'error', error: { type: 'permission_error', message } }),
    }),
  };
}

/** The routes the gateway serves (others are refused unless allow-listed). */
export const ROUTES: readonly Route[] = [
  {
    id: 'chat_completions',
    method: 'POST',
    path: '/v1/chat/completions',
    provider: 'openai',
    requestParts: chatRequestParts,
    responseParts: chatResponseParts,
    codec: chatCodec,
  },
  {
    id: 'responses',
    method: 'POST',
    path: '/v1/responses',
    provider: 'openai',
    requestParts: responsesRequestParts,
    responseParts: responsesBodyParts,
    codec: responsesCodec,
  },
  {
    id: 'embeddings',
    method: 'POST',
    path: '/v1/embeddings',
    provider: 'openai',
    requestParts: embeddingParts,
  },
  { id: 'models', method: 'GET', path: '/v1/models', provider: 'openai' },
  {
    id: 'messages',
    method: 'POST',
    path: '/v1/messages',
    provider: 'anthropic',
    requestParts: anthropicRequestParts,
    responseParts: anthropicBodyParts,
    codec: anthropicCodec,
  },
];

const OPENAI_TYPES: Record<number, string> = {
  429: 'requests',
  500: 'server_error',
  502: 'server_error',
  503: 'server_error',
  504: 'server_error',
};
const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  408: 'timeout_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  503: 'overloaded_error',
  504: 'timeout_error',
};

/** An error body in the provider's own format. */
export function errorBody(provider: ProviderName, status: number, code: string, message: string): Json {
  if (provider === 'anthropic')
    return { type: 'error', error: { type: ANTHROPIC_TYPES[status] ?? 'api_error', message } };
  return { error: { message, type: OPENAI_TYPES[status] ?? 'invalid_request_error', code, param: null } };
}
