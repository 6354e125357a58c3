import { InvalidOptionError } from '@memgar/core';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from './config.js';
import { MemoryRateLimitStore, redisRateLimitStore } from './limits.js';

const YAML = `
host: 127.0.0.1
upstreamBaseUrl: https://api.openai.com
anthropicBaseUrl: https://api.anthropic.com
allowedUpstreamHosts: [api.openai.com, api.anthropic.com]
adminToken: \${ADMIN}
keys:
  - name: support-bot
    clientKey: \${BOT_KEY}
    upstreamKey: \${OPENAI_API_KEY}
    rateLimit: { requestsPerMinute: 600, burst: 60 }
scan: { messages: new }
dlp: { responses: { pii: allow } }
canaries: [{ token: QZXVHK-PLMWRT-BNCJDS-FGHKLA, label: system-prompt }]
limits: { maxBodyBytes: 1048576, maxConcurrent: 32 }
`;
const env = { ADMIN: 'admin-token-0123456789', BOT_KEY: 'bot-key', OPENAI_API_KEY: 'sk-x' };

describe('loadGatewayConfig', () => {
  it('reads the YAML options with variables from the environment and a default port', () => {
    const c = loadGatewayConfig(YAML, env);
    expect(c.port).toBe(8787);
    expect(c.keys).toEqual([
      {
        name: 'support-bot',
        clientKey: 'bot-key',
        upstreamKey: 'sk-x',
        rateLimit: { requestsPerMinute: 600, burst: 60 },
      },
    ]);
    expect(c).toMatchObject({
      adminToken: env.ADMIN,
      scan: { messages: 'new' },
      limits: { maxConcurrent: 32 },
    });
  });

  it('refuses a missing variable, an unknown key and invalid YAML with typed errors', () => {
    expect(() => loadGatewayConfig(YAML, { ...env, OPENAI_API_KEY: undefined })).toThrow(
      /keys\[0\]\.upstreamKey: environment variable OPENAI_API_KEY/,
    );
    expect(() => loadGatewayConfig('upstreamBaseUrl: x\nenforcer: y\n', env)).toThrow(InvalidOptionError);
    expect(() => loadGatewayConfig('keys: [unclosed', env)).toThrow(InvalidOptionError);
    expect(() => loadGatewayConfig('- a list', env)).toThrow(InvalidOptionError);
  });
});

describe('rate-limit stores', () => {
  it('refills the in-memory bucket at the configured rate and reports the wait', async () => {
    let now = 0;
    const s = new MemoryRateLimitStore(() => now);
    const limit = { requestsPerMinute: 6, burst: 1 }; // one token per 10 s
    expect(await s.take('k', limit)).toEqual({ allowed: true, retryAfterMs: 0 });
    expect(await s.take('k', limit)).toEqual({ allowed: false, retryAfterMs: 10_000 });
    now = 4000;
    expect(await s.take('k', limit)).toEqual({ allowed: false, retryAfterMs: 6000 });
    now = 10_000;
    expect((await s.take('k', limit)).allowed).toBe(true);
    expect((await s.take('other', limit)).allowed).toBe(true);
  });

  it('needs a client with eval for the Redis store', () => {
    expect(() => redisRateLimitStore({} as never)).toThrow(InvalidOptionError);
  });
});
