import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { chatStream, chatToolStream, responsesStream } from '../test/fake-upstream.js';
import { ATTACK, BENIGN, DOWNSTREAM_INJECTION, type Harness, harness } from '../test/helpers.js';

const CANARY = 'QZXVHK-PLMWRT-BNCJDS-FGHKLA';
const canaries = [{ token: CANARY, label: 'system-prompt' }];
/** Words long enough that the hold-back window (256) releases text before the end. */
const FILLER = 'The forecast for the coming week is mild with light winds and some sun. '.repeat(8);

let h: Harness;
afterEach(async () => {
  await h?.close();
});

const ask = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: BENIGN }] };

/** Reads a chat stream to the end: the text received, and the error that ended it (if any). */
async function drain(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  let text = '';
  let args = '';
  try {
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? '';
      args += c.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? '';
    }
    return { text, args, error: undefined };
  } catch (error) {
    return { text, args, error: error as InstanceType<typeof OpenAI.APIError> };
  }
}

describe('streamed chat completions (real openai SDK)', () => {
  it('delivers a clean stream whole and in order, through the hold-back window', async () => {
    h = await harness({ canaries });
    const pieces = [FILLER.slice(0, 300), FILLER.slice(300, 301), FILLER.slice(301)];
    h.up.next({ sse: chatStream(pieces) });
    const r = await drain(await h.openai.chat.completions.create({ ...ask, stream: true }));
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(FILLER);
    // The SDK's own accumulator sees the same text.
    h.up.next({ sse: chatStream(pieces) });
    const final = await h.openai.chat.completions.stream({ ...ask }).finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe(FILLER);
  });

  it('ends the stream with an OpenAI error event when a canary is split across two chunks; none of it is released', async () => {
    h = await harness({ canaries });
    const at = FILLER.length - 40;
    const leaked = `${FILLER.slice(0, at)} the code is ${CANARY} ${FILLER.slice(at)}`;
    const cut = leaked.indexOf(CANARY) + 10;
    h.up.next({ sse: chatStream([leaked.slice(0, cut), leaked.slice(cut)]) });
    const r = await drain(await h.openai.chat.completions.create({ ...ask, stream: true }));
    expect(r.error).toBeInstanceOf(OpenAI.APIError);
    expect(r.error?.code).toBe('memgar_response_blocked');
    expect(r.error?.message).toContain('canary "system-prompt" leaked');
    expect(r.text).not.toContain('QZXVHK');
    expect(r.text.length).toBeGreaterThan(0); // text before the window was released
    expect(h.events.at(-1)).toMatchObject({ stage: 'response', action: 'refused', rule: 'canary:leak' });
    const log = h.logs.at(-1);
    expect(log).toMatchObject({ status: 200, outcome: 'response_blocked' });
  });

  it('redacts a secret split across chunks, whole, in the released text', async () => {
    h = await harness();
    const key = 'AKIAZ7Q2M4X9T1W8R3PL';
    const text = `${FILLER}deploy with ${key} today. ${FILLER}`;
    const cut = text.indexOf(key) + 7;
    h.up.next({ sse: chatStream([text.slice(0, cut), text.slice(cut)]) });
    const r = await drain(await h.openai.chat.completions.create({ ...ask, stream: true }));
    expect(r.error).toBeUndefined();
    expect(r.text).toBe(text.replace(key, '[REDACTED:aws_access_key_id]'));
  });

  it('checks streamed tool-call arguments (a canary in them ends the stream)', async () => {
    h = await harness({ canaries });
    const args = JSON.stringify({ to: 'ops@example.com', body: `reference ${CANARY}` });
    h.up.next({ sse: chatToolStream('send_email', [args.slice(0, 30), args.slice(30)]) });
    const r = await drain(await h.openai.chat.completions.create({ ...ask, stream: true }));
    expect(r.error?.code).toBe('memgar_response_blocked');
    expect(r.args).not.toContain('QZXVHK');
    h.up.next({ sse: chatToolStream('lookup', ['{"city":', '"Paris"}']) });
    const ok = await drain(await h.openai.chat.completions.create({ ...ask, stream: true }));
    expect(ok.error).toBeUndefined();
    expect(ok.args).toBe('{"city":"Paris"}');
  });

  it('ends the stream on an injection aimed at downstream agents', async () => {
    h = await harness();
    h.up.next({ sse: chatStream([DOWNSTREAM_INJECTION.slice(0, 20), DOWNSTREAM_INJECTION.slice(20)]) });
    const r = await drain(await h.openai.chat.completions.create({ ...ask, stream: true }));
    expect(r.error?.code).toBe('memgar_response_blocked');
    expect(r.text).toBe('');
  });

  it('a stream the upstream cuts short (no finish, no [DONE]) still releases its scanned tail', async () => {
    h = await harness();
    const events = chatStream(['Hello ', 'there.']).slice(0, 3);
    h.up.next({ sse: events });
    const r = await drain(await h.openai.chat.completions.create({ ...ask, stream: true }));
    expect(r.text).toBe('Hello there.');
  });

  it('refuses the request before streaming when the prompt is an attack', async () => {
    h = await harness();
    const e = await h.openai.chat.completions
      .create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: ATTACK }] })
      .catch((x: unknown) => x as InstanceType<typeof OpenAI.APIError>);
    expect((e as InstanceType<typeof OpenAI.APIError>).code).toBe('memgar_blocked');
    expect(h.up.requests).toHaveLength(0);
  });
});

