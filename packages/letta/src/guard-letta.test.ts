import Letta from '@letta-ai/letta-client';
import { describeGuardedStoreConformance, CONFORMANCE_TEXTS as T } from '@memgar/adapter-testkit';
import { INJECTED, sanitizingEnforcer } from '@memgar/adapter-testkit/sanitizing-enforcer';
import { InMemoryAuditSink, InvalidInputError, type SourceType } from '@memgar/core';
import { NO_TEXT_RULE, UNVERIFIED_RULE } from '@memgar/core/adapter-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type GuardLettaOptions, guardLetta, type MemgarDecisionEvent, MemoryRefusedError } from './index.js';
import { type FakeLetta, startFakeLetta } from './test-letta-server.js';

let fake: FakeLetta;
let failing: FakeLetta;

beforeAll(async () => {
  [fake, failing] = await Promise.all([startFakeLetta(), startFakeLetta()]);
  failing.failWrites = true;
});

afterAll(async () => {
  await Promise.all([fake.close(), failing.close()]);
});

const lettaFor = (f: FakeLetta) => new Letta({ baseURL: f.baseURL, apiKey: 'test-key', maxRetries: 0 });

let n = 0;
/** A fresh agent id, a guarded client over the fake and the decisions reported. */
function setup(options: GuardLettaOptions = {}, f = () => fake) {
  const agent = `agent-${++n}`;
  const events: MemgarDecisionEvent[] = [];
  const raw = lettaFor(f());
  const guard = (o: GuardLettaOptions = {}) =>
    guardLetta(raw, { onDecision: (e) => events.push(e), ...options, ...o });
  return {
    agent,
    events,
    raw,
    guard,
    g: guard(),
    texts: () =>
      f()
        .passages(agent)
        .map((p) => p.text),
  };
}

function subject(failingStore = false) {
  const s = setup({}, () => (failingStore ? failing : fake));
  return {
    write: (text: string, o: { sourceType?: SourceType } = {}) =>
      s.guard({ sourceType: o.sourceType ?? 'memory' }).agents.passages.create(s.agent, { text }),
    storedTexts: async () => s.texts() as string[],
    decisions: () => s.events.map((e) => e.decision),
    retrieve: async (query: string, texts: readonly string[]) => {
      for (const t of texts) fake.putPassage(s.agent, t);
      const res = await s.g.agents.passages.search(s.agent, { query });
      return res.results.map((r) => r.content);
    },
  };
}

describeGuardedStoreConformance(
  'guardLetta archival passages (@letta-ai/letta-client 1.12.1, loopback REST)',
  {
    create: () => subject(),
    createFailing: () => subject(true),
  },
);

