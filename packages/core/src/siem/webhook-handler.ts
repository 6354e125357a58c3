import { BATCHING_KEYS, BatchingHandler, type BatchingOptions, pickBatching } from './batching-handler.js';
import { checkInt, checkKnownKeys, checkString, checkUrl } from './check-options.js';
import { type FetchLike, httpPost } from './http-post.js';
import { SiemDeliveryError } from './siem-delivery-error.js';
import type { SiemHandler } from './siem-handler.js';

export interface WebhookHandlerOptions extends BatchingOptions {
  /** Where to POST. */
  url: string;
  /** Extra request headers (e.g. an API key). @default none */
  headers?: Record<string, string>;
  /**
   * Signs each request with HMAC-SHA256: `x-memgar-timestamp: <unix seconds>` and
   * `<signatureHeader>: sha256=<hex of HMAC(secret, timestamp + "." + body)>`.
   * @default unsigned
   */
  secret?: string;
  /** The signature header's name. @default 'x-memgar-signature' */
  signatureHeader?: string;
  /** Abort a request after this many ms (then retried). @default 10000 */
  timeoutMs?: number;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: FetchLike;
}

const KEYS = [...BATCHING_KEYS, 'url', 'headers', 'secret', 'signatureHeader', 'timeoutMs', 'fetch'];

const encoder = new TextEncoder();

/** HMAC-SHA256 of `message` under `secret`, lowercase hex (Web Crypto; any modern runtime). */
export async function hmacSha256Hex(secret: string, message: string): Promise<string> {
  const subtle = (globalThis as { crypto?: typeof globalThis.crypto }).crypto?.subtle;
  if (!subtle) throw new SiemDeliveryError('webhook: no Web Crypto to sign with', { retryable: false });
  const key = await subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const sig = new Uint8Array(await subtle.sign('HMAC', key, encoder.encode(message)));
  let hex = '';
  for (const b of sig) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/**
 * A generic JSON webhook: each batch is one `POST` with `content-type: application/json` and a
 * JSON array of events as the body, optionally HMAC-signed. 5xx, 408, 429 and network errors are
 * retried; other 4xx fail the batch at once.
 */
export function createWebhookHandler<T extends object = object>(
  options: WebhookHandlerOptions,
): SiemHandler<T> {
  checkKnownKeys(options, KEYS);
  checkUrl('url', options.url);
  checkInt('timeoutMs', options.timeoutMs, 1);
  if (options.secret !== undefined) checkString('secret', options.secret);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const signatureHeader = (options.signatureHeader ?? 'x-memgar-signature').toLowerCase();
  return new BatchingHandler<T>({
    ...pickBatching(options),
    name: 'webhook',
    deliver: async (batch) => {
      const body = JSON.stringify(batch);
      const headers: Record<string, string> = { ...options.headers, 'content-type': 'application/json' };
      if (options.secret !== undefined) {
        const timestamp = String(Math.floor(Date.now() / 1000));
        headers['x-memgar-timestamp'] = timestamp;
        headers[signatureHeader] = `sha256=${await hmacSha256Hex(options.secret, `${timestamp}.${body}`)}`;
      }
      await httpPost('webhook', options.fetch, options.url, headers, body, timeoutMs);
    },
  });
}
