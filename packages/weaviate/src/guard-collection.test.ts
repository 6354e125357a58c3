import { describeGuardedStoreConformance, CONFORMANCE_TEXTS as T } from '@memgar/adapter-testkit';
import { INJECTED, sanitizingEnforcer } from '@memgar/adapter-testkit/sanitizing-enforcer';
import {
  InMemoryAuditSink,
  InvalidInputError,
  MemoryRuntimeEnforcer,
  PolicyEngine,
  type SourceType,
} from '@memgar/core';
import type { EnforcerLike } from '@memgar/core/adapter-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import weaviate, { type WeaviateClient } from 'weaviate-client';
import {
  type GuardWeaviateOptions,
  guardWeaviateCollection,
  type MemgarDecisionEvent,
  MemoryRefusedError,
  NO_TEXT_RULE,
} from './index.js';
import { type FakeWeaviate, startFakeWeaviate, toyVector } from './test-weaviate-server.js';

let fake: FakeWeaviate;
let client: WeaviateClient;
let failing: FakeWeaviate;
let failingClient: WeaviateClient;

const connect = (f: FakeWeaviate) =>
  weaviate.connectToCustom({
    httpHost: '127.0.0.1',
    httpPort: f.httpPort,
    httpSecure: false,
    grpcHost: '127.0.0.1',
    grpcPort: f.grpcPort,
    grpcSecure: false,
  });

beforeAll(async () => {
  fake = await startFakeWeaviate();
  failing = await startFakeWeaviate();
  failing.failWrites = true;
  [client, failingClient] = await Promise.all([connect(fake), connect(failing)]);
});

afterAll(async () => {
  await Promise.all([client.close(), failingClient.close()]);
  await Promise.all([fake.close(), failing.close()]);
});

let n = 0;
/** A fresh collection on the fake, its guard factory and the decisions reported. */
function setup(base: GuardWeaviateOptions = {}, f = () => fake, c = () => client) {
  const name = `Notes${++n}`;
  const events: MemgarDecisionEvent[] = [];
  const raw = () => c().collections.get(name);
  const guard = (o: GuardWeaviateOptions = {}) =>
    guardWeaviateCollection(raw(), { onDecision: (e) => events.push(e), ...base, ...o });
  const stored = () => f().objects(name);
  const texts = () => stored().map((o) => o.properties.text);
  return { name, events, raw, guard, g: guard(), stored, texts };
}

function subject(failingStore = false) {
  const s = failingStore
    ? setup(
        {},
        () => failing,
        () => failingClient,
      )
    : setup();
  return {
    write: (text: string, o: { sourceType?: SourceType } = {}) =>
      s.guard({ sourceType: o.sourceType ?? 'rag' }).data.insert({ text }),
    storedTexts: async () => s.texts() as string[],
    decisions: () => s.events.map((e) => e.decision),
    retrieve: async (query: string, texts: readonly string[]) => {
      for (const t of texts) fake.put(s.name, { text: t });
      const res = await s.g.query.nearText(query, { limit: 10 });
      return res.objects.map((o) => o.properties.text as string);
    },
  };
}

describeGuardedStoreConformance('guardWeaviateCollection (weaviate-client 3.12.1, loopback REST + gRPC)', {
  create: () => subject(),
  createFailing: () => subject(true),
});

