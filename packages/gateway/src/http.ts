import type { Dispatcher } from 'undici';

type Body = Dispatcher.ResponseData['body'];

/**
 * The body of `req`, refusing more than `max` bytes or a client slower than `timeoutMs`. Under
 * Node's HTTP server it reads the `IncomingMessage` itself (no web-stream conversion).
 */
export async function readBody(
  req: Request,
  max: number,
  timeoutMs: number,
  incoming?: NodeJS.ReadableStream,
): Promise<Uint8Array | 'too_large' | 'timeout'> {
  if (Number(req.headers.get('content-length') ?? 0) > max) return 'too_large';
  const source = incoming ?? req.body;
  if (source === null) return new Uint8Array(0);
  const it = (source as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    for (;;) {
      const r = await Promise.race([it.next(), timeout]);
      if (r !== 'timeout' && r.done) break;
      size += r === 'timeout' ? 0 : r.value.byteLength;
      if (r === 'timeout' || size > max) {
        it.return?.().catch(() => {});
        return r === 'timeout' ? 'timeout' : 'too_large';
      }
      chunks.push(r.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : Buffer.concat(chunks, size);
}

/** Drops an upstream body (the abort error it may emit is expected). */
export const discard = (body: Body) => void body.on('error', () => {}).destroy();

/** An upstream body as text, or undefined past `max` bytes. */
export async function readText(body: Body, max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > max) {
      discard(body);
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** One response header as a string. */
export function header(headers: Dispatcher.ResponseData['headers'], name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
}

/** JSON text as an object, or undefined. */
export function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v)
      ? (v as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Whether an undici error (or an aborted signal) means the time ran out. */
export const timedOut = (error: unknown, signal: AbortSignal) =>
  signal.aborted || /TIMEOUT/.test(String((error as { code?: unknown } | undefined)?.code));