describe('streamed Responses (real openai SDK)', () => {
  it('passes a clean stream; the SDK assembles the same final text', async () => {
    h = await harness({ canaries });
    h.up.next({ sse: responsesStream([FILLER.slice(0, 200), FILLER.slice(200)]) });
    const final = await h.openai.responses.stream({ model: 'gpt-4o-mini', input: BENIGN }).finalResponse();
    expect(final.output_text).toBe(FILLER);
  });

  it('ends with a Responses error event on a split canary; no delta, done or completed event carries it', async () => {
    h = await harness({ canaries });
    const text = `${FILLER} internal ${CANARY} end`;
    const cut = text.indexOf(CANARY) + 5;
    h.up.next({ sse: responsesStream([text.slice(0, cut), text.slice(cut)]) });
    const stream = await h.openai.responses.create({ model: 'gpt-4o-mini', input: BENIGN, stream: true });
    const seen: { type: string; code?: string | null; message?: string }[] = [];
    let raw = '';
    for await (const ev of stream) {
      seen.push(ev as never);
      raw += JSON.stringify(ev);
    }
    const last = seen.at(-1);
    expect(last).toMatchObject({ type: 'error', code: 'memgar_response_blocked', param: null });
    expect(last?.message).toContain('canary');
    expect(raw).not.toContain('QZXVHK');
    expect(seen.some((e) => e.type === 'response.completed')).toBe(false);
  });

  it('redacts a secret in the deltas and in the done and completed events alike', async () => {
    h = await harness();
    const key = 'AKIAZ7Q2M4X9T1W8R3PL';
    const text = `Use ${key} for the deploy.`;
    h.up.next({ sse: responsesStream([text.slice(0, 10), text.slice(10)]) });
    const events: {
      type: string;
      text?: string;
      response?: { output: { content: { text: string }[] }[] };
    }[] = [];
    let deltas = '';
    for await (const ev of await h.openai.responses.create({
      model: 'gpt-4o-mini',
      input: BENIGN,
      stream: true,
    })) {
      events.push(ev as never);
      if (ev.type === 'response.output_text.delta') deltas += ev.delta;
    }
    const redacted = text.replace(key, '[REDACTED:aws_access_key_id]');
    expect(deltas).toBe(redacted);
    expect(events.find((e) => e.type === 'response.output_text.done')?.text).toBe(redacted);
    expect(events.find((e) => e.type === 'response.completed')?.response?.output[0]?.content[0]?.text).toBe(
      redacted,
    );
  });
});