describe('guardWeaviateCollection: writes', () => {
  it('insert stores an allowed object with its properties and the memgar decision properties', async () => {
    const s = setup();
    const id = await s.g.data.insert({ text: T.benign, source: 'chat', stars: 4 });
    const [obj] = s.stored();
    expect(obj?.id).toBe(id);
    expect(obj?.properties).toEqual({
      text: T.benign,
      source: 'chat',
      stars: 4,
      memgar_decision: 'allow',
      memgar_risk: s.events[0]?.riskScore,
      memgar_rule: s.events[0]?.rule,
    });
    expect(s.events).toMatchObject([{ boundary: 'memory_write', decision: 'allow', allowed: true }]);
  });

  it("insert of a refused object resolves to '' and stores nothing", async () => {
    const s = setup();
    await expect(s.g.data.insert({ properties: { text: T.attack } })).resolves.toBe('');
    expect(s.stored()).toEqual([]);
    expect(s.events[0]?.allowed).toBe(false);
  });

  it('insertMany stores the allowed objects and returns each refusal in errors at its own index', async () => {
    const s = setup();
    const attackId = '6a1f8b3e-2c4d-4e5f-8a9b-0c1d2e3f4a5b';
    const res = await s.g.data.insertMany([
      { text: T.benign, source: 'chat' },
      { id: attackId, properties: { text: T.attack, source: 'upload' } },
      { text: T.benignChunk, source: 'faq' },
    ]);
    expect(s.texts()).toEqual([T.benign, T.benignChunk]);
    expect(s.stored().map((o) => o.id)).toEqual([res.uuids[0], res.uuids[2]]);
    expect(s.stored()[1]?.properties).toMatchObject({ source: 'faq', memgar_decision: 'allow' });
    expect(Object.keys(res.uuids)).toEqual(['0', '2']);
    expect(Object.keys(res.errors)).toEqual(['1']);
    expect(res.errors[1]?.message).toMatch(/^memgar refused the write \((block|quarantine), /);
    expect(res.errors[1]?.originalUuid).toBe(attackId);
    expect(res.errors[1]?.object).toMatchObject({ collection: s.name, properties: { text: T.attack } });
    expect(res.hasErrors).toBe(true);
    expect(res.allResponses).toEqual([res.uuids[0], res.errors[1], res.uuids[2]]);
    expect(s.events.map((e) => [e.allowed, e.id])).toEqual([
      [true, undefined],
      [false, attackId],
      [true, undefined],
    ]);
  });

  it('insertMany of only refused objects does not call the server', async () => {
    const s = setup();
    const res = await s.g.data.insertMany([{ text: T.attack }]);
    expect(res.uuids).toEqual({});
    expect(res.hasErrors).toBe(true);
    expect(s.stored()).toEqual([]);
  });

  it("throws MemoryRefusedError with onRefused: 'throw' and stores nothing of the batch", async () => {
    const s = setup({ onRefused: 'throw' });
    const error = await s.g.data
      .insertMany([{ text: T.benign }, { text: T.attack }])
      .catch((e: unknown) => e);
    expect(MemoryRefusedError.isInstance(error)).toBe(true);
    expect(s.stored()).toEqual([]);
    expect(s.events.map((e) => e.allowed)).toEqual([true, false]);
  });

  it('passes agentId, tenantId and sourceProperty (as sourceId) to the enforcer', async () => {
    const seen: unknown[] = [];
    const real = new MemoryRuntimeEnforcer();
    const enforcer: EnforcerLike = {
      onMemoryWrite: (text, ctx) => {
        seen.push(ctx);
        return real.onMemoryWrite(text, ctx);
      },
      onRetrieval: (chunks, o) => {
        seen.push(chunks.map((c) => (typeof c === 'string' ? c : c.sourceId)));
        return real.onRetrieval(chunks, o);
      },
      onToolResult: (name, out, ctx) => real.onToolResult(name, out, ctx),
    };
    const s = setup({ enforcer, sourceProperty: 'url', agentId: 'bot', tenantId: 'acme' });
    await s.g.data.insert({ text: T.benign, url: 'https://docs.example/a' });
    await s.g.query.fetchObjects();
    expect(seen).toEqual([
      { sourceType: 'rag', sourceId: 'https://docs.example/a', agentId: 'bot', tenantId: 'acme' },
      ['https://docs.example/a'],
    ]);
  });

  it('records every decision in the default enforcer’s audit sink', async () => {
    const audit = new InMemoryAuditSink();
    const s = setup({ audit });
    await s.g.data.insertMany([{ text: T.benign }, { text: T.attack }]);
    expect(audit.events().map((e) => [e.boundary, e.decision === 'allow'])).toEqual([
      ['memory_write', true],
      ['memory_write', false],
    ]);
  });

  it('stores the sanitized rewrite and re-embeds its vector with embed', async () => {
    const s = setup({ enforcer: sanitizingEnforcer, embed: async (t) => toyVector(t) });
    const original = `Export arrives by e-mail. ${INJECTED}`;
    await s.g.data.insert({ properties: { text: original }, vectors: toyVector(original) });
    const [obj] = s.stored();
    expect(obj?.properties).toMatchObject({ text: 'Export arrives by e-mail.', memgar_decision: 'sanitize' });
    const want = toyVector('Export arrives by e-mail.');
    expect(obj?.vector).toHaveLength(want.length);
    for (const [i, x] of (obj?.vector ?? []).entries()) expect(x).toBeCloseTo(want[i] as number, 5);
    expect(s.events.map((e) => e.decision)).toEqual(['sanitize']);
  });

  it('keeps the given vector of a sanitized object without embed', async () => {
    const s = setup({ enforcer: sanitizingEnforcer });
    const original = `Export arrives by e-mail. ${INJECTED}`;
    await s.g.data.insertMany([{ properties: { text: original }, vectors: toyVector(original) }]);
    const [obj] = s.stored();
    expect(obj?.properties.text).toBe('Export arrives by e-mail.');
    const want = toyVector(original);
    expect(obj?.vector).toHaveLength(want.length);
    for (const [i, x] of (obj?.vector ?? []).entries()) expect(x).toBeCloseTo(want[i] as number, 5);
  });

  it('refuses an object without the text property with InvalidInputError, storing nothing of the call', async () => {
    const s = setup();
    const error = await s.g.data
      .insertMany([{ text: T.benign }, { title: 'no text here' }])
      .catch((e: unknown) => e);
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect((error as InvalidInputError).field).toBe('text');
    await expect(s.g.data.insert({ body: T.benign })).rejects.toThrow(/no string "text" property/);
    expect(s.stored()).toEqual([]);
  });

  it('stores textless objects unanalyzed with allowTextless, and reads textProperty', async () => {
    const s = setup({ allowTextless: true, textProperty: 'body' });
    await s.g.data.insertMany([{ title: 'vector only' }, { body: T.attack }, { body: T.benign }]);
    expect(s.stored().map((o) => o.properties)).toEqual([
      { title: 'vector only' },
      expect.objectContaining({ body: T.benign, memgar_decision: 'allow' }),
    ]);
  });

  it('recordDecision: false stores the properties untouched', async () => {
    const s = setup({ recordDecision: false });
    await s.g.data.insert({ text: T.benign, source: 'chat' });
    expect(s.stored()[0]?.properties).toEqual({ text: T.benign, source: 'chat' });
  });

  it('guards replace and update; an update without the text property passes through', async () => {
    const s = setup();
    const id = await s.g.data.insert({ text: T.benign, source: 'chat' });
    await s.g.data.replace({ id, properties: { text: T.attack } });
    expect(s.texts()).toEqual([T.benign]);
    await s.g.data.update({ id, properties: { text: T.benignChunk } });
    expect(s.stored()[0]?.properties).toMatchObject({ text: T.benignChunk, memgar_decision: 'allow' });
    await s.g.data.update({ id, properties: { source: 'faq' } });
    expect(s.stored()[0]?.properties).toMatchObject({ text: T.benignChunk, source: 'faq' });
    expect(s.events.map((e) => e.allowed)).toEqual([true, false, true]);
  });
});

describe('guardWeaviateCollection: held writes', () => {
  it('queues a quarantined write; approval stores it with memgar_decision allow and memgar_review', async () => {
    const s = setup();
    await expect(s.g.data.insert({ text: T.injectedSentence, source: 'chat' })).resolves.toBe('');
    expect(s.events.map((e) => e.decision)).toEqual(['quarantine']);
    expect(s.stored()).toEqual([]);
    const [item] = await s.g.held.queue.list();
    expect(item).toMatchObject({ content: T.injectedSentence, decision: 'quarantine', status: 'pending' });
    fake.failWrites = true;
    await expect(s.g.held.approve(item?.id as string, 'sofia')).rejects.toThrow();
    fake.failWrites = false;
    expect((await s.g.held.queue.get(item?.id as string))?.status).toBe('pending');
    await s.g.held.approve(item?.id as string, 'sofia');
    expect(s.stored()[0]?.properties).toMatchObject({
      text: T.injectedSentence,
      source: 'chat',
      memgar_decision: 'allow',
      memgar_review: item?.id,
      memgar_rule: item?.rule,
    });
    expect((await s.g.held.queue.get(item?.id as string))?.status).toBe('approved');
  });

  it('reports the review id in insertMany errors; a rejected human_review write is never stored', async () => {
    const enforcer = new MemoryRuntimeEnforcer({ policy: new PolicyEngine({ profile: 'permissive' }) });
    const s = setup({ enforcer, sourceType: 'memory' });
    const res = await s.g.data.insertMany([{ text: T.injectedSentence }]);
    const [item] = await s.g.held.queue.list();
    expect(item?.decision).toBe('human_review');
    expect(res.errors[0]?.message).toContain(`held for review ${item?.id}`);
    await s.g.held.reject(item?.id as string, 'ops', 'advertising');
    expect(s.stored()).toEqual([]);
  });

  it("with onRefused: 'throw' queues the held write of the call, then throws; approval stores it", async () => {
    const s = setup({ onRefused: 'throw' });
    const error = await s.g.data
      .insertMany([{ text: T.benign }, { text: T.injectedSentence }])
      .catch((e: unknown) => e);
    expect(MemoryRefusedError.isInstance(error)).toBe(true);
    expect(s.stored()).toEqual([]);
    const [item] = await s.g.held.queue.list();
    expect(item).toMatchObject({ content: T.injectedSentence, decision: 'quarantine', status: 'pending' });
    await s.g.held.approve(item?.id as string, 'sofia');
    expect(s.texts()).toEqual([T.injectedSentence]);
  });

  it('a held replace is replayed as a replace on approval', async () => {
    const s = setup();
    const id = await s.g.data.insert({ text: T.benign });
    await s.g.data.replace({ id, properties: { text: T.injectedSentence } });
    expect(s.texts()).toEqual([T.benign]);
    const [item] = await s.g.held.queue.list();
    await s.g.held.approve(item?.id as string, 'sofia');
    expect(s.stored().map((o) => [o.id, o.properties.text])).toEqual([[id, T.injectedSentence]]);
  });

  it('a write held in a tenant-scoped collection is written to that tenant on approval', async () => {
    const s = setup();
    await s.g.withTenant('tenantA').data.insert({ text: T.injectedSentence });
    await s.g.withTenant('tenantB').data.insert({ text: T.benign });
    expect(s.stored().map((o) => [o.tenant, o.properties.text])).toEqual([['tenantB', T.benign]]);
    const [item] = await s.g.held.queue.list();
    await s.g.held.approve(item?.id as string, 'sofia');
    expect(s.stored().map((o) => o.tenant)).toEqual(['tenantB', 'tenantA']);
  });
});

describe('guardWeaviateCollection: queries', () => {
  const poisoned = T.poisonedChunk;

  it('nearVector returns the allowed objects with memgar metadata, filtering the poisoned one', async () => {
    const s = setup();
    fake.put(s.name, { text: T.benignChunk, source: 'faq' }, toyVector(T.benignChunk));
    fake.put(s.name, { text: poisoned, source: 'upload' }, toyVector(poisoned));
    const res = await s.g.query.nearVector(toyVector('refunds issued within 30 days'), {
      returnMetadata: ['distance'],
    });
    expect(res.objects.map((o) => o.properties)).toEqual([{ text: T.benignChunk, source: 'faq' }]);
    expect((res.objects[0] as { memgar?: unknown }).memgar).toMatchObject({ decision: 'allow' });
    expect(res.objects[0]?.metadata?.distance).toBeTypeOf('number');
    expect(s.events.map((e) => [e.boundary, e.allowed])).toEqual([
      ['retrieval', true],
      ['retrieval', false],
    ]);
  });

  it('fetchObjects and fetchObjectById are guarded', async () => {
    const s = setup();
    const good = fake.put(s.name, { text: T.benignChunk });
    const bad = fake.put(s.name, { text: poisoned });
    const all = await s.g.query.fetchObjects();
    expect(all.objects.map((o) => o.uuid)).toEqual([good]);
    expect(await s.g.query.fetchObjectById(bad)).toBeNull();
    expect((await s.g.query.fetchObjectById(good))?.properties.text).toBe(T.benignChunk);
  });

  it('bm25 and hybrid are guarded like every query method, with their query text', async () => {
    const seen: (string | undefined)[] = [];
    const real = new MemoryRuntimeEnforcer();
    const enforcer: EnforcerLike = {
      onMemoryWrite: (text, ctx) => real.onMemoryWrite(text, ctx),
      onRetrieval: (chunks, o) => {
        seen.push(o?.query);
        return real.onRetrieval(chunks, o);
      },
      onToolResult: (name, out, ctx) => real.onToolResult(name, out, ctx),
    };
    const s = setup({ enforcer });
    fake.put(s.name, { text: T.benignChunk });
    fake.put(s.name, { text: poisoned });
    expect((await s.g.query.bm25('refunds')).objects.map((o) => o.properties.text)).toEqual([T.benignChunk]);
    expect((await s.g.query.hybrid('refund policy')).objects.map((o) => o.properties.text)).toEqual([
      T.benignChunk,
    ]);
    expect(seen).toEqual(['refunds', 'refund policy']);
  });

  it('returns the sanitized rewrite of a retrieved object', async () => {
    const s = setup();
    fake.put(s.name, { text: T.sanitizableChunk });
    const res = await s.g.query.nearText('export data');
    expect(s.events.map((e) => e.decision)).toEqual(['sanitize']);
    const text = res.objects[0]?.properties.text as string;
    expect(text).not.toContain(T.injectedSentence);
    expect(text).toContain('To export your data');
  });

  it('withholds a result without the text property and reports it; allowTextless returns it', async () => {
    const s = setup();
    const id = fake.put(s.name, { title: 'no text' });
    expect((await s.g.query.fetchObjects()).objects).toEqual([]);
    expect(s.events).toMatchObject([{ boundary: 'retrieval', decision: 'block', rule: NO_TEXT_RULE, id }]);
    const open = s.guard({ allowTextless: true });
    expect((await open.query.fetchObjects()).objects.map((o) => o.uuid)).toEqual([id]);
  });

  it('adds the text property to returnProperties so the guard can read it', async () => {
    const s = setup();
    fake.put(s.name, { text: T.benignChunk, source: 'faq' });
    fake.put(s.name, { text: poisoned, source: 'upload' });
    const res = await s.g.query.fetchObjects({ returnProperties: ['source'] });
    expect(fake.searches.at(-1)?.properties.nonRefProperties).toEqual(['source', 'text']);
    expect(res.objects.map((o) => o.properties.source)).toEqual(['faq']);
  });

  it('filterDecisions sends a memgar_decision filter, And-ed with the caller’s filter', async () => {
    const s = setup();
    await s.g.data.insert({ text: T.benignChunk, source: 'faq' });
    fake.put(s.name, { text: 'Unscanned note about refunds.', source: 'faq' });
    const f = s.guard({ filterDecisions: ['allow', 'sanitize'] });
    const res = await f.query.fetchObjects();
    expect(res.objects.map((o) => o.properties.text)).toEqual([T.benignChunk]);
    expect(fake.searches.at(-1)?.filters).toMatchObject({
      target: { property: 'memgar_decision' },
      valueTextArray: { values: ['allow', 'sanitize'] },
    });
    const col = s.raw();
    await f.query.nearText('refunds', { filters: col.filter.byProperty('source').equal('faq') });
    const sent = fake.searches.at(-1)?.filters;
    expect(sent.filters.map((x: { target: { property: string } }) => x.target.property)).toEqual([
      'source',
      'memgar_decision',
    ]);
  });

  it('refuses groupBy, generate, iterator and data.ingest, which would pass objects unchecked', async () => {
    const s = setup();
    await expect(
      s.g.query.nearText('x', { groupBy: { property: 'source', numberOfGroups: 2, objectsPerGroup: 2 } }),
    ).rejects.toThrow(InvalidInputError);
    await expect(s.g.generate.nearText('x', { singlePrompt: 'answer' })).rejects.toThrow(/not guarded/);
    expect(() => s.g.iterator()).toThrow(/iterator is not guarded/);
    expect(() => s.g.data.ingest([{ text: T.benign }])).toThrow(/data.ingest is not guarded/);
    expect(s.g.inner.name).toBe(s.name);
  });
});
