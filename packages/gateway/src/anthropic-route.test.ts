import { afterEach, describe, expect, it } from 'vitest';
import { anthropicMessage, anthropicStream } from '../test/fake-upstream.js';
import {
  ATTACK,
  type Harness,
  harness,
  POISONED,
  POISONED_DESCRIPTION,
  post,
  UPSTREAM_KEY,
} from '../test/helpers.js';

const CANARY = 'QZXVHK-PLMWRT-BNCJDS-FGHKLA';
let h: Harness;
afterEach(async () => {
  await h?.close();
});

const base = { model: 'claude-sonnet-4-5', max_tokens: 256 };

/** The events of an SSE body, as `{ event, data }` with the data parsed. */
async function events(res: Response) {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((b) => b.trim() !== '')
    .map((b) => {
      const event = /^event: (.*)$/m.exec(b)?.[1];
      const data = b
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n');
      return { event, data: JSON.parse(data) as Record<string, unknown> };
    });
}

describe('Anthropic messages (Anthropic-shaped requests via fetch)', () => {
  it('forwards a clean request with x-api-key exchanged for the upstream key and anthropic-version kept', async () => {
    h = await harness();
    const res = await post(h.gw, '/v1/messages', {
      ...base,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hi there' }],
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { content: { text: string }[] }).content[0]?.text).toBe(
      'Hello from the upstream.',
    );
    const sent = h.up.requests[0];
    expect(sent?.headers['x-api-key']).toBe(UPSTREAM_KEY);
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent?.headers.authorization).toBeUndefined();
    expect(res.headers.get('request-id')).toMatch(/^req_/);
  });

  it('blocks with an Anthropic-format error: { type: "error", error: { type, message } }', async () => {
    h = await harness();
    const res = await post(h.gw, '/v1/messages', { ...base, messages: [{ role: 'user', content: ATTACK }] });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('permission_error');
    expect(body.error.message).toContain(`request id ${res.headers.get('request-id')}`);
    expect(h.up.requests).toHaveLength(0);
  });

  it('scans tool_result blocks (named after their tool_use), tool_use input and tool definitions', async () => {
    h = await harness();
    const withResult = await post(h.gw, '/v1/messages', {
      ...base,
      messages: [
        { role: 'user', content: 'What does the refund page say?' },
        {
          role: 'assistant',
          content: [
            { type: 'tool_use', id: 'tu_1', name: 'web_fetch', input: { url: 'https://shop.example' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'tu_1', content: [{ type: 'text', text: POISONED }] },
          ],
        },
      ],
    });
    expect(withResult.status).toBe(403);
    expect(((await withResult.json()) as { error: { message: string } }).error.message).toContain(
      'messages[2].content[0].content[0].text',
    );
    const withInput = await post(h.gw, '/v1/messages', {
      ...base,
      messages: [
        { role: 'user', content: 'Mail it.' },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'tu_2', name: 'send_email', input: { body: ATTACK } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_2', content: 'sent' }] },
      ],
    });
    expect(((await withInput.json()) as { error: { message: string } }).error.message).toContain(
      'messages[1].content[0].input',
    );
    const withTool = await post(h.gw, '/v1/messages', {
      ...base,
      tools: [{ name: 'add', description: POISONED_DESCRIPTION, input_schema: { type: 'object' } }],
      messages: [{ role: 'user', content: 'Add 2 and 3.' }],
    });
    expect(withTool.status).toBe(403);
    expect(h.up.requests).toHaveLength(0);
  });

  it('withholds a non-streamed answer that leaks a canary', async () => {
    h = await harness({ canaries: [{ token: CANARY }] });
    h.up.next({ json: anthropicMessage(`It is ${CANARY}.`) });
    const res = await post(h.gw, '/v1/messages', { ...base, messages: [{ role: 'user', content: 'Hi' }] });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.message).toContain('content[0].text');
    expect(JSON.stringify(body)).not.toContain('QZXVHK');
  });

  it('streams: a clean stream passes whole; a split canary ends it with an Anthropic error event', async () => {
    h = await harness({ canaries: [{ token: CANARY }] });
    const res = await post(h.gw, '/v1/messages', {
      ...base,
      stream: true,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const clean = await events(res);
    expect(clean.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const text = clean.map((e) => (e.data.delta as { text?: string } | undefined)?.text ?? '').join('');
    expect(text).toBe('Hello from the upstream.');

    const answer = `Sure, the reference is ${CANARY}, as requested.`;
    const cut = answer.indexOf(CANARY) + 8;
    h.up.next({ sse: anthropicStream([answer.slice(0, cut), answer.slice(cut)]) });
    const leaked = await events(
      await post(h.gw, '/v1/messages', {
        ...base,
        stream: true,
        messages: [{ role: 'user', content: 'Hi' }],
      }),
    );
    const last = leaked.at(-1);
    expect(last?.event).toBe('error');
    expect(last?.data).toMatchObject({ type: 'error', error: { type: 'permission_error' } });
    expect(JSON.stringify(leaked)).not.toContain('QZXVHK');
    expect(leaked.some((e) => e.event === 'message_stop')).toBe(false);
  });
});
