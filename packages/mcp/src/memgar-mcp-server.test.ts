import { CONFORMANCE_TEXTS as T } from '@memgar/adapter-testkit';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, describe, expect, it } from 'vitest';
import { guardMcpClient } from './guard-mcp-client.js';
import { createMemgarMcpServer, type MemgarAnalysisSummary } from './memgar-mcp-server.js';

const open: Client[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
});

async function connect() {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await createMemgarMcpServer().connect(serverSide);
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(clientSide);
  open.push(client);
  return client;
}

const parse = (r: unknown): unknown =>
  JSON.parse((r as { content: { text: string }[] }).content[0]?.text ?? '');

describe('createMemgarMcpServer (real McpServer and Client over InMemoryTransport)', () => {
  it('lists memgar_analyze and memgar_scan, read-only', async () => {
    const { tools } = await (await connect()).listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['memgar_analyze', 'memgar_scan']);
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true);
  });

  it('memgar_analyze refuses an attack and allows a benign text', async () => {
    const client = await connect();
    const attack = parse(
      await client.callTool({
        name: 'memgar_analyze',
        arguments: { content: T.attack, sourceType: 'memory' },
      }),
    ) as MemgarAnalysisSummary;
    expect(['block', 'quarantine']).toContain(attack.decision);
    expect(attack.riskScore).toBeGreaterThanOrEqual(60);
    expect(attack.findings.length).toBeGreaterThan(0);
    expect(JSON.stringify(attack)).not.toContain('evil.example'); // no evidence spans
    const benign = parse(
      await client.callTool({ name: 'memgar_analyze', arguments: { content: T.benign } }),
    ) as MemgarAnalysisSummary;
    expect(benign).toMatchObject({ decision: 'allow', findings: [] });
  });

  it('memgar_scan decides each entry in order', async () => {
    const client = await connect();
    const r = parse(
      await client.callTool({
        name: 'memgar_scan',
        arguments: { entries: [T.benign, T.attack, T.benignChunk] },
      }),
    ) as { counts: Record<string, number>; results: { index: number; decision: string; rules: string[] }[] };
    expect(r.results.map((e) => e.index)).toEqual([0, 1, 2]);
    expect(r.results[0]?.decision).toBe('allow');
    expect(['block', 'quarantine']).toContain(r.results[1]?.decision);
    expect(r.results[2]?.decision).toBe('allow');
    expect(r.counts.allow).toBe(2);
  });

  it('rejects malformed arguments as a tool error', async () => {
    const r = await (await connect()).callTool({ name: 'memgar_scan', arguments: { entries: 'nope' } });
    expect(r.isError).toBe(true);
  });

  it('passes its own guard: a guarded client sees both tools and the results', async () => {
    const client = guardMcpClient(await connect());
    expect((await client.listTools()).tools).toHaveLength(2);
    const r = await client.callTool({ name: 'memgar_analyze', arguments: { content: T.attack } });
    expect(r.isError).toBeFalsy();
    expect(['block', 'quarantine']).toContain((parse(r) as MemgarAnalysisSummary).decision);
  });
});
