import { lookup as dnsLookup } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import { InvalidOptionError, MemgarError } from '@memgar/core';
import { Agent, type Dispatcher, request } from 'undici';
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

  /** Sends a request to `pathAndQuery` under the provider's base URL; redirects are returned, not followed. */
  send(
    provider: 'openai' | 'anthropic',
    pathAndQuery: string,
    init: {
      method: string;
      headers: Record<string, string>;
      body?: Uint8Array | undefined;
      signal: AbortSignal;
      headersTimeout: number;
      bodyTimeout: number;
    },
  ): Promise<Dispatcher.ResponseData> {
    const base = this.#bases[provider];
    const url = `${base.origin}${base.pathname.replace(/\/+$/, '')}${pathAndQuery}`;
    return request(url, { ...init, method: init.method as Dispatcher.HttpMethod, dispatcher: this.#agent });
  }

  close(): Promise<void> {
    return this.#agent.close();
  }
}
