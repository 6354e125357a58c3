/**
 * A loopback OpenAI-compatible server for adapter tests (no network, no LLM): `/v1/embeddings`
 * answers deterministic bag-of-words vectors (texts sharing words are near), and
 * `/v1/chat/completions` answers the queued replies in order (then a default one). Every request
 * is recorded. Speaks JSON and SSE (`stream: true`) the way the OpenAI API does.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

/** What the server answers to the next chat completion: assistant text, a JSON body, or SSE events. */
export type FakeReply =
  | { content: string }
  | { json: Json }
  | { sse: (Json | string)[] }
  | { status: number; json: Json };

export interface FakeOpenAI {
  /** `http://127.0.0.1:<port>/v1` */
  baseURL: string;
  /** Every request received, oldest first. */
  requests: { method: string; path: string; body: Json | undefined }[];
  /** Replies for the next chat completions, used in order. */
  replies: FakeReply[];
  close(): Promise<void>;
}

export interface FakeOpenAIOptions {
  /** Embedding dimensions. @default 16 */
  dimensions?: number;
  /** The assistant text when no reply is queued. @default 'ok' */
  defaultContent?: string;
}

/** Deterministic embedding: each word hashed (FNV-1a) into one of `dims` buckets, L2-normalized. */
export function fakeEmbedding(text: string, dims = 16): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let h = 0x811c9dc5;
    for (let i = 0; i < word.length; i++) h = Math.imul(h ^ word.charCodeAt(i), 0x01000193);
    v[(h >>> 0) % dims] = (v[(h >>> 0) % dims] ?? 0) + 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

export async function startFakeOpenAI(options: FakeOpenAIOptions = {}): Promise<FakeOpenAI> {
  const dims = options.dimensions ?? 16;
  const state: FakeOpenAI = { baseURL: '', requests: [], replies: [], close: async () => {} };
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: String(error), type: 'server_error' } }));
    });
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = raw === '' ? undefined : (JSON.parse(raw) as Json);
    const path = (req.url ?? '').split('?')[0] ?? '';
    state.requests.push({ method: req.method ?? 'GET', path, body });
    const send = (status: number, json: Json) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    if (path.endsWith('/embeddings')) {
      const input = body?.input;
      const texts = Array.isArray(input) ? input.map(String) : [String(input ?? '')];
      send(200, {
        object: 'list',
        model: String(body?.model ?? 'text-embedding-3-small'),
        data: texts.map((t, index) => ({ object: 'embedding', index, embedding: fakeEmbedding(t, dims) })),
        usage: { prompt_tokens: texts.length, total_tokens: texts.length },
      });
      return;
    }
    if (path.endsWith('/models')) {
      send(200, {
        object: 'list',
        data: [{ id: 'gpt-4o-mini', object: 'model', created: 1, owned_by: 'memgar-test' }],
      });
      return;
    }
    if (!path.endsWith('/chat/completions')) {
      send(404, { error: { message: `no route ${path}`, type: 'invalid_request_error' } });
      return;
    }
    const reply = state.replies.shift() ?? { content: options.defaultContent ?? 'ok' };
    if ('sse' in reply) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const event of reply.sse)
        res.write(`data: ${typeof event === 'string' ? event : JSON.stringify(event)}\n\n`);
      res.end();
      return;
    }
    if ('status' in reply) return send(reply.status, reply.json);
    if ('json' in reply) return send(200, reply.json);
    send(200, chatCompletion(reply.content, String(body?.model ?? 'gpt-4o-mini')));
  };
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  state.baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** A non-streaming chat completion body with one assistant message. */
export function chatCompletion(content: string, model = 'gpt-4o-mini'): Json {
  return {
    id: 'chatcmpl-memgar-test',
    object: 'chat.completion',
    created: 1,
    model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content, refusal: null },
        finish_reason: 'stop',
        logprobs: null,
      },
    ],
    usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
  };
}
