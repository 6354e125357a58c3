/**
 * A loopback upstream for the tests, speaking the OpenAI and Anthropic wire formats: JSON bodies
 * and server-sent events shaped like the real services' (per the `openai` SDK's types and
 * Anthropic's Messages API reference). Replies are scripted per request; without a script a route
 * answers a short benign text.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Recorded {
  method: string;
  path: string;
  /** The request target as received (path and query). */
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
  /** The body's bytes as received. */
  raw: Buffer;
}

export interface Script {
  status?: number;
  headers?: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
  /** A body sent as it is (instead of `json`). */
  text?: string;
  /** Server-sent events, each written as its own chunk (so a text split across them spans chunks). */
  sse?: string[];
  /** Answer nothing (to test timeouts). */
  hang?: boolean;
  /** Wait before answering. */
  delayMs?: number;
  /** After the events, keep the stream open without sending anything. */
  stall?: boolean;
}

export interface FakeUpstream {
  url: string;
  port: number;
  requests: Recorded[];
  /** Queues replies for the next requests, in order. */
  next(...scripts: Script[]): void;
  close(): Promise<void>;
}

const sse = (data: unknown, event?: string) =>
  `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;

export const chatCompletion = (text: string, extra: Record<string, unknown> = {}) => ({
  id: 'chatcmpl-test1',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'gpt-4o-mini',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: text, refusal: null, ...extra },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
});

const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({
  id: 'chatcmpl-test1',
  object: 'chat.completion.chunk',
  created: 1_700_000_000,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
});

/** A chat completion stream: role, one chunk per piece, finish, [DONE]. */
export const chatStream = (pieces: string[]): string[] => [
  sse(chunk({ role: 'assistant', content: '', refusal: null })),
  ...pieces.map((p) => sse(chunk({ content: p }))),
  sse(chunk({}, 'stop')),
  sse('[DONE]'),
];

/** A streamed tool call whose arguments arrive in pieces. */
export const chatToolStream = (name: string, pieces: string[]): string[] => [
  sse(
    chunk({
      role: 'assistant',
      content: null,
      tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name, arguments: '' } }],
    }),
  ),
  ...pieces.map((p) => sse(chunk({ tool_calls: [{ index: 0, function: { arguments: p } }] }))),
  sse(chunk({}, 'tool_calls')),
  sse('[DONE]'),
];

const responseObject = (text: string, status = 'completed') => ({
  id: 'resp_test1',
  object: 'response',
  created_at: 1_700_000_000,
  status,
  model: 'gpt-4o-mini',
  output:
    status === 'completed'
      ? [
          {
            type: 'message',
            id: 'msg_test1',
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text, annotations: [] }],
          },
        ]
      : [],
  parallel_tool_calls: true,
  tool_choice: 'auto',
  tools: [],
  usage: { input_tokens: 12, output_tokens: 7, total_tokens: 19 },
});
export const responsesBody = (text: string) => responseObject(text);

/** A Responses API stream (created, item and part added, text deltas, done events, completed). */
export function responsesStream(pieces: string[]): string[] {
  const text = pieces.join('');
  let seq = 0;
  const ev = (type: string, body: Record<string, unknown>) =>
    sse({ type, sequence_number: seq++, ...body }, type);
  const ids = { item_id: 'msg_test1', output_index: 0, content_index: 0 };
  const item = (t: string, status: string) => ({
    type: 'message',
    id: 'msg_test1',
    status,
    role: 'assistant',
    content: t === '' && status === 'in_progress' ? [] : [{ type: 'output_text', text: t, annotations: [] }],
  });
  return [
    ev('response.created', { response: responseObject('', 'in_progress') }),
    ev('response.output_item.added', { output_index: 0, item: item('', 'in_progress') }),
    ev('response.content_part.added', { ...ids, part: { type: 'output_text', text: '', annotations: [] } }),
    ...pieces.map((p) => ev('response.output_text.delta', { ...ids, delta: p, logprobs: [] })),
    ev('response.output_text.done', { ...ids, text, logprobs: [] }),
    ev('response.content_part.done', { ...ids, part: { type: 'output_text', text, annotations: [] } }),
    ev('response.output_item.done', { output_index: 0, item: item(text, 'completed') }),
    ev('response.completed', { response: responseObject(text) }),
  ];
}

export const anthropicMessage = (text: string) => ({
  id: 'msg_01test',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5',
  content: [{ type: 'text', text }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 12, output_tokens: 7 },
});

/** An Anthropic Messages stream (message_start … message_stop). */
export const anthropicStream = (pieces: string[]): string[] => [
  sse(
    { type: 'message_start', message: { ...anthropicMessage(''), content: [], stop_reason: null } },
    'message_start',
  ),
  sse(
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    'content_block_start',
  ),
  sse({ type: 'ping' }, 'ping'),
  ...pieces.map((p) =>
    sse(
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } },
      'content_block_delta',
    ),
  ),
  sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'),
  sse(
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 7 },
    },
    'message_delta',
  ),
  sse({ type: 'message_stop' }, 'message_stop'),
];

function defaultScript(path: string, body: Record<string, unknown>): Script {
  const text = 'Hello from the upstream.';
  const stream = body.stream === true;
  switch (path) {
    case '/v1/chat/completions':
      return stream
        ? { sse: chatStream(['Hello ', 'from the ', 'upstream.']) }
        : { json: chatCompletion(text) };
    case '/v1/responses':
      return stream
        ? { sse: responsesStream(['Hello ', 'from the upstream.']) }
        : { json: responsesBody(text) };
    case '/v1/messages':
      return stream
        ? { sse: anthropicStream(['Hello ', 'from the upstream.']) }
        : { json: anthropicMessage(text) };
    case '/v1/embeddings': {
      const input = Array.isArray(body.input) ? body.input : [body.input];
      return {
        json: {
          object: 'list',
          data: input.map((_, index) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] })),
          model: 'text-embedding-3-small',
          usage: { prompt_tokens: 4, total_tokens: 4 },
        },
      };
    }
    case '/v1/models':
      return {
        json: {
          object: 'list',
          data: [{ id: 'gpt-4o-mini', object: 'model', created: 1_700_000_000, owned_by: 'system' }],
        },
      };
    default:
      return { json: { ok: true, path } };
  }
}

async function write(res: ServerResponse, s: Script): Promise<void> {
  if (s.hang) return;
  if (s.delayMs) await new Promise((r) => setTimeout(r, s.delayMs));
  if (s.sse !== undefined) {
    res.writeHead(s.status ?? 200, { 'content-type': 'text/event-stream', ...s.headers });
    for (const e of s.sse) {
      res.write(e);
      await new Promise((r) => setImmediate(r));
    }
    if (!s.stall) res.end();
    return;
  }
  res.writeHead(s.status ?? 200, { 'content-type': 'application/json', ...s.headers });
  res.end(s.text ?? (s.json === undefined ? '' : JSON.stringify(s.json)));
}

export async function startUpstream(): Promise<FakeUpstream> {
  const requests: Recorded[] = [];
  const queue: Script[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const bytes = Buffer.concat(chunks);
      const raw = bytes.toString('utf8');
      let body: unknown = raw;
      try {
        body = raw === '' ? undefined : JSON.parse(raw);
      } catch {
        // keep the raw text
      }
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      requests.push({
        method: req.method ?? 'GET',
        path,
        url: req.url ?? '/',
        headers: req.headers,
        body,
        raw: bytes,
      });
      const script = queue.shift() ?? defaultScript(path, (body ?? {}) as Record<string, unknown>);
      void write(res, script);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    next: (...s) => void queue.push(...s),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
