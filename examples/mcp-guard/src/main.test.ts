import { describe, expect, it } from 'vitest';
import { main } from './main.js';

describe('mcp-guard example (real McpServer over stdio, guarded Client)', () => {
  it('passes the clean result, withholds the poisoned one, drops the tool with a poisoned description', async () => {
    const s = await main();
    expect(s.tools).toEqual(['search_docs', 'fetch_url']);
    expect(s.clean).toEqual({
      text: 'Password reset: open Settings, then Security, then Reset password. The e-mailed link is valid for 30 minutes.',
      isError: false,
    });
    expect(s.withheld.isError).toBe(true);
    expect(s.withheld.text).toMatch(/^\[memgar\] The output of "fetch_url" was withheld/);
    expect(s.withheld.text).not.toMatch(/keys-backup\.example|id_rsa/);
    expect(s.dropped).toMatchObject({
      isError: true,
      text: expect.stringMatching(/"get_time" was withheld/),
    });
    const verdict = (kind: string, name: string) =>
      s.decisions.find((d) => d.kind === kind && d.name === name)?.decision;
    expect(verdict('tool_result', 'search_docs')).toBe('allow');
    expect(['block', 'quarantine', 'human_review']).toContain(verdict('tool_result', 'fetch_url'));
    expect(['block', 'quarantine', 'human_review']).toContain(verdict('tool_description', 'get_time'));
  }, 60_000);
});
