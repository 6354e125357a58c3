import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import {
  Analyzer,
  InvalidOptionError,
  MemoryRuntimeEnforcer,
  type PolicyProfile,
  ReviewQueue,
} from '@memgar/core';
import type { EnforcerLike } from '@memgar/core/adapter-kit';
import {
  type CanaryRegistryLike,
  ContentGuard,
  type GatewayDecisionEvent,
  isRecord,
  type Part,
  setter,
} from './guard.js';

type Json = Record<string, unknown>;

export interface McpStdioProxyOptions {
  /** The MCP server to start (its stdin/stdout carry the protocol). */
  command: string;
  args?: readonly string[];
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Where the server's stderr goes. @default 'inherit' */
  stderr?: Writable | 'inherit';
  /** Decides tool descriptions, arguments, results and resource contents. @default a MemoryRuntimeEnforcer over Analyzer({ profile }) */
  enforcer?: EnforcerLike;
  /** Policy profile of the default enforcer. @default 'balanced' */
  profile?: PolicyProfile;
  /** Canaries that must never appear in tool-call arguments (an agent exfiltrating through a tool). @default none */
  canaries?: CanaryRegistryLike;
  /** Where held items are queued. @default a new ReviewQueue */
  reviewQueue?: ReviewQueue;
  /** Called for every decision; errors it throws are ignored. @default none */
  onDecision?: (event: GatewayDecisionEvent) => void;
  /** Notes about dropped frames (never content). @default none */
  onNotice?: (message: string) => void;
  /** The text that replaces a refused item. @default a one-line refusal naming the tool or resource and the rule */
  refusal?: (name: string, rule: string) => string;
  /** Longest frame (one line of JSON); longer ones are dropped. @default 16 MiB */
  maxFrameBytes?: number;
  /** How long a tools/call waits for a tools/list response in flight before it is decided. @default 30000 */
  listTimeoutMs?: number;
  /** Aborting it stops the server. */
  signal?: AbortSignal;
}

export interface McpStdioProxy {
  /** Filters a message from the client: what goes on to the server, and what is answered directly. */
  fromClient(message: unknown): Promise<{ server?: unknown; client?: unknown }>;
  /** Filters a message from the server; undefined when it is dropped. */
  fromServer(message: unknown): Promise<unknown>;
  /** Starts the server and relays `input` → server → `output` until the server exits; resolves to its exit code. */
  run(input: Readable, output: Writable): Promise<number>;
  readonly reviewQueue: ReviewQueue;
}

/** `promise`, or nothing after `ms`. */
function within(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const defaultRefusal = (name: string, rule: string) =>
  `[memgar] "${name}" was withheld: it looked like an injection (${rule}). Do not retry it blindly.`;

/** Calls `onLine` for each newline-delimited frame of `stream`, dropping frames over `max` bytes. */
function lines(stream: Readable, max: number, onLine: (line: string) => void, onDrop: () => void): void {
  let buffer = '';
  let dropping = false;
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    let text = chunk;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n')) {
      const line = (buffer + text.slice(0, nl)).replace(/\r$/, '');
      text = text.slice(nl + 1);
      buffer = '';
      if (dropping) dropping = false;
      else if (line.trim() !== '') onLine(line);
    }
    if (dropping) return;
    buffer += text;
    if (Buffer.byteLength(buffer) > max) {
      buffer = '';
      dropping = true;
      onDrop();
    }
  });
}

/**
 * An MCP proxy over stdio (newline-delimited JSON-RPC) between a client and a server it starts:
 * `tools/list` loses tools whose description or schema is refused, a `tools/call` reaches the
 * server only for a tool a filtered `tools/list` let through (a call pipelined behind a list waits
 * for it), its arguments decided (and checked for canaries) first, and
 * `tools/call` results and `resources/read` contents are decided before the client sees them
 * (refused items are replaced by a refusal, the result marked `isError`). Every other message
 * passes frame by frame, unchanged, with its JSON-RPC id.
 */
