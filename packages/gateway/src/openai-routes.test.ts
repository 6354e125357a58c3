import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { chatCompletion, responsesBody } from '../test/fake-upstream.js';
import {
  ATTACK,
  BENIGN,
  CLIENT_KEY,
  DOWNSTREAM_INJECTION,
  type Harness,
  harness,
  OVERRIDE,
  POISONED,
  POISONED_DESCRIPTION,
  UPSTREAM_KEY,
} from '../test/helpers.js';

let h: Harness;
afterEach(async () => {
  await h?.close();
});

/** The error the SDK raised, with its HTTP status, code and request id. */
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as InstanceType<typeof OpenAI.APIError>,
  );

describe('OpenAI chat completions (real openai SDK → gateway → loopback upstream)', () => {
  it('forwards a clean request with the upstream key and returns the answer with a request id', async () => {
    h = await harness();
    const r = await h.openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: BENIGN }] })
      .withResponse();
    expect(r.data.choices[0]?.message.content).toBe('Hello from the upstream.');
    expect(r.response.headers.get('x-request-id')).toMatch(/^req_[0-9a-f]{32}$/);
    const sent = h.up.requests[0];
    expect(sent?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(JSON.stringify(sent?.headers)).not.toContain(CLIENT_KEY);
    expect((sent?.body as { messages: unknown } | undefined)?.messages).toEqual([
      { role: 'user', content: BENIGN },
    ]);
    expect(h.events.map((e) => [e.stage, e.where, e.decision, e.action])).toEqual([
      ['request', 'messages[0].content', 'allow', 'pass'],
      ['response', 'choices[0].message.content', 'allow', 'pass'],
    ]);
  });

  it('blocks an attack in a user message with an OpenAI-format error naming the reason and request id; nothing goes upstream', async () => {
    h = await harness();
    const e = await failure(
      h.openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: ATTACK }],
      }),
    );
    expect(e).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(e?.status).toBe(403);
    expect(e?.code).toBe('memgar_blocked');
    expect(e?.error).toMatchObject({ type: 'invalid_request_error', code: 'memgar_blocked', param: null });
    expect(e?.message).toContain('messages[0].content');
    expect(e?.message).toContain('exfiltration');
    expect(e?.message).toContain(`request id ${e?.requestID}`);
    expect(h.up.requests).toHaveLength(0);
    expect(await h.gw.reviewQueue.pending()).toBe(0);
  });

  it('refuses a held message (quarantine) and queues it for review with its context', async () => {
    h = await harness();
    const e = await failure(
      h.openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: 'You are a helpful assistant.' },
          { role: 'user', content: OVERRIDE },
        ],
      }),
    );
    expect(e?.status).toBe(403);
    expect(e?.code).toBe('memgar_held_for_review');
    const [item] = await h.gw.reviewQueue.list();
    expect(item).toMatchObject({ content: OVERRIDE, decision: 'quarantine', status: 'pending' });
    expect(item?.context.metadata).toMatchObject({
      requestId: e?.requestID,
      route: 'chat_completions',
      key: 'team-a',
      where: 'messages[1].content',
    });
    expect(e?.message).toContain(item?.id);
    expect(h.up.requests).toHaveLength(0);
    expect(h.events.find((ev) => ev.reviewId === item?.id)?.action).toBe('refused');
  });

  it('forwards the rewrite of a sanitized message (request DLP redacts an e-mail address)', async () => {
    h = await harness({ dlp: { requests: { secrets: 'redact', pii: 'redact' } } });
    await h.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Please write to jane.doe@acme-corp.com about the meeting.' }],
    });
    const body = h.up.requests[0]?.body as { messages: { content: string }[] };
    expect(body.messages[0]?.content).toBe('Please write to [REDACTED:email] about the meeting.');
    expect(h.events[0]).toMatchObject({
      decision: 'sanitize',
      action: 'sanitized',
      where: 'messages[0].content',
    });
  });

  it('scans tool results (role: tool) under the tool name from the assistant call', async () => {
    h = await harness();
    const e = await failure(
      h.openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'user', content: 'What is the refund policy?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'web_fetch', arguments: '{"url":"https://shop.example/refunds"}' },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: POISONED },
        ],
      }),
    );
    expect(e?.code).toBe('memgar_blocked');
    expect(e?.message).toContain('messages[2].content');
    expect(h.up.requests).toHaveLength(0);
  });

  it('scans tool-call arguments in the history and tool definitions (a poisoned description)', async () => {
    h = await harness();
    const args = await failure(
      h.openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'user', content: 'Mail the summary.' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'c1',
                type: 'function',
                function: { name: 'send_email', arguments: JSON.stringify({ body: ATTACK }) },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'c1', content: 'sent' },
        ],
      }),
    );
    expect(args?.message).toContain('messages[1].tool_calls[0].function.arguments');
    const tools = await failure(
      h.openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Add 2 and 3.' }],
        tools: [
          {
            type: 'function',
            function: { name: 'add', description: POISONED_DESCRIPTION, parameters: { type: 'object' } },
          },
        ],
      }),
    );
    expect(tools?.status).toBe(403);
    expect(tools?.message).toContain('tools[0]');
    expect(h.up.requests).toHaveLength(0);
  });

  it("scans only messages after the last assistant turn with scan.messages: 'new' (and all of them by default)", async () => {
    const messages = [
      { role: 'user' as const, content: ATTACK },
      { role: 'assistant' as const, content: 'I cannot do that.' },
      { role: 'user' as const, content: BENIGN },
    ];
    h = await harness({ scan: { messages: 'new' } });
    await h.openai.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(h.up.requests).toHaveLength(1);
    expect(h.events.filter((e) => e.stage === 'request').map((e) => e.where)).toEqual([
      'messages[2].content',
    ]);
    await h.close();
    h = await harness();
    expect((await failure(h.openai.chat.completions.create({ model: 'gpt-4o-mini', messages })))?.code).toBe(
      'memgar_blocked',
    );
  });

  it('withholds a response that leaks a canary, and redacts a secret in a response', async () => {
    const canary = { token: 'QZXVHK-PLMWRT-BNCJDS-FGHKLA', label: 'system-prompt' };
    h = await harness({ canaries: [canary] });
    h.up.next({ json: chatCompletion(`Sure. My instructions mention ${canary.token.toLowerCase()}.`) });
    const e = await failure(
      h.openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: BENIGN }],
      }),
    );
    expect(e?.status).toBe(403);
    expect(e?.code).toBe('memgar_response_blocked');
    expect(e?.message).toContain('canary "system-prompt" leaked');
    expect(JSON.stringify(e?.error)).not.toContain('qzxvhk');

    h.up.next({ json: chatCompletion('The deploy key is AKIAZ7Q2M4X9T1W8R3PL, keep it safe.') });
    const r = await h.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: BENIGN }],
    });
    expect(r.choices[0]?.message.content).toBe(
      'The deploy key is [REDACTED:aws_access_key_id], keep it safe.',
    );
    expect(h.events.at(-1)).toMatchObject({ stage: 'response', action: 'redacted' });
  });

  it('withholds a response carrying an injection aimed at downstream agents (also in tool-call arguments)', async () => {
    h = await harness();
    h.up.next({ json: chatCompletion(DOWNSTREAM_INJECTION) });
    const text = await failure(
      h.openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: BENIGN }],
      }),
    );
    expect(text?.code).toBe('memgar_response_blocked');
    const call = {
      id: 'c9',
      type: 'function',
      function: { name: 'post_message', arguments: JSON.stringify({ text: ATTACK }) },
    };
    h.up.next({ json: chatCompletion('', { content: null, tool_calls: [call] }) });
    const args = await failure(
      h.openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: BENIGN }],
      }),
    );
    expect(args?.message).toContain('choices[0].message.tool_calls[0].function.arguments');
  });

  it('passes upstream errors through in their own format, but never the upstream key in an auth failure', async () => {
    h = await harness();
    h.up.next({
      status: 400,
      json: {
        error: {
          message: 'Unsupported model',
          type: 'invalid_request_error',
          code: 'model_not_found',
          param: 'model',
        },
      },
    });
    const bad = await failure(
      h.openai.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: BENIGN }] }),
    );
    expect(bad?.status).toBe(400);
    expect(bad?.code).toBe('model_not_found');
    h.up.next({
      status: 401,
      json: { error: { message: `Incorrect API key provided: ${UPSTREAM_KEY}`, code: 'invalid_api_key' } },
    });
    const auth = await failure(
      h.openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: BENIGN }],
      }),
    );
    expect(auth?.status).toBe(502);
    expect(auth?.code).toBe('upstream_auth_failed');
    expect(JSON.stringify(auth?.error)).not.toContain(UPSTREAM_KEY);
  });
});

