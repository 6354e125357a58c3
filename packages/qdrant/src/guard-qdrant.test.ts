import { randomUUID } from 'node:crypto';
import { describeGuardedStoreConformance, CONFORMANCE_TEXTS as T } from '@memgar/adapter-testkit';
import { fakeEmbedding } from '@memgar/adapter-testkit/fake-openai';
import { INJECTED, sanitizingEnforcer } from '@memgar/adapter-testkit/sanitizing-enforcer';
import { InMemoryAuditSink, InvalidInputError, MemoryRuntimeEnforcer, PolicyEngine } from '@memgar/core';
import { type AdapterDecisionEvent, MemoryRefusedError } from '@memgar/core/adapter-kit';
import { QdrantClient } from '@qdrant/js-client-rest';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { type FakeQdrant, startFakeQdrant } from './fake-qdrant.js';
import { type GuardQdrantOptions, guardQdrant, NO_TEXT_RULE } from './guard-qdrant.js';

const embed = (t: string) => fakeEmbedding(t, 32);
const servers: FakeQdrant[] = [];
let fake: FakeQdrant;
let client: QdrantClient;
let nextId = 1;

async function start(): Promise<{ fake: FakeQdrant; client: QdrantClient }> {
  const f = await startFakeQdrant();
  servers.push(f);
  return { fake: f, client: new QdrantClient({ url: f.url }) };
}

