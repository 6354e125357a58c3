import { Agent, type MastraMessageV2 } from '@mastra/core/agent';
import type { MastraMessageV1 } from '@mastra/core/memory';
import { CONFORMANCE_TEXTS, describeGuardedStoreConformance } from '@memgar/adapter-testkit';
import { INJECTED, sanitizingEnforcer } from '@memgar/adapter-testkit/sanitizing-enforcer';
import { InvalidInputError, MemoryRuntimeEnforcer } from '@memgar/core';
import type { AdapterDecisionEvent, EnforcerLike } from '@memgar/core/adapter-kit';
import { MockLanguageModelV1 } from 'ai/test';
import { describe, expect, it } from 'vitest';
import { guardMemory, MemoryRefusedError } from './index.js';
import { FailingMemory, StoreMemory } from './test/store-memory.js';

const T = CONFORMANCE_TEXTS;
const real = new MemoryRuntimeEnforcer();
let n = 0;

const v2 = (text: string, role: 'user' | 'assistant' = 'user'): MastraMessageV2 => ({
  id: `m${++n}`,
  role,
  createdAt: new Date(),
  threadId: 't1',
  resourceId: 'r1',
  content: { format: 2, parts: [{ type: 'text', text }] },
});

async function setup(options: Parameters<typeof guardMemory>[1] = {}, failing = false) {
  const inner = failing ? new FailingMemory() : new StoreMemory();
  await inner.createThread({ threadId: 't1', resourceId: 'r1' });
  const events: AdapterDecisionEvent[] = [];
  const memory = guardMemory(inner, { onDecision: (e) => events.push(e), ...options });
  const texts = async () =>
    (await inner.stored('t1')).map((m) =>
      m.content.parts.map((p) => (p.type === 'text' ? p.text : '')).join(''),
    );
  return { inner, memory, events, texts };
}

describeGuardedStoreConformance('guardMemory(MastraMemory subclass)', {
  create: async () => {
    const s = await setup();
    return {
      // Guarding again replaces the guard: the write's source type, same callback.
      write: (text, o) =>
        guardMemory(s.inner, {
          sourceType: o?.sourceType ?? 'memory',
          onDecision: (e) => s.events.push(e),
        }).saveMessages({ messages: [v2(text)], format: 'v2' }),
      storedTexts: s.texts,
      decisions: () => s.events.map((e) => e.decision),
    };
  },
  createFailing: async () => {
    const s = await setup({}, true);
    return {
      write: (text) => s.memory.saveMessages({ messages: [v2(text)], format: 'v2' }),
      storedTexts: s.texts,
      decisions: () => s.events.map((e) => e.decision),
    };
  },
  retrieves: false,
});

