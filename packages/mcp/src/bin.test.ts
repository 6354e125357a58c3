import { fileURLToPath } from 'node:url';
import { CONFORMANCE_TEXTS as T } from '@memgar/adapter-testkit';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { describe, expect, it } from 'vitest';

// The TypeScript source runs in a real child process: Node's module hooks from core's test support
// transpile it, and the `@memgar/source` condition maps @memgar/core to its source (no build needed).
const bin = fileURLToPath(new URL('./bin.ts', import.meta.url));
const hooks = fileURLToPath(import.meta.resolve('@memgar/core/package.json')).replace(
  /package\.json$/,
  'src/test-support/register-ts.mjs',
);

describe('memgar-mcp (stdio, child process)', () => {
  it('answers memgar_analyze over stdio', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--conditions=@memgar/source', '--import', hooks, bin],
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
