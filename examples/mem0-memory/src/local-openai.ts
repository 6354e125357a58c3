// A tiny OpenAI-compatible server on 127.0.0.1 so that mem0 runs offline: `/v1/embeddings`
// answers hashed bag-of-words vectors, and `/v1/chat/completions` stands in for mem0's extraction
// LLM by turning each `user:` line of the conversation it is shown into one memory. Every chat
// request is kept, so the example can show what the LLM was given.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LocalOpenAI {
  /** `http://127.0.0.1:<port>/v1` */
  baseURL: string;
  /** The text of every chat request the "LLM" received. */
  prompts: string[];
  close(): Promise<void>;
}

/** A deterministic embedding: words hashed into `dims` buckets, normalized. */
function embed(text: string, dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const word of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    let h = 2166136261;
    for (const ch of word) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 16777619);
    v[(h >>> 0) % dims] = (v[(h >>> 0) % dims] ?? 0) + 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}

/** What mem0 3.x's extraction expects back: `{ memory: [{ id, text }] }`, one per user line. */
function extract(prompt: string): string {
  const section = prompt.split('## New Messages\n').at(-1)?.split('\n\n## ')[0] ?? '';
  const lines = section.split('\n').filter((l) => l.startsWith('user: '));
  return JSON.stringify({ memory: lines.map((l, i) => ({ id: String(i), text: l.slice('user: '.length) })) });
}

export async function startLocalOpenAI(dims: number): Promise<LocalOpenAI> {
  const prompts: string[] = [];
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = JSON.parse(raw || '{}') as { input?: unknown; messages?: { content?: unknown }[] };
    const send = (json: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    if (req.url?.endsWith('/embeddings')) {
      const inputs = Array.isArray(body.input) ? body.input.map(String) : [String(body.input ?? '')];
      const data = inputs.map((t, index) => ({ object: 'embedding', index, embedding: embed(t, dims) }));
      return send({ object: 'list', model: 'local', data, usage: { prompt_tokens: 0, total_tokens: 0 } });
    }
    const prompt = (body.messages ?? []).map((m) => String(m.content ?? '')).join('\n');
    prompts.push(prompt);
    const message = { role: 'assistant', content: extract(prompt), refusal: null };
    send({
      id: 'chatcmpl-local',
      object: 'chat.completion',
      created: 0,
      model: 'local',
      choices: [{ index: 0, message, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    prompts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