describe('guardMemory', () => {
  it('saves allowed messages and drops refused ones, reporting each by message id', async () => {
    const s = await setup();
    const a = v2(T.benign);
    const b = v2(T.attack);
    const saved = await s.memory.saveMessages({ messages: [a, b], format: 'v2' });
    expect(saved.map((m: { id: string }) => m.id)).toEqual([a.id]);
    expect(await s.texts()).toEqual([T.benign]);
    expect(s.events.map((e) => [e.boundary, e.id, e.allowed])).toEqual([
      ['memory_write', a.id, true],
      ['memory_write', b.id, false],
    ]);
  });

  it("throws MemoryRefusedError with onRefused: 'throw' and saves nothing of the call", async () => {
    const s = await setup({ onRefused: 'throw' });
    const error = await s.memory
      .saveMessages({ messages: [v2(T.benign), v2(T.attack)], format: 'v2' })
      .catch((e: unknown) => e);
    expect(MemoryRefusedError.isInstance(error)).toBe(true);
    expect(await s.texts()).toEqual([]);
  });

  it('refuses a whole message when one of its parts is refused', async () => {
    const s = await setup();
    const m = v2(T.benign);
    m.content.parts.push({ type: 'text', text: ` ${T.attack}` });
    await s.memory.saveMessages({ messages: [m], format: 'v2' });
    expect(await s.texts()).toEqual([]);
  });

  it('decides V1 tool results: a clean one is saved as is, a sanitized JSON text one rewritten', async () => {
    const s = await setup({ enforcer: sanitizingEnforcer });
    const tool = (result: unknown): MastraMessageV1 => ({
      id: `m${++n}`,
      role: 'tool',
      type: 'tool-result',
      createdAt: new Date(),
      threadId: 't1',
      resourceId: 'r1',
      content: [{ type: 'tool-result', toolCallId: `c${n}`, toolName: 'fetch_page', result }],
    });
    const clean = tool('Refunds take 30 days.');
    const dirty = tool(JSON.stringify({ body: `Refunds take 30 days. ${INJECTED}` }));
    const saved = await s.memory.saveMessages({ messages: [clean, dirty] });
    const results = (saved as MastraMessageV1[]).flatMap((m: MastraMessageV1) =>
      Array.isArray(m.content) ? m.content.flatMap((p) => (p.type === 'tool-result' ? [p.result] : [])) : [],
    );
    expect(results).toEqual(['Refunds take 30 days.', JSON.stringify({ body: 'Refunds take 30 days.' })]);
    expect(s.events.map((e) => [e.decision, e.id])).toEqual([
      ['allow', clean.id],
      ['sanitize', dirty.id],
    ]);
  });

  it('keeps an object tool result an object when it is sanitized (V2 tool invocation)', async () => {
    // The object is analyzed as its JSON text; the sanitized text is parsed back.
    const s = await setup({ enforcer: sanitizingEnforcer });
    const m: MastraMessageV2 = {
      ...v2('Here is the page.', 'assistant'),
      content: {
        format: 2,
        parts: [
          {
            type: 'tool-invocation',
            toolInvocation: {
              state: 'result',
              toolCallId: 'c1',
              toolName: 'fetch_page',
              args: {},
              result: { body: `Refunds take 30 days. ${INJECTED}`, status: 200 },
            },
          },
        ],
      },
    };
    await s.memory.saveMessages({ messages: [m], format: 'v2' });
    const [stored] = await s.inner.stored('t1');
    const part = stored?.content.parts[0];
    expect(
      part?.type === 'tool-invocation' &&
        part.toolInvocation.state === 'result' &&
        part.toolInvocation.result,
    ).toEqual({
      body: 'Refunds take 30 days.',
      status: 200,
    });
  });

  it('holds quarantined and human-review messages for review and saves them on approval', async () => {
    const holding: EnforcerLike = {
      onRetrieval: real.onRetrieval.bind(real),
      onToolResult: real.onToolResult.bind(real),
      onMemoryWrite: async () => ({
        allowed: false,
        decision: 'quarantine',
        safeContent: undefined,
        reason: 'held for the test',
        rule: 'test:hold',
        riskScore: 60,
        findings: [],
        dlp: [],
        auditIds: [],
        analysis: undefined,
      }),
    };
    const s = await setup({ enforcer: holding });
    const m = v2(T.benign);
    expect(await s.memory.saveMessages({ messages: [m], format: 'v2' })).toEqual([]);
    expect(await s.texts()).toEqual([]);
    const [item] = await s.memory.held.queue.list();
    expect(item).toMatchObject({ content: T.benign, decision: 'quarantine', status: 'pending' });
    await s.memory.held.approve(item!.id, 'reviewer@example.com');
    expect((await s.inner.stored('t1')).map((x) => x.id)).toEqual([m.id]);
  });

  it("with onRefused: 'throw' queues held messages, then throws and saves nothing", async () => {
    const holding: EnforcerLike = {
      onRetrieval: real.onRetrieval.bind(real),
      onToolResult: real.onToolResult.bind(real),
      onMemoryWrite: async () => ({
        allowed: false,
        decision: 'quarantine',
        safeContent: undefined,
        reason: 'held for the test',
        rule: 'test:hold',
        riskScore: 60,
        findings: [],
        dlp: [],
        auditIds: [],
        analysis: undefined,
      }),
    };
    const s = await setup({ enforcer: holding, onRefused: 'throw' });
    const m = v2(T.benign);
    const error = await s.memory.saveMessages({ messages: [m], format: 'v2' }).catch((e: unknown) => e);
    expect(MemoryRefusedError.isInstance(error)).toBe(true);
    expect(await s.texts()).toEqual([]);
    const [item] = await s.memory.held.queue.list();
    expect(item).toMatchObject({ content: T.benign, decision: 'quarantine', status: 'pending' });
    await s.memory.held.approve(item!.id, 'reviewer@example.com');
    expect((await s.inner.stored('t1')).map((x) => x.id)).toEqual([m.id]);
  });

  it('guards the deprecated addMessage too (it saves through saveMessages)', async () => {
    const s = await setup();
    await s.memory.addMessage({
      threadId: 't1',
      resourceId: 'r1',
      content: T.attack,
      role: 'user',
      type: 'text',
    });
    expect(await s.texts()).toEqual([]);
    expect(s.events.map((e) => e.allowed)).toEqual([false]);
  });

  it('rejects a call without a messages array with InvalidInputError', async () => {
    const s = await setup();
    await expect(s.memory.saveMessages({ messages: 'hi' } as never)).rejects.toBeInstanceOf(
      InvalidInputError,
    );
  });

  it('decides what a real Agent saves: the poisoned user turn is not remembered, the answer is', async () => {
    const s = await setup();
    const model = new MockLanguageModelV1({
      doGenerate: async () => ({
        rawCall: { rawPrompt: null, rawSettings: {} },
        finishReason: 'stop',
        usage: { promptTokens: 1, completionTokens: 1 },
        text: 'I cannot change how invoices are handled.',
      }),
    });
    const agent = new Agent({
      name: 'assistant',
      instructions: 'Help with billing.',
      model,
      memory: s.memory,
    });
    await agent.generateLegacy(T.attack, { memory: { thread: 't1', resource: 'r1' } });
    const stored = await s.inner.stored('t1');
    expect(stored.map((m) => m.role)).toEqual(['assistant']);
    expect(await s.texts()).toEqual(['I cannot change how invoices are handled.']);
    expect(s.events.map((e) => e.allowed)).toEqual([false, true]);
  });
});