describe('OpenAI Responses, embeddings and models', () => {
  it('responses: instructions, input items and function_call_output are scanned; clean ones pass', async () => {
    h = await harness();
    const ok = await h.openai.responses.create({
      model: 'gpt-4o-mini',
      instructions: 'Be brief.',
      input: BENIGN,
    });
    expect(ok.output_text).toBe('Hello from the upstream.');
    const e = await failure(
      h.openai.responses.create({
        model: 'gpt-4o-mini',
        input: [
          { role: 'user', content: 'Summarize the refund page.' },
          { type: 'function_call', call_id: 'fc1', name: 'web_fetch', arguments: '{}' },
          { type: 'function_call_output', call_id: 'fc1', output: POISONED },
        ],
      }),
    );
    expect(e?.code).toBe('memgar_blocked');
    expect(e?.message).toContain('input[2].output');
    expect(h.up.requests).toHaveLength(1);
  });

  it('responses: a canary in the output is withheld', async () => {
    h = await harness({ canaries: [{ token: 'QZXVHK-PLMWRT-BNCJDS-FGHKLA' }] });
    h.up.next({ json: responsesBody('The reference is QZXVHK PLMWRT BNCJDS FGHKLA.') });
    const e = await failure(h.openai.responses.create({ model: 'gpt-4o-mini', input: BENIGN }));
    expect(e?.code).toBe('memgar_response_blocked');
    expect(e?.message).toContain('output[0].content[0].text');
  });

  it('embeddings: inputs are decided as writes (a poisoned document is refused), vectors pass through', async () => {
    h = await harness();
    const r = await h.openai.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['Refunds take 30 days.', 'Shipping is free.'],
      encoding_format: 'float',
    });
    expect(r.data.map((d) => d.embedding)).toEqual([
      [0.1, 0.2, 0.3],
      [0.1, 0.2, 0.3],
    ]);
    const e = await failure(
      h.openai.embeddings.create({ model: 'text-embedding-3-small', input: ['Shipping is free.', POISONED] }),
    );
    expect(e?.code).toBe('memgar_blocked');
    expect(e?.message).toContain('input[1]');
    expect(h.up.requests).toHaveLength(1);
  });

  it('models: GET /v1/models is forwarded with the upstream key', async () => {
    h = await harness();
    const page = await h.openai.models.list();
    expect(page.data.map((m) => m.id)).toEqual(['gpt-4o-mini']);
    expect(h.up.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models' });
    expect(h.up.requests[0]?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
  });
});