describe('guardLetta: archival passages', () => {
  it('stores an allowed passage with its tags plus memgar tags, and returns what Letta returned', async () => {
    const s = setup();
    const created = await s.g.agents.passages.create(s.agent, { text: T.benign, tags: ['travel'] });
    const [stored] = fake.passages(s.agent);
    expect(created).toEqual([stored]);
    const e = s.events[0];
    expect(stored?.tags).toEqual([
      'travel',
      'memgar_decision:allow',
      `memgar_risk:${e?.riskScore}`,
      `memgar_rule:${e?.rule}`,
    ]);
    expect(s.events).toMatchObject([{ boundary: 'memory_write', allowed: true, id: s.agent }]);
  });

  it('drops a refused passage (resolves to []) or throws MemoryRefusedError with onRefused: throw', async () => {
    const s = setup();
    await expect(s.g.agents.passages.create(s.agent, { text: T.attack })).resolves.toEqual([]);
    const thrown = await s
      .guard({ onRefused: 'throw' })
      .agents.passages.create(s.agent, { text: T.attack })
      .catch((e: unknown) => e);
    expect(MemoryRefusedError.isInstance(thrown)).toBe(true);
    expect(s.texts()).toEqual([]);
  });

  it("with onRefused: 'throw' queues a held passage, then throws; approval stores it", async () => {
    const s = setup();
    const g = s.guard({ onRefused: 'throw' });
    const thrown = await g.agents.passages
      .create(s.agent, { text: T.injectedSentence })
      .catch((e: unknown) => e);
    expect(MemoryRefusedError.isInstance(thrown)).toBe(true);
    expect(s.texts()).toEqual([]);
    const [item] = await g.held.queue.list();
    expect(item).toMatchObject({ content: T.injectedSentence, decision: 'quarantine', status: 'pending' });
    await g.held.approve(item?.id as string, 'sofia');
    expect(s.texts()).toEqual([T.injectedSentence]);
  });

  it('stores the sanitized rewrite', async () => {
    const s = setup({ enforcer: sanitizingEnforcer });
    await s.g.agents.passages.create(s.agent, { text: `Seat 14C booked. ${INJECTED}` });
    expect(s.texts()).toEqual(['Seat 14C booked.']);
    expect(fake.passages(s.agent)[0]?.tags).toContain('memgar_decision:sanitize');
  });

  it('rejects a passage without text with InvalidInputError before calling Letta', async () => {
    const s = setup();
    const error = await s.g.agents.passages.create(s.agent, {} as { text: string }).catch((e: unknown) => e);
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect(fake.requests.some((r) => r.includes(s.agent))).toBe(false);
  });

  it('holds a quarantined passage; approval stores it tagged memgar_decision:allow and memgar_review', async () => {
    const s = setup();
    await expect(
      s.g.agents.passages.create(s.agent, { text: T.injectedSentence, tags: ['ads'] }),
    ).resolves.toEqual([]);
    const [item] = await s.g.held.queue.list();
    expect(item).toMatchObject({ content: T.injectedSentence, decision: 'quarantine', status: 'pending' });
    expect(s.texts()).toEqual([]);
    fake.failWrites = true;
    await expect(s.g.held.approve(item?.id as string, 'sofia')).rejects.toMatchObject({ status: 500 });
    fake.failWrites = false;
    expect((await s.g.held.queue.get(item?.id as string))?.status).toBe('pending');
    await s.g.held.approve(item?.id as string, 'sofia');
    expect(fake.passages(s.agent)).toMatchObject([
      { text: T.injectedSentence, tags: ['ads', 'memgar_decision:allow', `memgar_review:${item?.id}`] },
    ]);
  });

  it('list and search return only what the retrieval guard allows, with memgar metadata', async () => {
    const s = setup();
    fake.putPassage(s.agent, T.benignChunk);
    fake.putPassage(s.agent, T.poisonedChunk);
    const listed = await s.g.agents.passages.list(s.agent, { search: 'Refunds' });
    expect(listed.map((p) => p.text)).toEqual([T.benignChunk]);
    expect((listed[0] as { memgar?: unknown }).memgar).toMatchObject({ decision: 'allow' });
    const found = await s.g.agents.passages.search(s.agent, { query: 'refund policy' });
    expect(found.results.map((r) => r.content)).toEqual([T.benignChunk]);
    expect(found.count).toBe(1);
    expect(s.events.filter((e) => !e.allowed).map((e) => e.boundary)).toEqual(['retrieval', 'retrieval']);
  });

  it('drops a retrieved passage without text and reports it (fail closed)', async () => {
    const s = setup();
    fake.putPassage(s.agent, T.benignChunk);
    const bare = fake.putPassage(s.agent, 'placeholder');
    bare.text = null;
    const listed = await s.g.agents.passages.list(s.agent);
    expect(listed.map((p) => p.text)).toEqual([T.benignChunk]);
    expect(s.events.filter((e) => !e.allowed)).toMatchObject([
      { boundary: 'retrieval', decision: 'block', rule: NO_TEXT_RULE, id: bare.id },
    ]);
  });

  it('filterDecisions asks Letta for passages tagged by memgar and drops untagged ones', async () => {
    const s = setup({ filterDecisions: ['allow', 'sanitize'] });
    await s.g.agents.passages.create(s.agent, { text: T.benignChunk });
    fake.putPassage(s.agent, 'Refunds: an unscanned note.', ['faq']);
    const found = await s.g.agents.passages.search(s.agent, { query: 'refunds' });
    expect(found.results.map((r) => r.content)).toEqual([T.benignChunk]);
    expect(fake.requests.at(-1)).toContain('tags=memgar_decision%3Aallow&tags=memgar_decision%3Asanitize');
    const withTags = await s.g.agents.passages.search(s.agent, { query: 'refunds', tags: ['faq'] });
    expect(withTags.results).toEqual([]);
    expect((await s.g.agents.passages.list(s.agent)).map((p) => p.text)).toEqual([T.benignChunk]);
    expect(s.events.filter((e) => e.rule === UNVERIFIED_RULE).map((e) => e.reason)).toEqual([
      'no memgar provenance',
      'no memgar provenance',
    ]);
  });
});

