import type { Alert } from './alert.js';
import { checkInt, checkObject, fail } from './check-options.js';

/** Where and how alerts are POSTed. */
export interface AlertWebhookOptions {
  /** An `http:` or `https:` URL; each alert is POSTed to it as JSON. */
  url: string;
  /** Extra request headers (e.g. `authorization`). `content-type: application/json` is always set. @default {} */
  headers?: Record<string, string>;
  /** Per-attempt timeout. @default 5000 */
  timeoutMs?: number;
  /** Retries after the first attempt, on network errors, timeouts, 408, 429 and 5xx (never other 4xx). @default 3 */
  retries?: number;
  /** Wait before retry n (1-based) is `backoffMs × 2^(n-1)`. @default 1000 */
  backoffMs?: number;
  /**
   * Turns an alert into the request body (it is then `JSON.stringify`-ed), e.g.
   * `(a) => ({ text: a.summary })` for a Slack incoming webhook.
   * @default the `Alert` itself
   */
  format?: (alert: Alert) => unknown;
  /** The `fetch` to use. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
}

/** What one webhook delivery came to. */
export interface AlertWebhookOutcome {
  ok: boolean;
  /** Requests made (1 + retries used). */
  attempts: number;
  /** HTTP status of the last response, when there was one. */
  status?: number;
  /** The last network error or timeout, when there was one. */
  error?: unknown;
}

const KNOWN = ['url', 'headers', 'timeoutMs', 'retries', 'backoffMs', 'format', 'fetch'] as const;

/** @internal */
export function checkWebhookOptions(option: string, o: unknown): void {
  if (typeof o === 'string') {
    checkUrl(option, o);
    return;
  }
  if (!checkObject(option, o, KNOWN)) return;
  const v = o as AlertWebhookOptions;
  checkUrl(`${option}.url`, v.url);
  checkInt(`${option}.timeoutMs`, v.timeoutMs, 1);
  checkInt(`${option}.retries`, v.retries, 0);
  checkInt(`${option}.backoffMs`, v.backoffMs, 0);
  if (v.format !== undefined && typeof v.format !== 'function')
    fail(`${option}.format`, 'must be a function');
  if (v.fetch !== undefined && typeof v.fetch !== 'function') fail(`${option}.fetch`, 'must be a function');
  if (v.headers !== undefined) {
    if (typeof v.headers !== 'object' || v.headers === null || Array.isArray(v.headers)) {
      fail(`${option}.headers`, 'must be an object of strings');
    }
    for (const [k, h] of Object.entries(v.headers)) {
      if (typeof h !== 'string') fail(`${option}.headers.${k}`, 'must be a string');
    }
  }
}

function checkUrl(option: string, url: unknown): void {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === 'string' ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    fail(option, `must be an http(s) URL, got ${typeof url === 'string' ? url : typeof url}`);
  }
}

/**
 * @internal POSTs alerts as JSON with a per-attempt timeout and bounded exponential retries.
 * Never throws: the outcome says what happened.
 */
export class WebhookSink {
  readonly #url: string;
  readonly #headers: Record<string, string>;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #backoffMs: number;
  readonly #format: (alert: Alert) => unknown;
  readonly #fetch: typeof globalThis.fetch | undefined;

  constructor(options: AlertWebhookOptions | string) {
    const o = typeof options === 'string' ? { url: options } : options;
    this.#url = o.url;
    this.#headers = { ...(o.headers ?? {}), 'content-type': 'application/json' };
    this.#timeoutMs = o.timeoutMs ?? 5000;
    this.#retries = o.retries ?? 3;
    this.#backoffMs = o.backoffMs ?? 1000;
    this.#format = o.format ?? ((a) => a);
    this.#fetch = o.fetch;
  }

  async deliver(alert: Alert): Promise<AlertWebhookOutcome> {
    let body: string;
    try {
      body = JSON.stringify(this.#format(alert));
    } catch (error) {
      return { ok: false, attempts: 0, error };
    }
    const doFetch = this.#fetch ?? globalThis.fetch;
    let last: AlertWebhookOutcome = { ok: false, attempts: 0 };
    for (let attempt = 1; attempt <= this.#retries + 1; attempt++) {
      if (attempt > 1 && this.#backoffMs > 0) await sleep(this.#backoffMs * 2 ** (attempt - 2));
      try {
        const res = await doFetch(this.#url, {
          method: 'POST',
          headers: this.#headers,
          body,
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
        // Drain the body so the connection can be reused.
        await res.arrayBuffer().catch(() => undefined);
        if (res.ok) return { ok: true, attempts: attempt, status: res.status };
        last = { ok: false, attempts: attempt, status: res.status };
        if (!retryable(res.status)) return last;
      } catch (error) {
        last = { ok: false, attempts: attempt, error };
      }
    }
    return last;
  }
}

function retryable(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
