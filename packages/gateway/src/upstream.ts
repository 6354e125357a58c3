import { lookup as dnsLookup } from 'node:dns';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP, type LookupFunction } from 'node:net';
import { InvalidOptionError, MemgarError } from '@memgar/core';
import { Agent, type Dispatcher } from 'undici';
import type { AddressPolicy } from './address-policy.js';

type LookupAddress = { address: string; family: number };

/**
 * A DNS lookup that refuses a host when any address it resolves to is refused by `policy`. It runs
 * at connect time, for every connection, so a name that resolves to a public address when checked
 * and to a private one when used (DNS rebinding) is still refused.
 */
export function guardedLookup(
  policy: AddressPolicy,
  base: LookupFunction = dnsLookup as LookupFunction,
): LookupFunction {
  return ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    base(hostname, { ...options, all: true }, ((
      error: Error | null,
      found: LookupAddress[] | string,
      family?: number,
    ) => {
      if (error) return callback(error);
      const list = Array.isArray(found) ? found : [{ address: found, family: family ?? 4 }];
      const bad = list.find((a) => !policy.allows(a.address));
      if (bad !== undefined || list.length === 0) {
        return callback(refused(hostname, bad?.address ?? 'no address'));
      }
      const first = list[0] as LookupAddress;
      return options?.all ? callback(null, list) : callback(null, first.address, first.family);
    }) as never);
  }) as LookupFunction;
}

const refused = (host: string, address: string) =>
  new InvalidOptionError(
    'upstreamBaseUrl',
    `upstream ${host} is at ${address}, a private, loopback, link-local or reserved address (allowPrivateUpstreams to allow it)`,
  );

/** Whether `error` (or an error in its cause chain) is an upstream address refusal. */
export function isAddressRefusal(error: unknown): boolean {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (MemgarError.isInstance(e) && e.code === 'INVALID_OPTION') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

export interface UpstreamOptions {
  baseUrls: Record<'openai' | 'anthropic', string>;
  allowedHosts: readonly string[];
  policy: AddressPolicy;
  lookup?: LookupFunction | undefined;
  connectTimeoutMs: number;
}

/** `host` (with a port when the entry has one) of an allow-list entry or URL, canonical (IP forms normalized). */
function canonicalHost(entry: string, option: string): { host: string; hostname: string; withPort: boolean } {
  try {
    const url = new URL(`http://${entry}`);
    return { host: url.host, hostname: url.hostname, withPort: url.port !== '' };
  } catch {
    throw new InvalidOptionError(option, `${option}: "${entry}" is not a host name`);
  }
}

/**
 * The upstream side: fixed base URLs whose hosts are on an exact allow-list, one connection pool
 * whose DNS lookups are checked against the address policy, no redirects followed.
 */
export class Upstream {
  readonly #agent: Agent;
  readonly #bases: Record<'openai' | 'anthropic', URL>;

  constructor(o: UpstreamOptions) {
    if (!Array.isArray(o.allowedHosts) || o.allowedHosts.length === 0) {
      throw new InvalidOptionError(
        'allowedUpstreamHosts',
        'allowedUpstreamHosts must list at least one host',
      );
    }
    const allowed = o.allowedHosts.map((h) => canonicalHost(String(h), 'allowedUpstreamHosts'));
    const check = (text: string, option: string): URL => {
      let url: URL;
      try {
        url = new URL(text);
      } catch {
        throw new InvalidOptionError(
          option,
          `${option} must be an absolute http(s) URL, got ${String(text)}`,
        );
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        throw new InvalidOptionError(option, `${option} must be http or https, got ${url.protocol}`);
      }
      if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
        throw new InvalidOptionError(option, `${option} must not carry credentials, a query or a fragment`);
      }
      if (!allowed.some((a) => (a.withPort ? a.host === url.host : a.hostname === url.hostname))) {
        throw new InvalidOptionError(option, `${option}: host ${url.host} is not in allowedUpstreamHosts`);
      }
      if (isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0 && !o.policy.allows(url.hostname)) {
        throw refused(url.hostname, url.hostname);
      }
      return url;
    };
    this.#bases = {
      openai: check(o.baseUrls.openai, 'upstreamBaseUrl'),
      anthropic: check(o.baseUrls.anthropic, 'anthropicBaseUrl'),
    };
    this.#agent = new Agent({
      connect: { lookup: guardedLookup(o.policy, o.lookup), timeout: o.connectTimeoutMs },
      keepAliveTimeout: 10_000,
    });
  }

  /** The base URL of a provider (no credentials, so safe to show). */
  base(provider: 'openai' | 'anthropic'): string {
    return this.#bases[provider].href.replace(/\/$/, '');
  }

  /**
   * Sends a request to `pathAndQuery` under the provider's base URL; redirects are returned, not
   * followed. Resolves at the response headers (1xx skipped); rejects with undici's error (or
   * `abort`'s) when none come.
   */
  send(
    provider: 'openai' | 'anthropic',
    pathAndQuery: string,
    init: {
      method: string;
      headers: Record<string, string>;
      body?: Uint8Array | undefined;
      abort: UpstreamAbort;
      headersTimeout: number;
      bodyTimeout: number;
    },
  ): Promise<UpstreamResponse> {
    const base = this.#bases[provider];
    // Parsed like undici's request(url) parses it: the origin, and the path with its query.
    const url = new URL(`${base.origin}${base.pathname.replace(/\/+$/, '')}${pathAndQuery}`);
    const { abort } = init;
    return new Promise<UpstreamResponse>((resolve, reject) => {
      let body: UpstreamBody | undefined;
      let settled = false;
      const fail = (error: Error) => {
        if (body !== undefined) body.fail(error);
        else if (!settled) {
          settled = true;
          reject(error);
        }
      };
      abort.onAbort(fail);
      if (abort.aborted) return;
      this.#agent.dispatch(
        {
          origin: url.origin,
          path: url.pathname + url.search,
          method: init.method as Dispatcher.HttpMethod,
          headers: init.headers,
          body: init.body ?? null,
          headersTimeout: init.headersTimeout,
          bodyTimeout: init.bodyTimeout,
        },
        {
          onRequestStart(controller) {
            abort.attach(controller);
          },
          onResponseStart(controller, statusCode, headers) {
            if (statusCode < 200 || settled) return; // informational (1xx)
            settled = true;
            body = new UpstreamBody(controller);
            resolve({ statusCode, headers, body });
          },
          onResponseData(_controller, chunk) {
            body?.push(chunk);
          },
          onResponseEnd() {
            body?.end();
          },
          onResponseError(_controller, error) {
            fail(error);
          },
        },
      );
    });
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}