export function createMcpStdioProxy(options: McpStdioProxyOptions): McpStdioProxy {
  if (typeof options?.command !== 'string' || options.command === '') {
    throw new InvalidOptionError('command', 'command must name the MCP server to start');
  }
  const reviewQueue = options.reviewQueue ?? new ReviewQueue();
  const enforcer =
    options.enforcer ??
    new MemoryRuntimeEnforcer({
      analyzer: new Analyzer(options.profile ? { profile: options.profile } : {}),
    });
  const guard = new ContentGuard({
    enforcer,
    outputEnforcer: undefined,
    canaries: undefined,
    dlp: undefined,
    reviewQueue,
  });
  const refusal = options.refusal ?? defaultRefusal;
  const pending = new Map<string, { method: string; name: string }>();
  /** Tools the last filtered tools/list let through, and those it dropped. */
  const vetted = new Set<string>();
  const dropped = new Set<string>();
  /** Settles when the tools/list responses in flight have been filtered (a pipelined call waits for them). */
  let listing: { done: Promise<void>; settle(): void; count: number } | undefined;
  const listWait = options.listTimeoutMs ?? 30_000;
  const idKey = (id: unknown) => `${typeof id}:${String(id)}`;
  const str = (v: unknown) => (typeof v === 'string' ? v : '');

  type Item = Part & { refuse(text: string): void };
  /** Decides items; writes back rewrites and refusals; returns the first refusal's rule. */
  async function decideAll(
    items: Item[],
    stage: 'request' | 'response',
    route: string,
  ): Promise<string | undefined> {
    let refused: string | undefined;
    for (const o of await Promise.all(items.map((p) => guard.decide(p)))) {
      const { decision, allowed, rule, reason, riskScore } = o.verdict;
      const held =
        !allowed && decision !== 'block'
          ? await guard.hold(o, { method: route, name: o.part.name })
          : undefined;
      const action = !allowed ? 'refused' : o.changed ? 'sanitized' : 'pass';
      const event = {
        stage,
        route,
        where: o.part.where,
        decision,
        allowed,
        rule,
        reason,
        riskScore,
        action,
      } as const;
      try {
        options.onDecision?.({ ...event, requestId: '', ...(held ? { reviewId: held } : {}) });
      } catch {
        // A callback never changes a decision.
      }
      if (!allowed) {
        refused ??= rule;
        (o.part as Item).refuse(refusal(o.part.name ?? 'item', rule));
      } else if (o.changed) o.part.set(o.safe);
    }
    return refused;
  }

  const item = (
    where: string,
    via: Part['via'],
    name: string,
    value: unknown,
    set: (v: unknown) => void,
    refuse = set,
  ): Item => ({
    where,
    via,
    sourceType: via === 'retrieval' ? 'document' : 'tool',
    name,
    value,
    set,
    refuse,
  });
  const refusedCall = (id: unknown, name: string, rule: string) => ({
    jsonrpc: '2.0',
    id,
    result: { content: [{ type: 'text', text: refusal(name, rule) }], isError: true },
  });

  async function fromClient(msg: unknown): Promise<{ server?: unknown; client?: unknown; changed: boolean }> {
    if (!isRecord(msg) || typeof msg.method !== 'string' || msg.id === undefined)
      return { server: msg, changed: false };
    const params = isRecord(msg.params) ? msg.params : {};
    const name = str(params.name) || str(params.uri);
    pending.set(idKey(msg.id), { method: msg.method, name });
    if (msg.method === 'tools/list') {
      if (listing === undefined) {
        let settle = () => {};
        const done = new Promise<void>((resolve) => {
          settle = resolve;
        });
        listing = { done, settle, count: 0 };
      }
      listing.count++;
    }
    if (msg.method !== 'tools/call') return { server: msg, changed: false };
    if (listing !== undefined) await within(listing.done, listWait);
    if (!vetted.has(name)) {
      const rule = dropped.has(name) ? 'mcp:tool-description-refused' : 'mcp:tool-not-listed';
      return { client: refusedCall(msg.id, name, rule), changed: true };
    }
    const leak = options.canaries?.scan(JSON.stringify(params.arguments ?? {}))[0];
    if (leak !== undefined) return { client: refusedCall(msg.id, name, 'canary:leak'), changed: true };
    const set = setter(params, 'arguments');
    const args = {
      ...item('params.arguments', 'tool', name, params.arguments ?? {}, set),
      sourceType: 'agent' as const,
    };
    const rule = await decideAll([{ ...args, refuse: () => {} }], 'request', 'tools/call');
    if (rule !== undefined) return { client: refusedCall(msg.id, name, rule), changed: true };
    return { server: msg, changed: true };
  }

  async function fromServer(msg: unknown): Promise<{ message: unknown; changed: boolean }> {
    if (!isRecord(msg) || msg.method !== undefined || msg.id === undefined)
      return { message: msg, changed: false };
    const call = pending.get(idKey(msg.id));
    pending.delete(idKey(msg.id));
    try {
      return await filterResult(call, msg);
    } finally {
      if (call?.method === 'tools/list' && listing !== undefined && --listing.count <= 0) {
        listing.settle();
        listing = undefined;
      }
    }
  }

  async function filterResult(
    call: { method: string; name: string } | undefined,
    msg: Json,
  ): Promise<{ message: unknown; changed: boolean }> {
    if (!isRecord(msg.result)) return { message: msg, changed: false };
    const result = msg.result;
    if (call?.method === 'tools/list' && Array.isArray(result.tools)) {
      const keep = new Set<Json>();
      const items = result.tools.flatMap((t, i): Item[] => {
        if (!isRecord(t) || typeof t.name !== 'string') return [];
        const meta: Json = { description: str(t.description), inputSchema: t.inputSchema ?? {} };
        for (const k of ['title', 'outputSchema'] as const) if (t[k] !== undefined) meta[k] = t[k];
        keep.add(t);
        dropped.delete(t.name);
        vetted.add(t.name);
        const name = t.name;
        return [
          item(
            `tools[${i}]`,
            'tool',
            name,
            meta,
            (v) => isRecord(v) && Object.assign(t, v),
            () => {
              keep.delete(t);
              vetted.delete(name);
              dropped.add(name);
            },
          ),
        ];
      });
      await decideAll(items, 'response', 'tools/list');
      result.tools = result.tools.filter((t) => keep.has(t as Json));
      return { message: msg, changed: true };
    }
    if (call?.method === 'tools/call') {
      const items: Item[] = [];
      for (const [i, c] of (Array.isArray(result.content) ? result.content : []).entries()) {
        const holder = isRecord(c) && c.type === 'resource' && isRecord(c.resource) ? c.resource : c;
        if (isRecord(holder) && typeof holder.text === 'string') {
          items.push(item(`content[${i}]`, 'tool', call.name, holder.text, setter(holder, 'text')));
        }
      }
      if (result.structuredContent !== undefined) {
        const set = setter(result, 'structuredContent');
        items.push(
          item(
            'structuredContent',
            'tool',
            call.name,
            result.structuredContent,
            set,
            () => delete result.structuredContent,
          ),
        );
      }
      const rule = await decideAll(items, 'response', 'tools/call');
      if (rule !== undefined) result.isError = true;
      return { message: msg, changed: items.length > 0 };
    }
    if (call?.method === 'resources/read' && Array.isArray(result.contents)) {
      const items = result.contents.flatMap((c, i): Item[] =>
        isRecord(c) && typeof c.text === 'string'
          ? [item(`contents[${i}]`, 'retrieval', str(c.uri) || call.name, c.text, setter(c, 'text'))]
          : [],
      );
      await decideAll(items, 'response', 'resources/read');
      return { message: msg, changed: items.length > 0 };
    }
    return { message: msg, changed: false };
  }

  /** A JSON-RPC error for a message that could not be checked (fail closed). */
  const failed = (id: unknown) => ({
    jsonrpc: '2.0',
    id,
    error: { code: -32603, message: 'memgar could not check this message' },
  });

  async function run(input: Readable, output: Writable): Promise<number> {
    const notice = (m: string) => options.onNotice?.(`memgar mcp-proxy: ${m}`);
    const max = options.maxFrameBytes ?? 16 * 1024 * 1024;
    const child = spawn(options.command, options.args ?? [], {
      stdio: [
        'pipe',
        'pipe',
        options.stderr === undefined || options.stderr === 'inherit' ? 'inherit' : 'pipe',
      ],
      env: options.env ?? process.env,
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    if (options.stderr !== undefined && options.stderr !== 'inherit')
      child.stderr?.pipe(options.stderr, { end: false });
    const stdin = child.stdin as Writable;
    options.signal?.addEventListener('abort', () => child.kill(), { once: true });
    const send = (stream: Writable, line: string) => void (stream.writable && stream.write(`${line}\n`));
    let clientChain = Promise.resolve();
    let serverChain = Promise.resolve();

    lines(
      input,
      max,
      (line) => {
        clientChain = clientChain.then(async () => {
          let msg: unknown;
          try {
            msg = JSON.parse(line);
          } catch {
            return send(stdin, line); // the server answers the parse error
          }
          const list = Array.isArray(msg) ? msg : [msg];
          const out = await Promise.all(
            list.map((m) =>
              fromClient(m).catch((): { server?: unknown; client?: unknown; changed: boolean } => ({
                client: failed(isRecord(m) ? m.id : null),
                changed: true,
              })),
            ),
          );
          const toServer = out.flatMap((o) => (o.server === undefined ? [] : [o.server]));
          const toClient = out.flatMap((o) => (o.client === undefined ? [] : [o.client]));
          if (toServer.length > 0) {
            const unchanged = out.every((o) => !o.changed);
            send(stdin, unchanged ? line : JSON.stringify(Array.isArray(msg) ? toServer : toServer[0]));
          }
          if (toClient.length > 0) send(output, JSON.stringify(Array.isArray(msg) ? toClient : toClient[0]));
        });
      },
      () => notice('dropped an oversized frame from the client'),
    );
    lines(
      child.stdout as Readable,
      max,
      (line) => {
        serverChain = serverChain.then(async () => {
          let msg: unknown;
          try {
            msg = JSON.parse(line);
          } catch {
            return notice('dropped a frame from the server that is not JSON');
          }
          const list = Array.isArray(msg) ? msg : [msg];
          const out = await Promise.all(
            list.map((m) =>
              fromServer(m).catch(() => ({ message: failed(isRecord(m) ? m.id : null), changed: true })),
            ),
          );
          const unchanged = out.every((o) => !o.changed);
          const messages = out.map((o) => o.message);
          send(output, unchanged ? line : JSON.stringify(Array.isArray(msg) ? messages : messages[0]));
        });
      },
      () => notice('dropped an oversized frame from the server'),
    );
    input.on('end', () => void clientChain.then(() => stdin.end()));
    stdin.on('error', () => {}); // the server went away; its exit code tells why

    return new Promise<number>((resolve, reject) => {
      child.once('error', (error) =>
        reject(
          new InvalidOptionError('command', `cannot start ${options.command}: ${error.message}`, {
            cause: error,
          }),
        ),
      );
      child.once('close', (code, signal) => {
        void serverChain.then(() => resolve(code ?? (signal === null ? 1 : 128 + 15)));
      });
    });
  }

  return {
    fromClient: async (m) => {
      const { changed: _c, ...rest } = await fromClient(m);
      return rest;
    },
    fromServer: async (m) => (await fromServer(m)).message,
    run,
    reviewQueue,
  };
}
