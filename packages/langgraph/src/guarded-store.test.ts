import { randomUUID } from 'node:crypto';
import { SyntheticEmbeddings } from '@langchain/core/utils/testing';
import {
  InMemoryStore,
  type Item,
  type LangGraphRunnableConfig,
  MessagesAnnotation,
  type Operation,
  type OperationResults,
  START,
  StateGraph,
} from '@langchain/langgraph';
import { CONFORMANCE_TEXTS, describeGuardedStoreConformance } from '@memgar/adapter-testkit';
import { INJECTED, sanitizingEnforcer } from '@memgar/adapter-testkit/sanitizing-enforcer';
import { InMemoryAuditSink, MemgarError, MemoryRuntimeEnforcer, PolicyEngine } from '@memgar/core';
import { describe, expect, it } from 'vitest';
import { type AdapterDecisionEvent, guardStore, MemoryRefusedError } from './index.js';

const T = CONFORMANCE_TEXTS;
type SourceType = 'memory' | 'rag' | 'tool' | 'web';

const semanticStore = () =>
  new InMemoryStore({
    index: { dims: 16, embeddings: new SyntheticEmbeddings({ vectorSize: 16 }), fields: ['text'] },
  });

class FailingStore extends InMemoryStore {
  override async batch<Op extends readonly Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    if (operations.some((op) => 'value' in op)) throw new Error('store down');
    return super.batch(operations);
  }
}

/** Every value stored in `store`, read directly (not through the guard). */
async function allValues(store: InMemoryStore) {
  return (await store.search([], { limit: 1000 })).map((i) => i.value);
}

function subject(failing = false) {
  const inner = failing ? new FailingStore() : semanticStore();
  const events: AdapterDecisionEvent[] = [];
  const onDecision = (e: AdapterDecisionEvent) => events.push(e);
  return {
    inner,
    events,
    write: (text: string, o: { sourceType?: SourceType } = {}) =>
      guardStore(inner, { onDecision, sourceType: o.sourceType ?? 'memory' }).put(
        ['memories'],
        randomUUID(),
        {
          text,
        },
      ),
    storedTexts: async () => (await allValues(inner)).map((v) => v.text as string),
    decisions: () => events.map((e) => e.decision),
    retrieve: async (query: string, texts: readonly string[]) => {
      for (const [i, text] of texts.entries()) await inner.put(['docs'], `d${i}`, { text });
      const got = await guardStore(inner, { onDecision, sourceType: 'rag' }).search(['docs'], { query });
      return got.map((i) => i.value.text as string);
    },
  };
}

describeGuardedStoreConformance('guardStore(InMemoryStore)', {
  create: () => subject(),
  createFailing: () => subject(true),
});

