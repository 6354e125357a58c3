import { fileURLToPath } from 'node:url';
import { CONFORMANCE_TEXTS as T } from '@memgar/adapter-testkit';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';

// The built bin runs in a real child process (turbo builds before it tests): transpiling core's
// sources in the child at start-up took 9 s alone and over a minute on a loaded CI machine.
const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

describe('memgar-mcp (stdio, child process)', () => {
  it('answers memgar_analyze over stdio', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [bin],
      stderr: 'pipe',
    });
    const client = new Client({ name: 'test', version: '1.0.0' });
    await client.connect(transport);
    try {
      const call = async (content: string) => {
        const r = await client.callTool({ name: 'memgar_analyze', arguments: { content } });
        return JSON.parse((r.content as { text: string }[])[0]?.text ?? '') as { decision: string };
      };
      expect(['block', 'quarantine']).toContain((await call(T.attack)).decision);
      expect((await call(T.benign)).decision).toBe('allow');
    } finally {
      await client.close();
    }
  }, 60_000);
});
