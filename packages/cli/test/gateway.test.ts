// `memgar gateway` as a real process (the built CLI) in front of a loopback OpenAI-compatible upstream.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTACK, BIN, cli } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'memgar-cli-gateway-'));
const env = { GATEWAY_CLIENT_KEY: 'cli-test-client-key', UPSTREAM_KEY: 'sk-cli-test-upstream-key' };
let upstream: Server;
let port = 0;
const seen: { path: string; headers: IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ path: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1_700_000_000,
          model: 'gpt-4o-mini',
          choices: [{ index: 0, message: { role: 'assistant', content: 'Paris.' }, finish_reason: 'stop' }],
        }),
      );
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  port = (upstream.address() as AddressInfo).port;
  writeFileSync(
    join(tmp, 'gateway.yaml'),
    [
      `upstreamBaseUrl: http://127.0.0.1:${port}`,
      'allowedUpstreamHosts: [127.0.0.1]',
      'allowPrivateUpstreams: [127.0.0.1]',
      'keys:',
      '  - name: cli-test',
      `    clientKey: $\{GATEWAY_CLIENT_KEY}`,
      `    upstreamKey: $\{UPSTREAM_KEY}`,
      'limits: { maxConcurrent: 8 }',
    ].join('\n'),
  );
});

afterAll(async () => {
  await new Promise((r) => upstream.close(r));
  rmSync(tmp, { recursive: true, force: true });
});

/** Starts `memgar gateway`, resolving with its URL once it listens. */
function startCli(args: string[]): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [BIN, 'gateway', ...args], {
    cwd: tmp,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      const url = /listening on (http:\/\/\S+)/.exec(stderr)?.[1];
      if (url) resolve({ child, url, stderr: () => stderr });
    });
    child.once('exit', (code) => reject(new Error(`gateway exited with ${code}: ${stderr}`)));
  });
}

const chat = (url: string, content: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${env.GATEWAY_CLIENT_KEY}` },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }] }),
  });

describe('memgar gateway (built CLI)', () => {
  it('serves the configured gateway, exchanges the key, refuses an attack, logs without secrets and stops on SIGTERM', async () => {
    const { child, url, stderr } = await startCli(['--config', 'gateway.yaml', '--port', '0']);
    try {
      const ok = await chat(url, 'What is the capital of France?');
      expect(ok.status).toBe(200);
      expect(
        ((await ok.json()) as { choices: { message: { content: string } }[] }).choices[0]?.message.content,
      ).toBe('Paris.');
      expect(seen.at(-1)?.headers.authorization).toBe(`Bearer ${env.UPSTREAM_KEY}`);
      const bad = await chat(url, ATTACK);
      expect(bad.status).toBe(403);
      expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('memgar_blocked');
      expect(seen).toHaveLength(1);
    } finally {
      const exited = new Promise<number | null>((r) => child.once('exit', r));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    const lines = stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { status: number; key: string; outcome: string });
    expect(lines.map((l) => [l.status, l.key, l.outcome])).toEqual([
      [200, 'cli-test', 'ok'],
      [403, 'cli-test', 'request_blocked'],
    ]);
    expect(stderr()).toContain('memgar gateway stopped');
    expect(stderr()).not.toContain(env.UPSTREAM_KEY);
    expect(stderr()).not.toContain(env.GATEWAY_CLIENT_KEY);
  });

  it('exits 2 on a missing config file, a missing variable or an option the gateway refuses', () => {
    const missing = cli(['gateway', '--config', 'nope.yaml'], { cwd: tmp });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("cannot read config 'nope.yaml'");
    const noVar = cli(['gateway', '--config', 'gateway.yaml'], {
      cwd: tmp,
      env: { GATEWAY_CLIENT_KEY: 'x' },
    });
    expect(noVar.status).toBe(2);
    expect(noVar.stderr).toContain('environment variable UPSTREAM_KEY is not set');
    writeFileSync(
      join(tmp, 'private.yaml'),
      'upstreamBaseUrl: http://169.254.169.254\nallowedUpstreamHosts: [169.254.169.254]\nkeys: [{ name: a, clientKey: k, upstreamKey: u }]\n',
    );
    const privateUpstream = cli(['gateway', '--config', 'private.yaml'], { cwd: tmp });
    expect(privateUpstream.status).toBe(2);
    expect(privateUpstream.stderr).toContain('[INVALID_OPTION]');
  });
});

describe('lazy loading', () => {
  it('memgar analyze does not load the gateway or its HTTP stack; mcp-proxy does', () => {
    const log = join(tmp, 'loaded.txt');
    writeFileSync(
      join(tmp, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}`,
    );
    writeFileSync(
      join(tmp, 'register.mjs'),
      "import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n",
    );
    const gatewayStack = /\/(hono|@hono|undici)[@/]|\/gateway\/dist\//;
    const run = (args: string[]) => {
      writeFileSync(log, '');
      const child = spawnSync(process.execPath, ['--import', join(tmp, 'register.mjs'), BIN, ...args], {
        cwd: tmp,
        encoding: 'utf8',
        input: '',
        timeout: 30_000,
      });
      return { status: child.status, loaded: readFileSync(log, 'utf8') };
    };
    const analyze = run(['analyze', 'I love to bake cookies on Sundays.']);
    expect(analyze.status).toBe(0);
    expect(analyze.loaded).toContain('/cli/dist/');
    expect(analyze.loaded).not.toMatch(gatewayStack);
    const proxy = run(['mcp-proxy', '--', process.execPath, '-e', '']);
    expect(proxy.status).toBe(0);
    expect(proxy.loaded).toMatch(gatewayStack);
  });
});