describe('guardLetta: core memory blocks', () => {
  it('updates an allowed value with metadata.memgar, keeping the block’s metadata', async () => {
    const s = setup();
    Object.assign(fake.block(s.agent, 'human', 'Name: Ana'), { metadata: { owner: 'crm' } });
    const res = await s.g.agents.blocks.update('human', {
      agent_id: s.agent,
      value: 'Name: Ana. Prefers aisle seats.',
    });
    expect(res).toMatchObject({
      value: 'Name: Ana. Prefers aisle seats.',
      metadata: { owner: 'crm', memgar: { decision: 'allow' } },
    });
    expect(fake.block(s.agent, 'human').value).toBe('Name: Ana. Prefers aisle seats.');
  });

  it('leaves the block unchanged for a refused value and returns it as it is', async () => {
    const s = setup();
    fake.block(s.agent, 'persona', 'I am a helpful travel assistant.');
    const res = await s.g.agents.blocks.update('persona', { agent_id: s.agent, value: T.attack });
    expect(res.value).toBe('I am a helpful travel assistant.');
    expect(fake.block(s.agent, 'persona').value).toBe('I am a helpful travel assistant.');
    expect(s.events.map((e) => [e.allowed, e.id])).toEqual([[false, 'persona']]);
  });

  it('holds a quarantined value; approval writes it with metadata.memgar.review', async () => {
    const s = setup();
    fake.block(s.agent, 'human', 'Name: Ana');
    await s.g.agents.blocks.update('human', { agent_id: s.agent, value: T.injectedSentence });
    const [item] = await s.g.held.queue.list();
    expect(fake.block(s.agent, 'human').value).toBe('Name: Ana');
    await s.g.held.approve(item?.id as string, 'sofia');
    expect(fake.block(s.agent, 'human')).toMatchObject({
      value: T.injectedSentence,
      metadata: { memgar: { decision: 'allow', review: item?.id } },
    });
  });

  it('passes an update without a value through; recordDecision: false writes no metadata', async () => {
    const s = setup({ recordDecision: false });
    fake.block(s.agent, 'human', 'Name: Ana');
    await s.g.agents.blocks.update('human', { agent_id: s.agent, description: 'the user' });
    await s.g.agents.blocks.update('human', { agent_id: s.agent, value: 'Name: Ana Ruiz' });
    expect(fake.block(s.agent, 'human')).toMatchObject({
      value: 'Name: Ana Ruiz',
      description: 'the user',
      metadata: {},
    });
    expect(s.events.map((e) => e.decision)).toEqual(['allow']);
    await s.g.agents.passages.create(s.agent, { text: T.benign, tags: ['travel'] });
    expect(fake.passages(s.agent)[0]?.tags).toEqual(['travel']);
  });
});