/** An upstream answer: status, headers (lower-case names, repeated ones as arrays), body. */
export interface UpstreamResponse {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: UpstreamBody;
}

/** Aborts one upstream call, before or after it started (the request timeout, a client gone). */
export class UpstreamAbort {
  #aborted = false;
  #controller: Dispatcher.DispatchController | undefined;
  #listener: ((error: Error) => void) | undefined;

  get aborted(): boolean {
    return this.#aborted;
  }

  abort(): void {
    if (this.#aborted) return;
    this.#aborted = true;
    const error = Object.assign(new Error('the upstream request was aborted'), {
      name: 'AbortError',
      code: 'UND_ERR_ABORTED',
    });
    this.#controller?.abort(error);
    this.#listener?.(error);
  }

  /** @internal */
  attach(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#aborted) controller.abort(new Error('the upstream request was aborted'));
  }

  /** @internal */
  onAbort(listener: (error: Error) => void): void {
    this.#listener = listener;
  }
}

/** Bytes queued before the upstream connection is paused (back-pressure from a slow client). */
const HIGH_WATER = 64 * 1024;

/**
 * An upstream body, fed by undici's dispatch handler: read whole (`bytes`) or chunk by chunk
 * (async iteration, pausing the connection when the reader falls behind). An error (timeout,
 * reset, abort) is thrown to the reader after the chunks that came before it.
 */
export class UpstreamBody implements AsyncIterable<Buffer> {
  readonly #controller: Dispatcher.DispatchController;
  #chunks: Buffer[] = [];
  #queued = 0;
  #ended = false;
  #error: Error | undefined;
  #discarded = false;
  /** Set when read whole: no pausing, and the reader is woken only at the end or past `max`. */
  #max: number | undefined;
  #wake: (() => void) | undefined;

  constructor(controller: Dispatcher.DispatchController) {
    this.#controller = controller;
  }

  /** @internal */
  push(chunk: Buffer): void {
    if (this.#discarded) return;
    this.#chunks.push(chunk);
    this.#queued += chunk.length;
    if (this.#max === undefined) {
      if (this.#queued > HIGH_WATER) this.#controller.pause();
      this.#notify();
    } else if (this.#queued > this.#max) this.#notify();
  }

  /** @internal */
  end(): void {
    this.#ended = true;
    this.#notify();
  }

  /** @internal */
  fail(error: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#notify();
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Drops the body (aborting the transfer if it is not over). */
  discard(): void {
    if (this.#discarded) return;
    this.#discarded = true;
    this.#chunks = [];
    this.#queued = 0;
    if (!this.#ended) {
      this.#ended = true;
      this.#error ??= new Error('the upstream body was discarded');
      if (!this.#controller.aborted) this.#controller.abort(this.#error);
    }
    this.#notify();
  }

  /** The whole body, or undefined past `max` bytes (then discarded); rejects with the transfer's error. */
  async bytes(max: number): Promise<Buffer | undefined> {
    this.#max = max;
    if (this.#controller.paused) this.#controller.resume();
    while (!this.#ended && this.#queued <= max) {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    if (this.#error !== undefined && this.#queued <= max) throw this.#error;
    if (this.#queued > max) {
      this.discard();
      return undefined;
    }
    const chunks = this.#chunks;
    return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.#queued);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    for (;;) {
      const chunk = this.#chunks.shift();
      if (chunk !== undefined) {
        this.#queued -= chunk.length;
        if (this.#controller.paused && this.#queued <= HIGH_WATER / 2) this.#controller.resume();
        yield chunk;
        continue;
      }
      if (this.#error !== undefined && !this.#discarded) throw this.#error;
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }
}