beforeAll(async () => {
  ({ fake, client } = await start());
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function newCollection(c: QdrantClient = client): Promise<string> {
  const name = `c-${randomUUID()}`;
  await c.createCollection(name, { vectors: { size: 32, distance: 'Cosine' } });
  return name;
}

const point = (text: string, extra: Record<string, unknown> = {}) => ({
  id: nextId++,
  vector: embed(text),
  payload: { text, ...extra },
});

/** Upserts straight to Qdrant (no guard), as a poisoned index would hold the points. */
async function seed(name: string, texts: readonly string[], extra: Record<string, unknown>[] = []) {
  const points = texts.map((t, i) => point(t, extra[i]));
  await client.upsert(name, { wait: true, points });
  return points.map((p) => p.id);
}

async function storedTexts(name: string, c: QdrantClient = client): Promise<string[]> {
  const { points } = await c.scroll(name, { limit: 100, with_payload: true });
  return points.map((p) => String(p.payload?.text));
}

function guarded(options: GuardQdrantOptions = {}, c: QdrantClient = client) {
  const events: AdapterDecisionEvent[] = [];
  const g = guardQdrant(c, { ...options, onDecision: (e) => events.push(e) });
  return { g, events };
}

describeGuardedStoreConformance('guardQdrant(QdrantClient 1.18.0, loopback Qdrant REST)', {
  create: async () => {
    const name = await newCollection();
    const events: AdapterDecisionEvent[] = [];
    const on = { onDecision: (e: AdapterDecisionEvent) => events.push(e) };
    return {
      write: (text, o) =>
        guardQdrant(client, { ...on, ...(o?.sourceType && { sourceType: o.sourceType }) }).upsert(name, {
          wait: true,
          points: [point(text)],
        }),
      storedTexts: () => storedTexts(name),
      decisions: () => events.map((e) => e.decision),
      retrieve: async (query, texts) => {
        await seed(name, texts);
        const hits = await guardQdrant(client, on).search(name, { vector: embed(query), limit: 10 });
        return hits.map((h) => String(h.payload?.text));
      },
    };
  },
  createFailing: async () => {
    const s = await start();
    const name = await newCollection(s.client);
    s.fake.failWrites = true;
    const events: AdapterDecisionEvent[] = [];
    return {
      write: (text) =>
        guardQdrant(s.client, { onDecision: (e) => events.push(e) }).upsert(name, {
          wait: true,
          points: [point(text)],
        }),
      storedTexts: () => storedTexts(name, s.client),
      decisions: () => events.map((e) => e.decision),
    };
  },
});

describe('guardQdrant writes', () => {
  it('keeps the client type and passes other methods through (drop-in)', async () => {
    const name = await newCollection();
    const g = guardQdrant(client);
    expectTypeOf(g).toMatchTypeOf<QdrantClient>();
    expect(await g.collectionExists(name)).toEqual({ exists: true });
  });

  it('stores allowed points with user payload and a memgar payload, drops a blocked one, reports both', async () => {
    const name = await newCollection();
    const { g, events } = guarded();
    const ok = point(T.benignChunk, { source: 'faq.md' });
    const bad = point(T.poisonedChunk, { source: 'upload.md' });
    const res = await g.upsert(name, { wait: true, points: [ok, bad] });
    expect(res).toEqual({ operation_id: 0, status: 'completed' });
    expect(fake.points(name).map((p) => [p.id, p.payload])).toEqual([
      [
        ok.id,
        {
          text: T.benignChunk,
          source: 'faq.md',
          memgar: { decision: 'allow', riskScore: expect.any(Number), rule: expect.any(String) },
        },
      ],
    ]);
    expect(events.map((e) => [e.boundary, e.id, e.decision])).toEqual([
      ['memory_write', String(ok.id), 'allow'],
      ['memory_write', String(bad.id), 'block'],
    ]);
  });

  it('guards the batch form and answers completed without a request when nothing is left', async () => {
    const name = await newCollection();
    const { g } = guarded();
    await g.upsert(name, {
      batch: {
        ids: [nextId++, nextId++],
        vectors: [embed(T.benign), embed(T.attack)],
        payloads: [{ text: T.benign }, { text: T.attack }],
      },
    });
    expect(await storedTexts(name)).toEqual([T.benign]);
    const before = fake.requests.length;
    expect(await g.upsert(name, { points: [point(T.attack)] })).toEqual({
      operation_id: null,
      status: 'completed',
    });
    expect(fake.requests.length).toBe(before);
  });

  it('queues a quarantined point in held and upserts it on approval with memgar.decision allow', async () => {
    const name = await newCollection();
    const { g, events } = guarded();
    const q = point(T.injectedSentence, { source: 'chat' });
    await g.upsert(name, { wait: true, points: [q, point(T.benign)] });
    expect(events.map((e) => e.decision)).toEqual(['quarantine', 'allow']);
    expect(await storedTexts(name)).toEqual([T.benign]);
    const [item] = await g.held.queue.list();
    expect(item).toMatchObject({ content: T.injectedSentence, decision: 'quarantine', status: 'pending' });
    await g.held.approve(item?.id as string, 'sofia');
    const [got] = await client.retrieve(name, { ids: [q.id] });
    expect(got?.payload).toMatchObject({
      text: T.injectedSentence,
      source: 'chat',
      memgar: { decision: 'allow', review: item?.id, rule: item?.rule },
    });
  });

  it('queues human_review points too; a rejected one is never stored', async () => {
    const name = await newCollection();
    const enforcer = new MemoryRuntimeEnforcer({ policy: new PolicyEngine({ profile: 'permissive' }) });
    const { g, events } = guarded({ enforcer, sourceType: 'memory' });
    await g.upsert(name, { points: [point(T.injectedSentence)] });
    expect(events.map((e) => e.decision)).toEqual(['human_review']);
    const [item] = await g.held.queue.list();
    await g.held.reject(item?.id as string, 'ops');
    expect(fake.points(name)).toEqual([]);
  });

  it("throws MemoryRefusedError with onRefused: 'throw' and stores nothing of the call", async () => {
    const name = await newCollection();
    const { g } = guarded({ onRefused: 'throw' });
    const error = await g
      .upsert(name, { points: [point(T.benign), point(T.attack)] })
      .catch((e: unknown) => e);
    expect(MemoryRefusedError.isInstance(error)).toBe(true);
    expect(fake.points(name)).toEqual([]);
  });

  it('stores the sanitized rewrite with the vector of the rewrite (embed option)', async () => {
    const name = await newCollection();
    const { g, events } = guarded({
      enforcer: sanitizingEnforcer,
      embed: async (ts) => ts.map(embed),
    });
    await g.upsert(name, { points: [point(`${T.benignChunk} ${INJECTED}`)] });
    const [p] = fake.points(name);
    expect(p?.payload).toMatchObject({ text: T.benignChunk, memgar: { decision: 'sanitize' } });
    expect(p?.vector.map((x) => x.toFixed(6))).toEqual(embed(T.benignChunk).map((x) => x.toFixed(6)));
    expect(events.map((e) => e.decision)).toEqual(['sanitize']);
  });

  it('refuses a point without text (InvalidInputError) and stores nothing of the call', async () => {
    const name = await newCollection();
    const { g, events } = guarded();
    const error = await g
      .upsert(name, { points: [point(T.benign), { id: nextId++, vector: embed('x'), payload: {} }] })
      .catch((e: unknown) => e);
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect((error as InvalidInputError).field).toBe('payload');
    expect(fake.points(name)).toEqual([]);
    expect(events).toEqual([]);
  });

  it('reads the text from textKey, and allowTextless stores a vector-only point without a (forged) memgar payload', async () => {
    const name = await newCollection();
    const { g } = guarded({ textKey: 'content', allowTextless: true });
    await g.upsert(name, {
      points: [
        { id: nextId++, vector: embed(T.attack), payload: { content: T.attack } },
        { id: nextId++, vector: embed('img'), payload: { kind: 'image', memgar: { decision: 'allow' } } },
      ],
    });
    expect(fake.points(name).map((p) => p.payload)).toEqual([{ kind: 'image' }]);
  });

  it('rejects malformed calls with a typed error', async () => {
    const name = await newCollection();
    const { g } = guarded();
    await expect(g.upsert(name, null as never)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(g.upsert(name, {} as never)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(g.search(name, null as never)).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('surfaces an unreachable server as the SDK error, holding nothing', async () => {
    const s = await startFakeQdrant();
    await s.close();
    const dead = new QdrantClient({ url: s.url, checkCompatibility: false });
    const { g } = guarded({}, dead);
    await expect(g.upsert('x', { points: [point(T.injectedSentence), point(T.benign)] })).rejects.toThrow(
      /fetch failed/,
    );
    expect(await g.held.queue.pending()).toBe(0);
    await expect(g.search('x', { vector: embed('q') })).rejects.toThrow(/fetch failed/);
  });

  it('analyzes a bulk upsert with bounded concurrency', async () => {
    const name = await newCollection();
    const real = new MemoryRuntimeEnforcer();
    let inFlight = 0;
    let peak = 0;
    const enforcer = {
      onRetrieval: real.onRetrieval.bind(real),
      onToolResult: real.onToolResult.bind(real),
      onMemoryWrite: async (text: string, ctx?: Parameters<MemoryRuntimeEnforcer['onMemoryWrite']>[1]) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return real.onMemoryWrite(text, ctx);
      },
    };
    const texts = Array.from({ length: 12 }, (_, i) => `Memory number ${i}: the user likes green tea.`);
    await guardQdrant(client, { enforcer, concurrency: 4 }).upsert(name, {
      points: texts.map((t) => point(t)),
    });
    expect(peak).toBe(4);
    expect(fake.points(name)).toHaveLength(12);
  });

  it('records every decision in the audit sink of the default enforcer', async () => {
    const name = await newCollection();
    const audit = new InMemoryAuditSink();
    await guardQdrant(client, { audit }).upsert(name, { points: [point(T.benign), point(T.attack)] });
    expect(audit.events().map((e) => e.allowed)).toEqual([true, false]);
  });
});

describe('guardQdrant reads', () => {
  it('search filters the poisoned point, keeps scores and adds the retrieval decision', async () => {
    const name = await newCollection();
    const [good, bad] = await seed(name, [T.benignChunk, T.poisonedChunk], [{ source: 'faq.md' }, {}]);
    const { g, events } = guarded();
    const hits = await g.search(name, { vector: embed('refunds are issued'), limit: 5 });
    expect(hits.map((h) => [h.id, h.payload?.source, h.payload?.memgar])).toEqual([
      [good, 'faq.md', { decision: 'allow', riskScore: expect.any(Number), rule: expect.any(String) }],
    ]);
    expect(hits[0]?.score).toBeGreaterThan(0);
    expect(hits[0]?.version).toBe(0);
    expect(events.map((e) => [e.boundary, e.id, e.allowed]).sort()).toEqual(
      [
        ['retrieval', String(good), true],
        ['retrieval', String(bad), false],
      ].sort(),
    );
  });

  it('returns the sanitized rewrite of a retrieved chunk, never the original', async () => {
    const name = await newCollection();
    await seed(name, [T.sanitizableChunk]);
    const hits = await guardQdrant(client).search(name, { vector: embed('export data'), limit: 5 });
    expect(hits.map((h) => h.payload?.text)).toEqual([
      T.sanitizableChunk.replace(`${T.injectedSentence} `, ''),
    ]);
  });

  it('query asks for payloads to analyze them and returns none when the caller asked for none', async () => {
    const name = await newCollection();
    const [good] = await seed(name, [T.benignChunk, T.poisonedChunk]);
    const { g } = guarded();
    const res = await g.query(name, { query: embed('refunds'), limit: 5 });
    expect(res.points.map((p) => [p.id, p.payload])).toEqual([[good, null]]);
    const withList = await g.query(name, { query: embed('refunds'), with_payload: ['text'] });
    expect(withList.points.map((p) => p.payload)).toEqual([{ text: T.benignChunk }]);
  });

  it('retrieve and scroll filter the poisoned point', async () => {
    const name = await newCollection();
    const [good, bad] = await seed(name, [T.benignChunk, T.poisonedChunk]);
    const { g } = guarded();
    expect((await g.retrieve(name, { ids: [good as number, bad as number] })).map((p) => p.id)).toEqual([
      good,
    ]);
    expect((await g.scroll(name, { limit: 10 })).points.map((p) => p.payload?.text)).toEqual([T.benignChunk]);
  });

  it('filterDecisions returns only points written through memgar with those decisions, with the user filter', async () => {
    const name = await newCollection();
    await seed(name, [T.benign], [{ lang: 'en' }]); // written around the guard: no memgar payload
    const { g } = guarded({ filterDecisions: ['allow', 'sanitize'] });
    await g.upsert(name, {
      points: [
        point(T.benignChunk, { lang: 'en' }),
        point('Les remboursements sont effectués sous 30 jours.', { lang: 'fr' }),
      ],
    });
    const texts = async (filter?: Record<string, unknown>) =>
      (await g.scroll(name, { limit: 10, ...(filter && { filter }) })).points
        .map((p) => p.payload?.lang)
        .sort();
    expect(await texts()).toEqual(['en', 'fr']);
    expect(await texts({ must: [{ key: 'lang', match: { value: 'en' } }] })).toEqual(['en']);
    expect((await g.search(name, { vector: embed(T.benign), limit: 5 })).length).toBe(2);
  });

  it('drops a point without text from results and reports it; allowTextless returns it', async () => {
    const name = await newCollection();
    const vectorOnly = nextId++;
    await client.upsert(name, {
      points: [{ id: vectorOnly, vector: embed('refunds'), payload: { kind: 'img' } }],
    });
    const [good] = await seed(name, [T.benignChunk]);
    const { g, events } = guarded();
    expect((await g.search(name, { vector: embed('refunds') })).map((h) => h.id)).toEqual([good]);
    expect(events.find((e) => e.id === String(vectorOnly))).toMatchObject({
      decision: 'block',
      rule: NO_TEXT_RULE,
    });
    const open = guardQdrant(client, { allowTextless: true });
    expect((await open.search(name, { vector: embed('refunds') })).map((h) => h.id).sort()).toEqual(
      [good, vectorOnly].sort(),
    );
  });

  it('refuses methods that would bypass the guard', async () => {
    const name = await newCollection();
    const g = guardQdrant(client);
    await expect(g.searchBatch(name, { searches: [] })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(g.setPayload(name, { payload: { text: T.attack }, points: [1] })).rejects.toMatchObject({
      field: 'setPayload',
    });
    await expect(g.recommend(name, { positive: [1] })).rejects.toBeInstanceOf(InvalidInputError);
  });
});
