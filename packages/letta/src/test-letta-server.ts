// A loopback Letta server for tests (node:http), speaking the REST paths @letta-ai/letta-client
// 1.12 calls for archival memory, core-memory blocks and messages, with bodies shaped as the
// SDK's types (Passage, PassageSearchResponse, BlockResponse, LettaResponse, and the SSE stream of
// LettaStreamingResponse items ending in `[DONE]`). Passages and blocks are kept in memory per
// agent, so a write made through the SDK is found again by its list and search calls. The agent's
// turn is scripted: a test queues the messages the next `messages.create` returns.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;

export interface FakeLetta {
  baseURL: string;
  /** The archival passages of an agent, in insertion order (Passage objects). */
  passages(agentId: string): Json[];
  /** Puts a passage straight into archival memory (as a poisoned archive would hold it). */
  putPassage(agentId: string, text: string, tags?: string[]): Json;
  /** A core-memory block of an agent (BlockResponse), created with `value` when missing. */
  block(agentId: string, label: string, value?: string): Json;
  /** Queues the messages of the agent's next turn (filled with ids and dates). */
  queueTurn(messages: Json[]): void;
  /** Request bodies received on the messages endpoints. */
  received: Json[];
  /** Every request, as `METHOD path?query`. */
  requests: string[];
  /** Every write answers 500 with Letta's error body. */
  failWrites: boolean;
  close(): Promise<void>;
}

const words = (s: string) => new Set(s.toLowerCase().match(/[a-z0-9]+/g) ?? []);

async function readBody(req: IncomingMessage): Promise<Json> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as Json);
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Starts the fake on a loopback port. */
export async function startFakeLetta(): Promise<FakeLetta> {
  const passages = new Map<string, Json[]>();
  const blocks = new Map<string, Json>();
  const turns: Json[][] = [];
  const received: Json[] = [];
  const requests: string[] = [];
  const state = { failWrites: false };
  const now = () => new Date().toISOString();

  const archive = (agent: string) => passages.get(agent) ?? passages.set(agent, []).get(agent)!;
  const addPassage = (agent: string, text: string, tags: string[] | null = null): Json => {
    const p = {
      id: `passage-${randomUUID()}`,
      text,
      tags,
      embedding: null,
      embedding_config: null,
      archive_id: `archive-${agent}`,
      created_at: now(),
      updated_at: now(),
      is_deleted: false,
      metadata: {},
      file_id: null,
      source_id: null,
    };
    archive(agent).push(p);
    return p;
  };
  const getBlock = (agent: string, label: string, value = '') => {
    const key = `${agent}/${label}`;
    if (!blocks.has(key)) {
      blocks.set(key, {
        id: `block-${randomUUID()}`,
        label,
        value,
        limit: 5000,
        description: null,
        metadata: {},
        read_only: false,
        hidden: null,
        tags: null,
      });
    }
    return blocks.get(key)!;
  };
  const turn = (): Json[] => {
    const base = () => ({ id: `message-${randomUUID()}`, date: now(), otid: randomUUID(), run_id: 'run-1' });
    const scripted = turns.shift() ?? [{ message_type: 'assistant_message', content: 'OK.' }];
    return scripted.map((m) => ({ ...base(), ...m }));
  };
  const tail = [
    { message_type: 'stop_reason', stop_reason: 'end_turn' },
    {
      message_type: 'usage_statistics',
      completion_tokens: 12,
      prompt_tokens: 340,
      total_tokens: 352,
      step_count: 1,
      run_ids: ['run-1'],
    },
  ];

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const m = /^\/v1\/agents\/([^/]+)\/(archival-memory|core-memory\/blocks|messages)(?:\/(.+))?$/.exec(
      url.pathname,
    );
    try {
      if (!m) {
        json(res, 404, { detail: `Not Found: ${url.pathname}` });
        return;
      }
      const [, agent = '', kind, rest] = m;
      const body = req.method === 'GET' ? {} : await readBody(req);
      if (state.failWrites && req.method !== 'GET') {
        json(res, 500, { detail: 'fake: the server is failing every write' });
        return;
      }
      if (kind === 'archival-memory' && req.method === 'POST' && rest === undefined) {
        json(res, 200, [addPassage(agent, String(body.text), (body.tags as string[] | undefined) ?? null)]);
        return;
      }
      if (kind === 'archival-memory' && req.method === 'GET' && rest === undefined) {
        const search = url.searchParams.get('search');
        const limit = Number(url.searchParams.get('limit') ?? 1000);
        const hits = archive(agent).filter((p) => search === null || String(p.text).includes(search));
        json(res, 200, hits.slice(0, limit));
        return;
      }
      if (kind === 'archival-memory' && req.method === 'GET' && rest === 'search') {
        const q = words(url.searchParams.get('query') ?? '');
        const tags = url.searchParams.getAll('tags');
        const all = url.searchParams.get('tag_match_mode') === 'all';
        const topK = Number(url.searchParams.get('top_k') ?? 10);
        const has = (p: Json) => (t: string) => ((p.tags as string[] | null) ?? []).includes(t);
        const results = archive(agent)
          .filter((p) => tags.length === 0 || (all ? tags.every(has(p)) : tags.some(has(p))))
          .map((p) => ({ p, s: [...words(String(p.text))].filter((w) => q.has(w)).length }))
          .sort((a, b) => b.s - a.s)
          .slice(0, topK)
          .map(({ p }) => ({ id: p.id, content: p.text, timestamp: p.created_at, tags: p.tags ?? [] }));
        json(res, 200, { count: results.length, results });
        return;
      }
      if (kind === 'core-memory/blocks' && rest !== undefined) {
        const block = getBlock(agent, decodeURIComponent(rest));
        if (req.method === 'PATCH') Object.assign(block, body);
        json(res, 200, block);
        return;
      }
      if (kind === 'messages' && req.method === 'POST' && (rest === undefined || rest === 'stream')) {
        received.push(body);
        const messages = turn();
        if (rest === 'stream' || body.streaming === true) {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          for (const msg of [...messages, ...tail]) res.write(`data: ${JSON.stringify(msg)}\n\n`);
          res.end('data: [DONE]\n\n');
          return;
        }
        json(res, 200, { messages, stop_reason: tail[0], usage: tail[1] });
        return;
      }
      json(res, 404, { detail: `Not Found: ${req.method} ${url.pathname}` });
    } catch (error) {
      json(res, 500, { detail: String(error) });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  return {
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    passages: (agent) => archive(agent),
    putPassage: (agent, text, tags) => addPassage(agent, text, tags),
    block: (agent, label, value) => getBlock(agent, label, value),
    queueTurn: (messages) => {
      turns.push(messages);
    },
    received,
    requests,
    get failWrites() {
      return state.failWrites;
    },
    set failWrites(v: boolean) {
      state.failWrites = v;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