describe('guardLetta: messages', () => {
  const user = (content: unknown) => ({ role: 'user' as const, content: content as string });

  it('sends allowed user messages, drops refused ones, and scans the answer', async () => {
    const s = setup();
    await s.g.agents.messages.create(s.agent, { messages: [user('Book me a window seat.'), user(T.attack)] });
    expect(fake.received.at(-1)?.messages).toEqual([user('Book me a window seat.')]);
    expect(s.events.map((e) => [e.boundary, e.allowed])).toEqual([
      ['memory_write', true],
      ['memory_write', false],
      ['tool_result', true],
    ]);
  });

  it('sends nothing and throws MemoryRefusedError when the whole input is refused', async () => {
    const s = setup();
    const before = fake.received.length;
    const error = await s.g.agents.messages.create(s.agent, { input: T.attack }).catch((e: unknown) => e);
    expect(MemoryRefusedError.isInstance(error)).toBe(true);
    expect(fake.received.length).toBe(before);
  });

  it('sends the sanitized rewrite of a user message, keeping non-text parts', async () => {
    const s = setup({ enforcer: sanitizingEnforcer });
    const image = { type: 'image', source: { type: 'url', url: 'https://img.example/a.png' } };
    await s.g.agents.messages.create(s.agent, {
      messages: [user([{ type: 'text', text: `What is in this photo? ${INJECTED}` }, image])],
    });
    expect(fake.received.at(-1)?.messages).toEqual([
      user([{ type: 'text', text: 'What is in this photo?' }, image]),
    ]);
    await s.g.agents.messages.create(s.agent, { input: `Hello. ${INJECTED}` });
    expect(fake.received.at(-1)?.input).toBe('Hello.');
  });

  it('scans client tool returns (tool_returns and approvals) before they reach the agent', async () => {
    const s = setup();
    const ret = (id: string, text: unknown) => ({
      type: 'tool' as const,
      status: 'success' as const,
      tool_call_id: id,
      tool_return: text as string,
    });
    const approve = { type: 'approval' as const, approve: true, tool_call_id: 'call-3' };
    await s.g.agents.messages.create(s.agent, {
      messages: [
        { type: 'tool_return', tool_returns: [ret('call-1', T.poisonedChunk), ret('call-4', T.benignChunk)] },
        { type: 'approval', approvals: [ret('call-2', [{ type: 'text', text: T.poisonedChunk }]), approve] },
      ],
    });
    const [returns, approvals] = (fake.received.at(-1)?.messages ?? []) as {
      tool_returns?: unknown[];
      approvals?: unknown[];
    }[];
    const refused = (id: string) => ({
      ...ret(id, expect.stringMatching(/^\[memgar\] The output of tool "letta_tool"/)),
      status: 'error',
    });
    expect(returns?.tool_returns).toEqual([refused('call-1'), ret('call-4', T.benignChunk)]);
    expect(approvals?.approvals).toEqual([refused('call-2'), approve]);
    const part = {
      type: 'tool_return' as const,
      content: T.poisonedChunk,
      is_error: false,
      tool_call_id: 'call-5',
    };
    await s.g.agents.messages.create(s.agent, { input: [part] });
    expect(fake.received.at(-1)?.input).toEqual([
      { ...part, content: expect.stringMatching(/^\[memgar\]/), is_error: true },
    ]);
  });

  it('replaces a poisoned tool return in the answer and reports it under the tool’s name', async () => {
    const s = setup();
    fake.queueTurn([
      {
        message_type: 'tool_call_message',
        tool_call: { name: 'web_search', arguments: '{"q":"refunds"}', tool_call_id: 'call-9' },
      },
      {
        message_type: 'tool_return_message',
        tool_call_id: 'call-9',
        status: 'success',
        tool_return: T.poisonedChunk,
      },
      { message_type: 'assistant_message', content: T.benignChunk },
    ]);
    const res = await s.g.agents.messages.create(s.agent, { messages: [user('What is the refund policy?')] });
    const [call, ret, answer] = res.messages as { tool_return?: string; status?: string; content?: string }[];
    expect(call).toMatchObject({ message_type: 'tool_call_message' });
    expect(ret?.tool_return).toMatch(/^\[memgar\] The output of tool "web_search" was withheld/);
    expect(ret?.status).toBe('error');
    expect(answer?.content).toBe(T.benignChunk);
    expect(res.stop_reason).toEqual({ message_type: 'stop_reason', stop_reason: 'end_turn' });
  });

  it('replaces an assistant message that carries an injection', async () => {
    const s = setup({ refusal: (tool, rule) => `withheld ${tool} (${rule})` });
    fake.queueTurn([
      { message_type: 'assistant_message', content: [{ type: 'text', text: T.poisonedChunk }] },
    ]);
    const res = await s.g.agents.messages.create(s.agent, { input: 'Summarize my notes.' });
    expect(res.messages[0]).toMatchObject({
      content: [{ type: 'text', text: expect.stringMatching(/^withheld letta_assistant \(/) }],
    });
  });

  it('guards streamed answers (streaming: true and messages.stream) item by item', async () => {
    const s = setup();
    const turn = [
      {
        message_type: 'tool_call_message',
        tool_call: { name: 'fetch_page', arguments: '{}', tool_call_id: 'c1' },
      },
      {
        message_type: 'tool_return_message',
        tool_call_id: 'c1',
        status: 'success',
        tool_return: T.poisonedChunk,
      },
      { message_type: 'assistant_message', content: 'Done.' },
    ];
    fake.queueTurn(turn);
    const stream = await s.g.agents.messages.create(s.agent, { input: 'Read the page.', streaming: true });
    const got: { message_type?: string; tool_return?: string }[] = [];
    for await (const m of stream) got.push(m as (typeof got)[number]);
    expect(got.map((m) => m.message_type)).toEqual([
      'tool_call_message',
      'tool_return_message',
      'assistant_message',
      'stop_reason',
      'usage_statistics',
    ]);
    expect(got[1]?.tool_return).toMatch(/withheld/);
    expect(typeof stream.tee).toBe('function');
    fake.queueTurn(turn);
    const again = await s.g.agents.messages.stream(s.agent, { input: 'Read it again.' });
    const texts: string[] = [];
    for await (const m of again) if (m.message_type === 'tool_return_message') texts.push(m.tool_return);
    expect(texts).toEqual([expect.stringMatching(/withheld/)]);
  });

  it('records every decision in the default enforcer’s audit sink', async () => {
    const audit = new InMemoryAuditSink();
    const s = setup({ audit });
    await s.g.agents.messages.create(s.agent, { input: 'Hi there.' });
    expect(audit.events().map((e) => e.boundary)).toEqual(['memory_write', 'tool_result']);
  });

  it('surfaces a failing server as the SDK’s own error', async () => {
    const s = setup({}, () => failing);
    await expect(s.g.agents.messages.create(s.agent, { input: 'Hi there.' })).rejects.toMatchObject({
      status: 500,
    });
    expect(s.g.inner).toBe(s.raw);
  });
});