describe('guardStore writes', () => {
  it('decides every string of the value, at any depth, and refuses the item when one field is refused', async () => {
    const s = subject();
    const store = guardStore(s.inner, { onDecision: (e) => s.events.push(e) });
    await store.put(['users', 'u1'], 'profile', { title: T.benign, notes: [{ body: T.attack }], visits: 3 });
    expect(await allValues(s.inner)).toEqual([]);
    expect(s.events.map((e) => [e.boundary, e.id, e.allowed])).toEqual([
      ['memory_write', 'users/u1/profile', true],
      ['memory_write', 'users/u1/profile', false],
    ]);
  });

  it('analyzes only textFields when given', async () => {
    const s = subject();
    const store = guardStore(s.inner, { textFields: ['text'], onDecision: (e) => s.events.push(e) });
    await store.put(['m'], 'a', { text: T.benign, source: 'chat', tags: ['travel'] });
    expect(s.events).toHaveLength(1);
    expect(await allValues(s.inner)).toEqual([{ text: T.benign, source: 'chat', tags: ['travel'] }]);
  });

  it('stores the sanitized rewrite at its nested path and leaves the other fields untouched', async () => {
    const inner = new InMemoryStore();
    const store = guardStore(inner, { enforcer: sanitizingEnforcer });
    const value = { name: 'Ada', profile: { notes: ['Likes tea.', `Prefers aisle seats. ${INJECTED}`] } };
    await store.put(['users'], 'ada', value);
    expect(await allValues(inner)).toEqual([
      { name: 'Ada', profile: { notes: ['Likes tea.', 'Prefers aisle seats.'] } },
    ]);
    expect(value.profile.notes[1]).toContain(INJECTED); // the caller's object is not mutated
  });

  it("rejects a batch with a refused put with MemoryRefusedError (onRefused: 'throw') and stores none of it", async () => {
    const inner = new InMemoryStore();
    const store = guardStore(inner, { onRefused: 'throw' });
    const error = await store
      .batch([
        { namespace: ['m'], key: 'ok', value: { text: T.benign } },
        { namespace: ['m'], key: 'bad', value: { text: T.attack } },
      ])
      .catch((e: unknown) => e);
    expect(MemoryRefusedError.isInstance(error)).toBe(true);
    expect(error).toBeInstanceOf(MemgarError);
    expect((error as MemoryRefusedError).id).toBe('m/bad');
    expect((error as MemoryRefusedError).code).toBe('CONTENT_BLOCKED');
    expect(await allValues(inner)).toEqual([]);
  });

  it('rejects a bad concurrency option with a typed error before storing anything', async () => {
    const inner = new InMemoryStore();
    await expect(
      guardStore(inner, { concurrency: 0 }).put(['m'], 'a', { text: T.benign }),
    ).rejects.toMatchObject({
      code: 'INVALID_OPTION',
    });
    expect(await allValues(inner)).toEqual([]);
  });

  it('runs a mixed batch: refused puts dropped, gets and searches guarded, results in operation order', async () => {
    const inner = new InMemoryStore();
    await inner.put(['docs'], 'good', { text: T.benignChunk });
    await inner.put(['docs'], 'bad', { text: T.poisonedChunk });
    const results: unknown[] = await guardStore(inner).batch([
      { namespace: ['m'], key: 'a', value: { text: T.benign } },
      { namespace: ['m'], key: 'b', value: { text: T.attack } },
      { namespace: ['docs'], key: 'bad' },
      { namespace: ['docs'], key: 'good' },
      { namespacePrefix: ['docs'], limit: 10 },
    ]);
    expect(results[1]).toBeUndefined(); // the refused put never reached the store
    expect(results[2]).toBeNull();
    expect((results[3] as Item).value).toEqual({ text: T.benignChunk });
    expect((results[4] as Item[]).map((i) => i.key)).toEqual(['good']);
    expect((await allValues(inner)).map((v) => v.text)).toEqual([T.benignChunk, T.poisonedChunk, T.benign]);
  });

  it('passes deletes through without a decision', async () => {
    const inner = new InMemoryStore();
    const events: AdapterDecisionEvent[] = [];
    const store = guardStore(inner, { onDecision: (e) => events.push(e) });
    await store.put(['m'], 'a', { text: T.benign });
    await store.delete(['m'], 'a');
    expect(await allValues(inner)).toEqual([]);
    expect(events).toHaveLength(1);
  });

  it('rejects a value nested too deeply with a typed error, storing nothing', async () => {
    const inner = new InMemoryStore();
    let deep: Record<string, unknown> = { text: T.benign };
    for (let i = 0; i < 40; i++) deep = { child: deep };
    await expect(guardStore(inner).put(['m'], 'deep', deep)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await allValues(inner)).toEqual([]);
  });
});

describe('guardStore held writes', () => {
  // A policy that sends every memory write from the web to a reviewer, whatever the rules say.
  const reviewWeb = () =>
    new MemoryRuntimeEnforcer({
      policy: new PolicyEngine({
        rules: [
          {
            id: 'review-web',
            effect: 'escalate',
            decision: 'human_review',
            match: { boundary: 'memory_write', sourceType: 'web' },
          },
        ],
      }),
    });

  it('queues a human-review write instead of storing it, and writes it through on approval', async () => {
    const inner = new InMemoryStore();
    const events: AdapterDecisionEvent[] = [];
    const store = guardStore(inner, {
      enforcer: reviewWeb(),
      sourceType: 'web',
      onDecision: (e) => events.push(e),
    });
    await store.put(['m'], 'web-1', { text: T.benign, url: 'https://example.com/a' });
    expect(await allValues(inner)).toEqual([]);
    expect(events.map((e) => e.decision)).toEqual(['human_review', 'human_review']);
    const [item] = await store.held.queue.list();
    expect(item).toMatchObject({
      decision: 'human_review',
      status: 'pending',
      content: `${T.benign}\nhttps://example.com/a`,
      context: { sourceType: 'web' },
    });
    await store.held.approve(item!.id, 'alice');
    expect(await allValues(inner)).toEqual([{ text: T.benign, url: 'https://example.com/a' }]);
    expect((await store.held.queue.get(item!.id))?.status).toBe('approved');
  });

  it('does not queue an item when one of its fields is blocked, even if another only needs review', async () => {
    const inner = new InMemoryStore();
    const events: AdapterDecisionEvent[] = [];
    const store = guardStore(inner, {
      enforcer: reviewWeb(),
      sourceType: 'web',
      onDecision: (e) => events.push(e),
    });
    await store.put(['m'], 'mixed', { note: T.benign, body: T.attack });
    expect(events.map((e) => e.decision)).toEqual(['human_review', 'block']);
    expect(await store.held.queue.list({ status: 'all' })).toEqual([]);
    expect(await allValues(inner)).toEqual([]);
  });

  it('rejects a held write: it is never stored', async () => {
    const inner = new InMemoryStore();
    const store = guardStore(inner, { enforcer: reviewWeb(), sourceType: 'web' });
    await store.put(['m'], 'web-2', { text: T.benign });
    const [item] = await store.held.queue.list();
    await store.held.reject(item!.id, 'bob');
    expect((await store.held.queue.get(item!.id))?.status).toBe('rejected');
    expect(await allValues(inner)).toEqual([]);
  });

  it("queues nothing with onRefused: 'throw' (the caller gets the error instead)", async () => {
    const store = guardStore(new InMemoryStore(), {
      enforcer: reviewWeb(),
      sourceType: 'web',
      onRefused: 'throw',
    });
    await expect(store.put(['m'], 'web-3', { text: T.benign })).rejects.toMatchObject({
      name: 'MemoryRefusedError',
    });
    expect(await store.held.queue.list({ status: 'all' })).toEqual([]);
  });

  it('does not queue blocked writes', async () => {
    const store = guardStore(new InMemoryStore());
    await store.put(['m'], 'x', { text: T.attack });
    expect(await store.held.queue.list({ status: 'all' })).toEqual([]);
  });
});

