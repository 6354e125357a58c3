import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTACK } from '../test/helpers.js';
import { createMcpStdioProxy } from './index.js';

// The proxy runs from this package's source in a real child process (core's test hooks transpile
// the TypeScript; @memgar/core is its build), and starts the fixture server.
const proxyBin = fileURLToPath(new URL('../test/mcp-proxy-bin.ts', import.meta.url));
const serverScript = fileURLToPath(new URL('../test/mcp-server.mjs', import.meta.url));
const hooks = fileURLToPath(import.meta.resolve('@memgar/core/package.json')).replace(
  /package\.json$/,
  'src/test-support/register-ts.mjs',
);

type Text = { type: string; text: string };

describe('MCP stdio proxy (real SDK Client → proxy process → real SDK McpServer)', () => {
  let client: Client;
  let stderr = '';
  beforeAll(async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', hooks, proxyBin, '--', process.execPath, serverScript],
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    client = new Client({ name: 'test-client', version: '1.0.0' });
    await client.connect(transport);
  }, 60_000);
  afterAll(async () => {
    await client?.close();
  });

  it('drops a tool with a poisoned description from tools/list and refuses calls to it without reaching the server', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['echo', 'fetch_page', 'search', 'weather']);
    const r = await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } });
    expect(r.isError).toBe(true);
    expect((r.content as Text[])[0]?.text).toContain('mcp:tool-description-refused');
    expect(stderr).not.toContain('called:add');
  });

  it('passes a clean tool result and replaces a poisoned one (isError)', async () => {
    const ok = await client.callTool({ name: 'weather', arguments: {} });
    expect(ok.isError).toBeFalsy();
    expect(ok.content).toEqual([{ type: 'text', text: 'Sunny, 21 degrees, light wind.' }]);
    const bad = await client.callTool({ name: 'fetch_page', arguments: {} });
    expect(bad.isError).toBe(true);
    const text = (bad.content as Text[]).map((c) => c.text).join(' ');
    expect(text).toContain('"fetch_page" was withheld');
    expect(text).not.toContain('customer list');
  });

  it('decides tool-call arguments before the server sees them', async () => {
    const ok = await client.callTool({ name: 'echo', arguments: { message: 'hello' } });
    expect(ok.content).toEqual([{ type: 'text', text: 'hello' }]);
    const bad = await client.callTool({ name: 'echo', arguments: { message: ATTACK } });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).not.toContain('evil-payments');
    expect(stderr.match(/called:echo/g)).toHaveLength(1);
  });

  it('removes poisoned structuredContent and marks the result as an error', async () => {
    const r = await client.callTool({ name: 'search', arguments: {} });
    expect(r.isError).toBe(true);
    expect(r.structuredContent).toBeUndefined();
    expect(JSON.stringify(r)).not.toContain('customer list');
  });

  it('filters resources/read contents', async () => {
    const faq = await client.readResource({ uri: 'docs://faq' });
    expect((faq.contents[0] as { text: string }).text).toBe('Shipping is free for orders over 50 euros.');
    const page = await client.readResource({ uri: 'docs://page' });
    expect((page.contents[0] as { text: string }).text).toContain('"docs://page" was withheld');
  });
});

describe('createMcpStdioProxy message filters', () => {
  it('keeps JSON-RPC ids: a refused call is answered under the request id; other messages pass unchanged', async () => {
    const proxy = createMcpStdioProxy({ command: 'unused' });
    const unlisted = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', arguments: {} } };
    expect(JSON.stringify((await proxy.fromClient(unlisted)).client)).toContain('mcp:tool-not-listed');
    await proxy.fromClient({ jsonrpc: '2.0', id: 'l', method: 'tools/list', params: {} });
    const echo = { name: 'echo', description: 'Echoes a message.', inputSchema: { type: 'object' } };
    const listed = await proxy.fromServer({ jsonrpc: '2.0', id: 'l', result: { tools: [echo] } });
    expect(listed).toEqual({ jsonrpc: '2.0', id: 'l', result: { tools: [echo] } });
    const call = {
      jsonrpc: '2.0',
      id: 'req-7',
      method: 'tools/call',
      params: { name: 'echo', arguments: { message: ATTACK } },
    };
    const r = await proxy.fromClient(call);
    expect(r.server).toBeUndefined();
    expect(r.client).toMatchObject({ jsonrpc: '2.0', id: 'req-7', result: { isError: true } });
    const ping = { jsonrpc: '2.0', id: 8, method: 'ping' };
    expect(await proxy.fromClient(ping)).toEqual({ server: ping });
    const note = { jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 1 } };
    expect(await proxy.fromServer(note)).toBe(note);
    expect(await proxy.fromServer({ jsonrpc: '2.0', id: 8, result: {} })).toEqual({
      jsonrpc: '2.0',
      id: 8,
      result: {},
    });
  });

  it('fails to start a missing server with a typed error', async () => {
    const { PassThrough } = await import('node:stream');
    const proxy = createMcpStdioProxy({ command: '/nonexistent/mcp-server' });
    await expect(proxy.run(new PassThrough(), new PassThrough())).rejects.toThrow(/cannot start/);
    expect(() => createMcpStdioProxy({ command: '' })).toThrow(/command/);
  });
});
