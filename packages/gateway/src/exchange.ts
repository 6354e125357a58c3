import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './http.js';

/** Why a request body could not be read. */
export type BodyProblem = 'too_large' | 'timeout' | 'gone';

/**
 * One request as the gateway's handler sees it, whatever carries it: a Web `Request` (`app.fetch`)
 * or Node's `IncomingMessage` (the server's direct path). Both adapters give the handler the same
 * values, so the decisions cannot depend on the transport.
 */
export interface Exchange {
  method: string;
  /** The URL's path (as the WHATWG URL parser gives it). */
  path: string;
  /** The URL's query, with its `?` (or ''). */
  search: string;
  /** A request header by lower-case name; repeated headers are joined with `, ` (as `Headers.get` does). */
  header(name: string): string | undefined;
  /** The body, refusing more than `max` bytes or a client slower than `timeoutMs`. */
  body(max: number, timeoutMs: number): Promise<Uint8Array | BodyProblem>;
  /** Calls `fn` if the client goes away before the answer is complete; returns the unsubscribe function. */
  onGone(fn: () => void): () => void;
}

/** A streamed answer: text chunks pulled one by one; `cancel` when the client goes away. */
export interface ReplyStream {
  next(): Promise<IteratorResult<string, unknown>>;
  cancel(): Promise<void>;
}

/** The handler's answer, before any transport writes it. */
export type Reply =
  | { status: number; headers: Record<string, string>; body: string | Uint8Array; stream?: undefined }
  | { status: number; headers: Record<string, string>; stream: ReplyStream; body?: undefined };

/** A JSON answer (`content-type: application/json` unless `headers` name one). */
export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  const h = hasHeader(headers, 'content-type') ? headers : { ...headers, 'content-type': 'application/json' };
  return { status, headers: h, body: JSON.stringify(value) };
}

/** Statuses whose responses carry no body. */
const NULL_BODY = new Set([101, 204, 205, 304]);

const hasHeader = (headers: Record<string, string>, name: string) =>
  Object.keys(headers).some((k) => k.toLowerCase() === name);

// ---------------------------------------------------------------------------------------------
// Web-standard side: app.fetch(request) → Response.

/**
 * The exchange of a Web `Request`. `incoming`: Node's request when @hono/node-server serves it;
 * its body is then read from it directly, as the direct path reads it.
 */
export function webExchange(req: Request, incoming?: IncomingMessage): Exchange {
  const url = new URL(req.url);
  const header = (name: string) => req.headers.get(name) ?? undefined;
  return {
    method: req.method,
    path: url.pathname,
    search: url.search,
    header,
    body: async (max, timeoutMs) =>
      incoming !== undefined
        ? readIncoming(incoming, header('content-length'), max, timeoutMs)
        : readBody(req, max, timeoutMs).catch(() => 'gone' as const),
    onGone(fn) {
      const signal = req.signal;
      if (signal === undefined || signal === null) return () => {};
      signal.addEventListener('abort', fn, { once: true });
      return () => signal.removeEventListener('abort', fn);
    },
  };
}

/** A reply as a Web `Response`. */
export function toResponse(reply: Reply): Response {
  if (reply.stream === undefined) {
    const body = NULL_BODY.has(reply.status)
      ? null
      : (reply.body as ConstructorParameters<typeof Response>[0]);
    return new Response(body, { status: reply.status, headers: reply.headers });
  }
  const s = reply.stream;
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const r = await s.next();
      if (r.done) controller.close();
      else controller.enqueue(encoder.encode(r.value));
    },
    cancel: () => s.cancel(),
  });
  return new Response(body, { status: reply.status, headers: reply.headers });
}

// ---------------------------------------------------------------------------------------------
// Node side: the server's direct path, without Request/Response objects.

const HTTP_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

/**
 * Request headers from Node's raw list, joined like `Headers` joins them: repeated names with
 * `, `, values trimmed of HTTP whitespace. (`IncomingMessage.headers` keeps only the first
 * `Authorization` or `Content-Type`; the Web side sees all of them, so this side must too.)
 */
export function rawHeaderReader(raw: readonly string[]): (name: string) => string | undefined {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = (raw[i] as string).toLowerCase();
    const value = (raw[i + 1] as string).replace(HTTP_WHITESPACE, '');
    const seen = map.get(name);
    map.set(name, seen === undefined ? value : `${seen}${name === 'cookie' ? '; ' : ', '}${value}`);
  }
  return (name) => map.get(name);
}

