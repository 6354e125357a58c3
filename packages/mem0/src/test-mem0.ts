// Test helpers (not part of the package): a real mem0 OSS `Memory` wired to the loopback
// OpenAI-compatible server, and a loopback server speaking the mem0 platform API that
// `MemoryClient` calls (paths and shapes read from mem0ai 3.3.1's client source and API docs).
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Memory } from 'mem0ai/oss';

export const DIMS = 16;

const dirs: string[] = [];

/** Removes the temp dirs of every `newMemory` so far. */
export function removeMemoryDirs(): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A real `Memory`: LLM and embedder at `baseURL`, SQLite vector store in a fresh temp dir. */
export function newMemory(baseURL: string, embedderURL = baseURL): Memory {
  const dir = mkdtempSync(join(tmpdir(), 'memgar-mem0-'));
  dirs.push(dir);
  return new Memory({
    disableHistory: true,
    embedder: { provider: 'openai', config: { baseURL: embedderURL, apiKey: 'test', embeddingDims: DIMS } },
    llm: { provider: 'openai', config: { baseURL, apiKey: 'test', model: 'gpt-4o-mini' } },
    vectorStore: { provider: 'memory', config: { dimension: DIMS, dbPath: join(dir, 'vectors.db') } },
  });
}

/** The reply mem0 3.x's additive extraction expects from the LLM. */
export function extraction(...texts: string[]) {
  return { content: JSON.stringify({ memory: texts.map((text, i) => ({ id: String(i), text })) }) };
}

export interface PlatformMemory {
  id: string;
  memory: string;
  user_id: string;
  metadata: Record<string, unknown> | null;
  categories: string[];
  created_at: string;
  updated_at: string;
}

export interface FakePlatform {
  host: string;
  /** Memories the server holds, oldest first. */
  memories: PlatformMemory[];
  requests: { method: string; path: string; body: Record<string, unknown> | undefined }[];
  /** When set, `/v3/memories/add/` answers this status (an API error). */
  failAdds?: number;
  close(): Promise<void>;
}

/**
 * The mem0 platform endpoints `MemoryClient` uses: `GET /v1/ping/`, `POST /v3/memories/add/`
 * (answers the queued-event body; stores each message verbatim, as with `infer: false`),
 * `POST /v3/memories/search/` (`{ results }`), `POST /v3/memories/` (a page of memories), and
 * `GET` / `PUT /v1/memories/{id}/` (the memory; the updated memory with `text`).
 */
export async function startPlatform(): Promise<FakePlatform> {
  const state: FakePlatform = { host: '', memories: [], requests: [], close: async () => {} };
  const server = createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    const body = raw === '' ? undefined : (JSON.parse(raw) as Record<string, unknown>);
    const path = (req.url ?? '').split('?')[0] ?? '';
    state.requests.push({ method: req.method ?? 'GET', path, body });
    const send = (status: number, json: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(json));
    };
    if (req.headers.authorization !== 'Token test-key') return send(401, { detail: 'Invalid API key' });
    const filters = (body?.filters ?? {}) as { user_id?: string };
    const mine = state.memories.filter((m) => filters.user_id === undefined || m.user_id === filters.user_id);
    if (path === '/v1/ping/') {
      return send(200, {
        status: 'ok',
        org_id: 'org-test',
        project_id: 'proj-test',
        user_email: 'dev@example.com',
      });
    }
    if (path === '/v3/memories/add/') {
      if (state.failAdds !== undefined) return send(state.failAdds, { error: 'Internal server error' });
      const now = new Date().toISOString();
      for (const m of (body?.messages ?? []) as { content: string }[]) {
        state.memories.push({
          id: randomUUID(),
          memory: m.content,
          user_id: String(body?.user_id),
          metadata: (body?.metadata as Record<string, unknown>) ?? null,
          categories: [],
          created_at: now,
          updated_at: now,
        });
      }
      const queued = 'Memory processing has been queued for background execution';
      return send(200, { message: queued, status: 'PENDING', event_id: randomUUID() });
    }
    const one = state.memories.find((m) => path === `/v1/memories/${m.id}/`);
    if (one !== undefined && req.method === 'GET') return send(200, one);
    if (one !== undefined && req.method === 'PUT') {
      if (typeof body?.text === 'string') one.memory = body.text;
      if (body?.metadata !== undefined) one.metadata = body.metadata as Record<string, unknown>;
      one.updated_at = new Date().toISOString();
      const { memory, ...rest } = one;
      return send(200, { ...rest, text: memory, hash: 'test-hash' });
    }
    if (path === '/v3/memories/search/')
      return send(200, { results: mine.map((m) => ({ ...m, score: 0.5 })) });
    if (path === '/v3/memories/')
      return send(200, { count: mine.length, next: null, previous: null, results: mine });
    send(404, { detail: 'Not found.' });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  state.host = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** An OpenAI-style base URL on a loopback port nothing listens on. */
export async function freePortURL(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/v1`;
}
