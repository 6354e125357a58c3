// An MCP client guarded by @memgar/mcp, talking to a local MCP server (src/docs-server.ts, started
// as a child process over stdio). Prints the tools it may use, a clean result, and the withheld ones.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { guardMcpClient, type MemgarMcpDecisionEvent } from '@memgar/mcp';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

export interface ToolCallResult {
  text: string;
  isError: boolean;
}

export interface McpGuardSummary {
  /** The tools `listTools` returned through the guard. */
  tools: string[];
  /** `search_docs`: a benign result, passed through unchanged. */
  clean: ToolCallResult;
  /** `fetch_url`: a poisoned page, replaced by memgar's refusal. */
  withheld: ToolCallResult;
  /** `get_time`: dropped from `listTools` for its description, so refused without reaching the server. */
  dropped: ToolCallResult;
  decisions: Pick<MemgarMcpDecisionEvent, 'kind' | 'name' | 'where' | 'decision' | 'reason'>[];
}

const resultOf = (r: Awaited<ReturnType<Client['callTool']>>): ToolCallResult => ({
  text: (r.content as { type: string; text?: string }[]).map((c) => c.text ?? `[${c.type}]`).join('\n'),
  isError: r.isError === true,
});

export async function main(): Promise<McpGuardSummary> {
  const decisions: MemgarMcpDecisionEvent[] = [];
  const client = guardMcpClient(new Client({ name: 'mcp-guard-example', version: '1.0.0' }), {
    onDecision: (e) => decisions.push(e),
  });
  // The server is TypeScript: run it with tsx's loader in a plain Node child process.
  const server = fileURLToPath(new URL('./docs-server.ts', import.meta.url));
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--import', import.meta.resolve('tsx'), server],
      stderr: 'inherit',
    }),
  );
  try {
    const { tools } = await client.listTools();
    const clean = await client.callTool({ name: 'search_docs', arguments: { query: 'reset my password' } });
    const withheld = await client.callTool({
      name: 'fetch_url',
      arguments: { url: 'https://vendor.example/release-notes' },
    });
    const dropped = await client.callTool({ name: 'get_time', arguments: {} });
    return {
      tools: tools.map((t) => t.name),
      clean: resultOf(clean),
      withheld: resultOf(withheld),
      dropped: resultOf(dropped),
      decisions: decisions.map(({ kind, name, where, decision, reason }) => ({
        kind,
        name,
        where,
        decision,
        reason,
      })),
    };
  } finally {
    await client.close();
  }
}

function print(s: McpGuardSummary): void {
  const show = (label: string, r: ToolCallResult) =>
    console.log(`${label}${r.isError ? ' (isError)' : ''}:\n  ${r.text}`);
  console.log(`tools the model may use: ${s.tools.join(', ')}\n`);
  show('search_docs, clean', s.clean);
  show('fetch_url, withheld', s.withheld);
  show('get_time, dropped from listTools', s.dropped);
  console.log('\ndecisions:');
  for (const d of s.decisions) {
    console.log(
      `  ${d.kind.padEnd(16)} ${d.name.padEnd(11)} ${d.where.padEnd(11)} ${d.decision.padEnd(10)} ${d.reason}`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  print(await main());
}