/** Reads a Node request body with events (no async iterator, no per-chunk promise). */
export function readIncoming(
  incoming: IncomingMessage,
  declared: string | undefined,
  max: number,
  timeoutMs: number,
): Promise<Uint8Array | BodyProblem> {
  if (Number(declared ?? 0) > max) return Promise.resolve('too_large');
  if (incoming.readableEnded) return Promise.resolve(new Uint8Array(0));
  if (incoming.destroyed) return Promise.resolve('gone'); // the client left before its body was read
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (result: Uint8Array | BodyProblem) => {
      clearTimeout(timer);
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onGone);
      incoming.off('close', onGone);
      if (typeof result === 'string') incoming.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) done('too_large');
      else chunks.push(chunk);
    };
    const onEnd = () => done(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    const onGone = () => done('gone');
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    incoming.on('data', onData);
    incoming.on('end', onEnd);
    incoming.on('error', onGone);
    incoming.on('close', onGone);
  });
}

/** The exchange of a Node request (its URL already split into path and query). */
export function nodeExchange(
  incoming: IncomingMessage,
  res: ServerResponse,
  path: string,
  search: string,
): Exchange {
  const header = rawHeaderReader(incoming.rawHeaders);
  return {
    method: incoming.method ?? 'GET',
    path,
    search,
    header,
    body: (max, timeoutMs) => readIncoming(incoming, header('content-length'), max, timeoutMs),
    onGone(fn) {
      const onClose = () => {
        if (!res.writableFinished) fn();
      };
      res.once('close', onClose);
      return () => res.off('close', onClose);
    },
  };
}

const DRAIN_TIMEOUT_MS = 500;
const MAX_DRAIN_BYTES = 64 * 1024 * 1024;

/**
 * After an answer sent before the request body was read to its end (a refusal): read and drop
 * the rest for a short while so the connection can be reused, then close it.
 */
function drainAfter(incoming: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => {
    if (incoming.readableEnded || incoming.destroyed) return;
    let read = 0;
    const stop = () => {
      clearTimeout(timer);
      incoming.off('data', onData);
      incoming.off('end', cleanup);
      incoming.off('error', cleanup);
      incoming.socket?.destroySoon?.();
    };
    const cleanup = () => {
      clearTimeout(timer);
      incoming.off('data', onData);
      incoming.off('end', cleanup);
      incoming.off('error', cleanup);
    };
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > MAX_DRAIN_BYTES) stop();
    };
    const timer = setTimeout(stop, DRAIN_TIMEOUT_MS);
    timer.unref();
    incoming.on('data', onData);
    incoming.on('end', cleanup);
    incoming.on('error', cleanup);
    incoming.resume();
  });
}

/** Writes a reply to Node's response: one `end` for a body, chunk by chunk (with back-pressure) for a stream. */
export async function writeReply(
  incoming: IncomingMessage,
  res: ServerResponse,
  reply: Reply,
): Promise<void> {
  if (!incoming.readableEnded) drainAfter(incoming, res);
  if (reply.stream === undefined) {
    const body = reply.body;
    if (NULL_BODY.has(reply.status)) {
      res.writeHead(reply.status, reply.headers);
      res.end();
      return;
    }
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    res.writeHead(reply.status, { ...reply.headers, 'content-length': String(length) });
    res.end(body);
    return;
  }
  const s = reply.stream;
  let gone = false;
  const onClose = () => {
    if (res.writableFinished) return;
    gone = true;
    void s.cancel().catch(() => {});
  };
  res.once('close', onClose);
  if (res.destroyed) onClose();
  // What is written in one turn of the event loop (the headers, the events ready, the end) leaves
  // in one system call: the socket stays corked until that turn's check phase.
  let corked = false;
  const batch = () => {
    if (corked) return;
    corked = true;
    res.cork();
    setImmediate(() => {
      corked = false;
      res.uncork();
    });
  };
  try {
    batch();
    res.writeHead(reply.status, reply.headers);
    res.flushHeaders();
    for (;;) {
      const r = await s.next();
      if (r.done || gone) break;
      batch();
      if (!res.write(r.value) && !res.destroyed) {
        await new Promise<void>((resolve) => {
          const go = () => {
            res.off('drain', go);
            res.off('close', go);
            resolve();
          };
          res.on('drain', go);
          res.on('close', go);
        });
      }
    }
    if (!gone) {
      batch();
      res.end();
    }
  } catch {
    // The stream reports its own failures as events; anything else ends the connection.
    res.destroy();
  } finally {
    res.off('close', onClose);
  }
}
