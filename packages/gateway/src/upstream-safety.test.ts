import type { LookupFunction } from 'node:net';
import { InvalidOptionError } from '@memgar/core';
import type OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startUpstream } from '../test/fake-upstream.js';
import { BENIGN, CLIENT_KEY, type Harness, harness, UPSTREAM_KEY } from '../test/helpers.js';
import { createGatewayApp, type GatewayOptions } from './index.js';

const keys = [{ name: 'a', clientKey: CLIENT_KEY, upstreamKey: UPSTREAM_KEY }];
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: BENIGN }] };
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
  );

/** A DNS lookup answering from a table (each call takes the next answer for a name when given several). */
function tableLookup(
  table: Record<string, { address: string; family: number }[][]>,
): LookupFunction & { calls: string[] } {
  const calls: string[] = [];
  const fn = ((hostname: string, options: { all?: boolean }, cb: (...a: unknown[]) => void) => {
    calls.push(hostname);
    const answers = table[hostname];
    const answer = answers?.length && answers.length > 1 ? answers.shift() : answers?.[0];
    if (answer === undefined)
      return cb(Object.assign(new Error(`ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }));
    return options.all ? cb(null, answer) : cb(null, answer[0]?.address, answer[0]?.family);
  }) as LookupFunction & { calls: string[] };
  fn.calls = calls;
  return fn;
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('upstream address refusal (IP literals, checked when the gateway is created)', () => {
  const literal = [
    'http://127.0.0.1',
    'http://2130706433', // decimal
    'http://0177.0.0.1', // octal
    'http://0x7f.0.0.1', // hex
    'http://0x7f000001',
    'http://127.1', // short form
    'http://0.0.0.0',
    'http://10.0.0.1',
    'http://172.16.5.4',
    'http://192.168.1.1',
    'http://169.254.169.254', // cloud metadata
    'http://100.100.100.200', // Alibaba metadata (CGNAT range)
    'http://[::1]',
    'http://[::ffff:127.0.0.1]', // IPv4-mapped IPv6
    'http://[::ffff:a9fe:a9fe]', // mapped metadata address
    'http://[64:ff9b::7f00:1]', // NAT64 of 127.0.0.1
    'http://[fd00:ec2::254]', // AWS IPv6 metadata
    'http://[fe80::1]',
  ];
  it.each(literal)('refuses %s even when its host is allow-listed as written', (url) => {
    const host = new URL(url).host;
    const make = () => createGatewayApp({ upstreamBaseUrl: url, allowedUpstreamHosts: [host], keys });
    expect(make).toThrow(InvalidOptionError);
    expect(make).toThrow(/private, loopback, link-local or reserved/);
  });

  it('accepts them only with allowPrivateUpstreams (all, or the listed addresses)', async () => {
    const ok = createGatewayApp({
      upstreamBaseUrl: 'http://2130706433',
      allowedUpstreamHosts: ['127.0.0.1'],
      allowPrivateUpstreams: ['127.0.0.1'],
      keys,
    });
    await ok.close();
    const all = createGatewayApp({
      upstreamBaseUrl: 'http://[::1]:8080',
      allowedUpstreamHosts: ['[::1]'],
      allowPrivateUpstreams: true,
      keys,
    });
    await all.close();
    expect(() =>
      createGatewayApp({
        upstreamBaseUrl: 'http://10.0.0.1',
        allowedUpstreamHosts: ['10.0.0.1'],
        allowPrivateUpstreams: ['127.0.0.1'],
        keys,
      }),
    ).toThrow(InvalidOptionError);
  });

  it('allows only exact hosts (and ports when pinned), http(s) only, no credentials in the URL', () => {
    const bad: Partial<GatewayOptions>[] = [
      { upstreamBaseUrl: 'https://api.openai.com', allowedUpstreamHosts: ['openai.com'] },
      { upstreamBaseUrl: 'https://api.openai.com.evil.example', allowedUpstreamHosts: ['api.openai.com'] },
      { upstreamBaseUrl: 'https://api.openai.com:8443', allowedUpstreamHosts: ['api.openai.com:443'] },
      { upstreamBaseUrl: 'https://user:pw@api.openai.com', allowedUpstreamHosts: ['api.openai.com'] },
      { upstreamBaseUrl: 'file:///etc/passwd', allowedUpstreamHosts: ['api.openai.com'] },
      {
        upstreamBaseUrl: 'https://api.openai.com',
        anthropicBaseUrl: 'https://evil.example',
        allowedUpstreamHosts: ['api.openai.com'],
      },
      { upstreamBaseUrl: 'https://api.openai.com', allowedUpstreamHosts: [] },
    ];
    for (const b of bad) {
      expect(() => createGatewayApp({ keys, ...b } as GatewayOptions), JSON.stringify(b)).toThrow(
        InvalidOptionError,
      );
    }
    const good = createGatewayApp({
      upstreamBaseUrl: 'https://API.OpenAI.com/',
      allowedUpstreamHosts: ['api.openai.com'],
      keys,
    });
    return good.close();
  });
});

describe('upstream address refusal at connect time (DNS names, custom lookup)', () => {
  it.each([
    ['loopback', [{ address: '127.0.0.1', family: 4 }]],
    ['IPv6 loopback', [{ address: '::1', family: 6 }]],
    ['IPv4-mapped loopback', [{ address: '::ffff:127.0.0.1', family: 6 }]],
    ['metadata', [{ address: '169.254.169.254', family: 4 }]],
    [
      'a public and a private answer',
      [
        { address: '8.8.8.8', family: 4 },
        { address: '127.0.0.1', family: 4 },
      ],
    ],
  ])('refuses a name resolving to %s (502), and nothing reaches the server', async (_name, answer) => {
    const up = await startUpstream();
    const lookup = tableLookup({ 'llm.internal.example': [answer] });
    h = await harness({
      upstreamBaseUrl: `http://llm.internal.example:${up.port}`,
      allowedUpstreamHosts: [`llm.internal.example:${up.port}`],
      allowPrivateUpstreams: false,
      lookup,
    });
    const e = await failure(h.openai.chat.completions.create(chat));
    expect(e?.status).toBe(502);
    expect(e?.code).toBe('upstream_address_refused');
    expect(lookup.calls).toContain('llm.internal.example');
    expect(up.requests).toHaveLength(0);
    await up.close();
  });

  it('checks every new connection: a name that rebinds to a refused address is refused on the next connect', async () => {
    const up = await startUpstream();
    const lookup = tableLookup({
      'llm.internal.example': [[{ address: '127.0.0.1', family: 4 }], [{ address: '127.0.0.2', family: 4 }]],
    });
    h = await harness({
      upstreamBaseUrl: `http://llm.internal.example:${up.port}`,
      allowedUpstreamHosts: [`llm.internal.example:${up.port}`],
      allowPrivateUpstreams: ['127.0.0.1'],
      lookup,
    });
    up.next({
      json: { id: 'c', object: 'chat.completion', created: 1, model: 'm', choices: [] },
      headers: { connection: 'close' },
    });
    await h.openai.chat.completions.create(chat);
    expect(up.requests).toHaveLength(1);
    const e = await failure(h.openai.chat.completions.create(chat));
    expect(e?.code).toBe('upstream_address_refused');
    expect(lookup.calls).toEqual(['llm.internal.example', 'llm.internal.example']);
    expect(up.requests).toHaveLength(1);
    await up.close();
  });
});

describe('redirects', () => {
  it.each([301, 302, 307, 308])(
    'does not follow a %i from the upstream (502); the target is never contacted',
    async (status) => {
      const target = await startUpstream();
      h = await harness();
      h.up.next({ status, headers: { location: `http://127.0.0.1:${target.port}/v1/chat/completions` } });
      const e = await failure(h.openai.chat.completions.create(chat));
      expect(e?.status).toBe(502);
      expect(e?.code).toBe('upstream_redirect');
      expect(target.requests).toHaveLength(0);
      await target.close();
    },
  );

  it('reports an unreachable upstream as 502 without details', async () => {
    const gone = await startUpstream();
    const port = gone.port;
    await gone.close();
    h = await harness({ upstreamBaseUrl: `http://127.0.0.1:${port}` });
    const e = await failure(h.openai.chat.completions.create(chat));
    expect(e?.status).toBe(502);
    expect(e?.code).toBe('upstream_unreachable');
  });
});
