import { describe, expect, it } from 'vitest';
import { REPLY } from './chat-model.js';
import { main } from './main.js';
import { POST } from './route.js';

describe('vercel-chat-route example', () => {
  it('streams the benign answer and ends the poisoned-context request with memgar’s error, model not called', async () => {
    const s = await main();
    expect(s.benign).toEqual({ status: 200, text: REPLY });
    expect(s.poisoned.text).toBe('');
    expect(s.poisoned.error).toMatch(/^blocked by memgar at prompt\[1\]\.content\[0\]: /);
    expect(s.modelCalls).toBe(1);
    expect(s.decisions.map((d) => [d.where, d.action])).toEqual([
      ['prompt[1].content[0]', 'pass'],
      ['prompt[1].content[0]', 'blocked'],
    ]);
    expect(['block', 'quarantine', 'human_review']).toContain(s.decisions[1]?.decision);
  });

  it('answers a body without messages with 400', async () => {
    const res = await POST(new Request('http://localhost/api/chat', { method: 'POST', body: 'not json' }));
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'expected a JSON body { messages: UIMessage[] }' });
  });
});