describe('guardStore reads', () => {
  it('returns an allowed item with memgar beside its value, never inside it', async () => {
    const inner = new InMemoryStore();
    await inner.put(['m'], 'a', { text: T.benign });
    const item = await guardStore(inner).get(['m'], 'a');
    expect(item?.value).toEqual({ text: T.benign });
    expect(item?.memgar).toEqual({
      decision: 'allow',
      riskScore: expect.any(Number),
      rule: expect.any(String),
    });
  });

  it('returns null for a poisoned item read by key, and reports it', async () => {
    const inner = new InMemoryStore();
    await inner.put(['m'], 'bad', { text: T.poisonedChunk });
    const events: AdapterDecisionEvent[] = [];
    expect(await guardStore(inner, { onDecision: (e) => events.push(e) }).get(['m'], 'bad')).toBeNull();
    expect(events).toMatchObject([{ boundary: 'retrieval', allowed: false, id: 'm/bad' }]);
  });

  it('returns the sanitized rewrite of a retrieved item, with the store score kept', async () => {
    const inner = semanticStore();
    await inner.put(['docs'], 'export', { text: T.sanitizableChunk });
    const [item] = await guardStore(inner, { sourceType: 'rag' }).search(['docs'], { query: 'export data' });
    expect(item?.value.text).toBe(T.sanitizableChunk.replace(`${T.injectedSentence} `, ''));
    expect(item?.memgar?.decision).toBe('sanitize');
    expect(item?.score).toEqual(expect.any(Number));
  });

  it('audits every decision through the default enforcer sink, with agentId and tenantId', async () => {
    const audit = new InMemoryAuditSink();
    const inner = new InMemoryStore();
    const store = guardStore(inner, { audit, agentId: 'planner', tenantId: 'acme' });
    await store.put(['m'], 'a', { text: T.benign });
    await store.put(['m'], 'b', { text: T.attack });
    expect(audit.events().map((r) => [r.decision, r.agentId, r.tenantId])).toEqual([
      ['allow', 'planner', 'acme'],
      ['block', 'planner', 'acme'],
    ]);
  });
});

describe('guardStore in a real StateGraph (store passed to compile)', () => {
  it('guards the writes and searches a node makes through config.store', async () => {
    const inner = new InMemoryStore();
    const events: AdapterDecisionEvent[] = [];
    const store = guardStore(inner, { onDecision: (e) => events.push(e) });
    let recalled: string[] = [];
    const graph = new StateGraph(MessagesAnnotation)
      .addNode('remember', async (state, config: LangGraphRunnableConfig) => {
        const last = state.messages.at(-1);
        await config.store?.put(['memories', 'u1'], randomUUID(), { text: last?.text ?? '' });
        recalled =
          (await config.store?.search(['memories', 'u1'], { limit: 10 }))?.map((i) => i.value.text) ?? [];
        return {};
      })
      .addEdge(START, 'remember')
      .compile({ store });
    await graph.invoke({ messages: [{ role: 'user', content: T.benign }] });
    await graph.invoke({ messages: [{ role: 'user', content: T.attack }] });
    expect((await allValues(inner)).map((v) => v.text)).toEqual([T.benign]);
    expect(recalled).toEqual([T.benign]);
    expect(events.filter((e) => e.boundary === 'memory_write').map((e) => e.allowed)).toEqual([true, false]);
  });
});
