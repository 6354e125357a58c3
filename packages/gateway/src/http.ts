import type { IncomingHttpHeaders } from 'node:http';

/**
 * The body of a Web `Request`, refusing more than `max` bytes or a client slower than `timeoutMs`.
 * (Under Node's server the `IncomingMessage` is read instead: `readIncoming`.)
 */
export async function readBody(
  req: Request,
  max: number,
  timeoutMs: number,
): Promise<Uint8Array | 'too_large' | 'timeout'> {
  if (Number(req.headers.get('content-length') ?? 0) > max) return 'too_large';
  const source = req.body;
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

/** One response header as a string. */
export function header(headers: IncomingHttpHeaders, name: string): string {
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

/** Whether an undici error (or an aborted call) means the time ran out. */
export const timedOut = (error: unknown, call: { readonly aborted: boolean }) =>
  call.aborted || /TIMEOUT/.test(String((error as { code?: unknown } | undefined)?.code));
