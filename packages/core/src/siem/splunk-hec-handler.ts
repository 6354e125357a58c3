import { BATCHING_KEYS, BatchingHandler, type BatchingOptions, pickBatching } from './batching-handler.js';
import { checkInt, checkKnownKeys, checkString, checkUrl } from './check-options.js';
import { eventTimeMs } from './event-time.js';
import { type FetchLike, httpPost } from './http-post.js';
import type { SiemHandler } from './siem-handler.js';

export interface SplunkHecHandlerOptions extends BatchingOptions {
  /**
   * The HEC base URL, e.g. `https://splunk.example.com:8088`; `/services/collector/event` is
   * appended unless the URL already has a path.
   */
  url: string;
  /** The HEC token, sent as `Authorization: Splunk <token>`. */
  token: string;
  /** The Splunk index. @default the token's default index */
  index?: string;
  /** The event `source`. @default 'memgar' */
  source?: string;
  /** The event `sourcetype`. @default 'ocsf:detection_finding' */
  sourcetype?: string;
  /** The event `host`. @default omitted (Splunk uses the sender) */
  host?: string;
  /** Abort a request after this many ms (then retried). @default 10000 */
  timeoutMs?: number;
  /** The fetch to use (e.g. with a proxy or custom CA). @default globalThis.fetch */
  fetch?: FetchLike;
}

const KEYS = [
  ...BATCHING_KEYS,
  'url',
  'token',
  'index',
  'source',
  'sourcetype',
  'host',
  'timeoutMs',
  'fetch',
];

/** @internal The collector endpoint for a base URL. */
export function hecEndpoint(url: string): string {
  const u = new URL(url);
  if (u.pathname === '' || u.pathname === '/') u.pathname = '/services/collector/event';
  return u.toString();
}

/**
 * Splunk HTTP Event Collector. Each batch is one `POST /services/collector/event` whose body is
 * the events' HEC envelopes (`{"time":…,"sourcetype":…,"event":{…}}`) joined by newlines.
 * 5xx, 408, 429 and network errors are retried; other 4xx (a bad token) fail the batch at once.
 */
export function createSplunkHecHandler<T extends object = object>(
  options: SplunkHecHandlerOptions,
): SiemHandler<T> {
  checkKnownKeys(options, KEYS);
  checkUrl('url', options.url);
  checkString('token', options.token);
  checkInt('timeoutMs', options.timeoutMs, 1);
  const endpoint = hecEndpoint(options.url);
  const headers = {
    authorization: `Splunk ${options.token}`,
    'content-type': 'application/json',
  };
  const meta: Record<string, string> = {
    source: options.source ?? 'memgar',
    sourcetype: options.sourcetype ?? 'ocsf:detection_finding',
  };
  if (options.index !== undefined) meta.index = options.index;
  if (options.host !== undefined) meta.host = options.host;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const bodies = new WeakMap<readonly T[], string>();
  return new BatchingHandler<T>({
    ...pickBatching(options),
    name: 'splunk-hec',
    deliver: async (batch) => {
      // Serialized once per batch, so a retry sends the same bytes (and the same `time`).
      let body = bodies.get(batch);
      if (body === undefined) {
        body = batch
          .map((event) => JSON.stringify({ time: eventTimeMs(event) / 1000, ...meta, event }))
          .join('\n');
        bodies.set(batch, body);
      }
      await httpPost('splunk-hec', options.fetch, endpoint, headers, body, timeoutMs);
    },
  });
}
