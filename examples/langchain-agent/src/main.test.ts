import { describe, expect, it } from 'vitest';
import { main } from './main.js';

describe('langchain-agent example', () => {
  it('withholds the poisoned page from the model and drops the memory attack from the history', async () => {
    const s = await main();
    expect(s.modelSawPoison).toBe(false);
    expect(s.answer).toBe(
      'Order A-1042 shipped on 3 March with ParcelCo; delivery is expected on 6 March. (The shipping page could not be used.)',
    );
    const tools = s.decisions.filter((d) => d.boundary === 'tool_result');
    expect(tools.map((d) => [d.what, d.decision === 'allow'])).toEqual([
      ['order_status result (call-order)', true],
      ['fetch_page result (call-page)', false],
    ]);
    const writes = s.decisions.filter((d) => d.boundary === 'memory_write');
    expect(writes.map((d) => d.decision === 'allow')).toEqual([true, true, true, true, true, false]);
    expect(writes.at(-1)?.what).toMatch(/^human "Remember this/);
    expect(s.withheld.map((w) => w.what)).toEqual(['fetch_page result (call-page)', writes.at(-1)?.what]);
    const stored = s.stored.join('\n');
    expect(stored).not.toMatch(/data-drop\.example|payee-update\.example/);
    expect(s.stored).toHaveLength(5);
    expect(s.stored[3]).toMatch(/^tool: \[memgar\] The output of tool "fetch_page" was withheld/);
  });
});
