import { randomUUID } from 'node:crypto';
import { describeGuardedStoreConformance, CONFORMANCE_TEXTS as T } from '@memgar/adapter-testkit';
import { fakeEmbedding } from '@memgar/adapter-testkit/fake-openai';
import { INJECTED, sanitizingEnforcer } from '@memgar/adapter-testkit/sanitizing-enforcer';
import {
  InMemoryAuditSink,
  InvalidInputError,
  InvalidOptionError,
  MemoryRuntimeEnforcer,
  PolicyEngine,
} from '@memgar/core';
import { type AdapterDecisionEvent, MemoryRefusedError } from '@memgar/core/adapter-kit';
import { ChromaClient, type Collection } from 'chromadb';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { type GuardCollectionOptions, guardCollection, NO_TEXT_RULE } from './index.js';
import { type ChromaServer, startChroma } from './test-chroma-server.js';

const embed = (t: string) => fakeEmbedding(t, 32);
const embedAll = async (ts: string[]) => ts.map(embed);

let server: ChromaServer;
let client: ChromaClient;

beforeAll(async () => {
  server = await startChroma();
  client = new ChromaClient({ host: server.host, port: server.port, ssl: false });
}, 30_000);

afterAll(async () => {
  await server?.stop();
});

const newCollection = () => client.createCollection({ name: `c-${randomUUID()}`, embeddingFunction: null });

/** Adds documents straight to the collection (no guard), as a poisoned index would hold them. */
async function seed(col: Collection, docs: readonly string[], metadatas?: Record<string, string>[]) {
  await col.add({
    ids: docs.map((_, i) => `seed-${i}`),
    documents: [...docs],
    embeddings: docs.map(embed),
    ...(metadatas && { metadatas }),
  });
}

async function storedDocs(col: Collection): Promise<string[]> {
  return (await col.get()).documents.filter((d): d is string => d !== null);
}

function guarded(col: Collection, options: GuardCollectionOptions = {}) {
  const events: AdapterDecisionEvent[] = [];
  const g = guardCollection(col, { ...options, onDecision: (e) => events.push(e) });
  return { g, events };
}

describeGuardedStoreConformance('guardCollection(chromadb Collection, Chroma 1.0 server)', {
  create: async () => {
    const col = await newCollection();
    const events: AdapterDecisionEvent[] = [];
    return {
      write: (text, o) =>
        guardCollection(col, {
          onDecision: (e) => events.push(e),
          ...(o?.sourceType && { sourceType: o.sourceType }),
        }).add({ ids: [randomUUID()], documents: [text], embeddings: [embed(text)] }),
      storedTexts: () => storedDocs(col),
      decisions: () => events.map((e) => e.decision),
      retrieve: async (query, texts) => {
        await seed(col, texts);
        const g = guardCollection(col, { onDecision: (e) => events.push(e) });
        const res = await g.query({ queryEmbeddings: [embed(query)], nResults: 10 });
        return (res.documents[0] ?? []).filter((d): d is string => d !== null);
      },
    };
  },
  createFailing: async () => {
    // A real store failure: the collection is deleted on the server, so every write gets a 404.
    const col = await newCollection();
    await client.deleteCollection({ name: col.name });
    const events: AdapterDecisionEvent[] = [];
    return {
      write: (text) =>
        guardCollection(col, { onDecision: (e) => events.push(e) }).add({
          ids: [randomUUID()],
          documents: [text],
          embeddings: [embed(text)],
        }),
      storedTexts: async () =>
        (await client.listCollections()).some((c) => c.name === col.name) ? storedDocs(col) : [],
      decisions: () => events.map((e) => e.decision),
    };
  },
});

describe('guardCollection writes', () => {
  it('keeps the collection type (drop-in)', async () => {
    const col = await newCollection();
    expectTypeOf(guardCollection(col)).toMatchTypeOf<Collection>();
    expect(await guardCollection(col).count()).toBe(0);
  });

  it('stores allowed documents with user metadata and memgar metadata, drops a blocked one, reports both', async () => {
    const col = await newCollection();
    const { g, events } = guarded(col);
    await g.add({
      ids: ['a', 'b'],
      documents: [T.benignChunk, T.poisonedChunk],
      embeddings: [embed(T.benignChunk), embed(T.poisonedChunk)],
      metadatas: [{ source: 'faq.md' }, { source: 'upload.md' }],
    });
    const got = await col.get();
    expect(got.ids).toEqual(['a']);
    expect(got.documents).toEqual([T.benignChunk]);
    expect(got.metadatas[0]).toEqual({
      source: 'faq.md',
      memgar_decision: 'allow',
      memgar_risk: expect.any(Number),
      memgar_rule: expect.any(String),
    });
    expect(events.map((e) => [e.boundary, e.id, e.decision])).toEqual([
      ['memory_write', 'a', 'allow'],
      ['memory_write', 'b', 'block'],
    ]);
    expect(await g.held.queue.pending()).toBe(0);
  });

  it('upsert is guarded the same way and replaces an allowed record', async () => {
    const col = await newCollection();
    const { g } = guarded(col);
    await g.upsert({ ids: ['a'], documents: [T.benign], embeddings: [embed(T.benign)] });
    await g.upsert({
      ids: ['a', 'b'],
      documents: [T.benignChunk, T.attack],
      embeddings: [embed(T.benignChunk), embed(T.attack)],
    });
    expect(await storedDocs(col)).toEqual([T.benignChunk]);
  });

  it('update with documents is guarded; a metadata-only update passes with memgar_* keys stripped', async () => {
    const col = await newCollection();
    const { g } = guarded(col);
    await g.add({ ids: ['a'], documents: [T.benign], embeddings: [embed(T.benign)] });
    await g.update({ ids: ['a'], documents: [T.attack], embeddings: [embed(T.attack)] });
    expect(await storedDocs(col)).toEqual([T.benign]);
    await g.update({
      ids: ['a'],
      metadatas: [{ tag: 'x', memgar_decision: 'allow', memgar_rule: 'forged' }],
    });
    const meta = (await col.get()).metadatas[0];
    expect(meta).toMatchObject({ tag: 'x', memgar_decision: 'allow' });
    expect(meta?.memgar_rule).not.toBe('forged');
  });

  it('queues a quarantined write in held, stores it on approval with memgar_review', async () => {
    const col = await newCollection();
    const { g, events } = guarded(col);
    await g.add({
      ids: ['q', 'ok'],
      documents: [T.injectedSentence, T.benign],
      embeddings: [embed(T.injectedSentence), embed(T.benign)],
      metadatas: [{ source: 'chat' }, { source: 'chat' }],
    });
    expect(events.map((e) => e.decision)).toEqual(['quarantine', 'allow']);
    expect(await storedDocs(col)).toEqual([T.benign]);
    const [item] = await g.held.queue.list();
    expect(item).toMatchObject({ content: T.injectedSentence, decision: 'quarantine', status: 'pending' });
    await g.held.approve(item?.id as string, 'sofia');
    const got = await col.get({ ids: ['q'], include: ['documents', 'metadatas', 'embeddings'] });
    expect(got.documents).toEqual([T.injectedSentence]);
    expect(got.metadatas[0]).toMatchObject({
      source: 'chat',
      memgar_decision: 'allow',
      memgar_review: item?.id,
      memgar_rule: item?.rule,
    });
    expect(got.embeddings[0]?.[0]).toBeCloseTo(embed(T.injectedSentence)[0] as number, 5);
    expect((await g.held.queue.get(item?.id as string))?.status).toBe('approved');
  });

  it('holds nothing when the store fails, so a retry does not queue twice', async () => {
    const col = await newCollection();
    await client.deleteCollection({ name: col.name });
    const { g } = guarded(col);
    await expect(
      g.add({
        ids: ['q', 'ok'],
        documents: [T.injectedSentence, T.benign],
        embeddings: [embed(T.injectedSentence), embed(T.benign)],
      }),
    ).rejects.toThrow();
    expect(await g.held.queue.pending()).toBe(0);
  });

  it('queues human_review writes too, and a rejected one is never stored', async () => {
    const col = await newCollection();
    const enforcer = new MemoryRuntimeEnforcer({ policy: new PolicyEngine({ profile: 'permissive' }) });
    const { g, events } = guarded(col, { enforcer, sourceType: 'memory' });
    await g.add({ ids: ['h'], documents: [T.injectedSentence], embeddings: [embed(T.injectedSentence)] });
    expect(events.map((e) => e.decision)).toEqual(['human_review']);
    const [item] = await g.held.queue.list();
    await g.held.reject(item?.id as string, 'ops', 'ad');
    expect(await col.count()).toBe(0);
  });

  it("throws MemoryRefusedError with onRefused: 'throw' and stores nothing of the batch", async () => {
    const col = await newCollection();
    const { g } = guarded(col, { onRefused: 'throw' });
    const error = await g
      .add({
        ids: ['a', 'b'],
        documents: [T.benign, T.attack],
        embeddings: [embed(T.benign), embed(T.attack)],
      })
      .catch((e: unknown) => e);
    expect(MemoryRefusedError.isInstance(error)).toBe(true);
    expect((error as MemoryRefusedError).id).toBe('b');
    expect(await col.count()).toBe(0);
  });

  it('stores the sanitized rewrite with a vector of the rewrite (embed option)', async () => {
    const col = await newCollection();
    const { g, events } = guarded(col, { enforcer: sanitizingEnforcer, embed: embedAll });
    const original = `${T.benignChunk} ${INJECTED}`;
    await g.add({ ids: ['s'], documents: [original], embeddings: [embed(original)] });
    const got = await col.get({ include: ['documents', 'embeddings', 'metadatas'] });
    expect(got.documents).toEqual([T.benignChunk]);
    expect(got.metadatas[0]).toMatchObject({ memgar_decision: 'sanitize' });
    const want = embed(T.benignChunk);
    expect(got.embeddings[0]?.map((x) => Math.round(x * 1e4))).toEqual(want.map((x) => Math.round(x * 1e4)));
    expect(events.map((e) => e.decision)).toEqual(['sanitize']);
  });

  it("re-embeds a sanitized rewrite with the collection's embeddingFunction when no embed is given", async () => {
    const embeddingFunction = { name: 'memgar-test-bow', generate: embedAll };
    const col = await client.createCollection({ name: `c-${randomUUID()}`, embeddingFunction });
    const g = guardCollection(col, { enforcer: sanitizingEnforcer });
    const original = `${T.benignChunk} ${INJECTED}`;
    await g.add({ ids: ['s'], documents: [original], embeddings: [embed(original)] });
    const got = await col.get({ include: ['embeddings'] });
    expect(got.embeddings[0]?.[0]).toBeCloseTo(embed(T.benignChunk)[0] as number, 5);
  });

  it('refuses a record without a document (InvalidInputError) and stores nothing of the call', async () => {
    const col = await newCollection();
    const { g, events } = guarded(col);
    const error = await g
      .add({
        ids: ['a', 'v'],
        documents: [T.benign, null as unknown as string],
        embeddings: [embed(T.benign), embed('x')],
      })
      .catch((e: unknown) => e);
    expect(InvalidInputError.isInstance(error)).toBe(true);
    await expect(g.upsert({ ids: ['v'], embeddings: [embed('x')] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      field: 'documents',
    });
    expect(await col.count()).toBe(0);
    expect(events).toEqual([]);
  });

  it('with allowTextless stores a vector-only record without memgar metadata (even forged)', async () => {
    const col = await newCollection();
    const { g } = guarded(col, { allowTextless: true });
    await g.add({
      ids: ['v'],
      embeddings: [embed('vector only')],
      metadatas: [{ kind: 'image', memgar_decision: 'allow' }],
    });
    expect((await col.get({ include: ['metadatas'] })).metadatas).toEqual([{ kind: 'image' }]);
  });

  it('rejects misaligned columns and a non-object with a typed error, before analysis', async () => {
    const col = await newCollection();
    const { g, events } = guarded(col);
    await expect(
      g.add({ ids: ['a', 'b'], documents: [T.benign], embeddings: [embed(T.benign), embed(T.benign)] }),
    ).rejects.toBeInstanceOf(InvalidInputError);
    await expect(g.add(undefined as never)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(g.query(undefined as never)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(g.get(null as never)).rejects.toBeInstanceOf(InvalidInputError);
    expect(events).toEqual([]);
  });

  it('analyzes a bulk add with bounded concurrency', async () => {
    const col = await newCollection();
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
    const docs = Array.from({ length: 12 }, (_, i) => `Memory number ${i}: the user likes green tea.`);
    await guardCollection(col, { enforcer, concurrency: 3 }).add({
      ids: docs.map((_, i) => `m${i}`),
      documents: docs,
      embeddings: docs.map(embed),
    });
    expect(peak).toBe(3);
    expect(await col.count()).toBe(12);
    await expect(
      guardCollection(col, { concurrency: 0 }).add({
        ids: ['z'],
        documents: ['x'],
        embeddings: [embed('x')],
      }),
    ).rejects.toBeInstanceOf(InvalidOptionError);
  });

  it('records every decision in the audit sink of the default enforcer', async () => {
    const col = await newCollection();
    const audit = new InMemoryAuditSink();
    await guardCollection(col, { audit }).add({
      ids: ['a', 'b'],
      documents: [T.benign, T.attack],
      embeddings: [embed(T.benign), embed(T.attack)],
    });
    expect(audit.events().map((e) => e.allowed)).toEqual([true, false]);
  });
});

describe('guardCollection reads', () => {
  it('query filters the poisoned document, keeps the class (rows()) and adds the retrieval decision', async () => {
    const col = await newCollection();
    await seed(col, [T.benignChunk, T.poisonedChunk], [{ source: 'faq.md' }, { source: 'upload.md' }]);
    const { g, events } = guarded(col);
    const res = await g.query({ queryEmbeddings: [embed('refund policy')], nResults: 5 });
    expect(res.ids).toEqual([['seed-0']]);
    expect(res.rows()[0]?.map((r) => [r.document, r.metadata?.source, r.metadata?.memgar_decision])).toEqual([
      [T.benignChunk, 'faq.md', 'allow'],
    ]);
    expect(typeof res.distances[0]?.[0]).toBe('number');
    expect(events.map((e) => [e.boundary, e.id, e.allowed])).toEqual([
      ['retrieval', 'seed-0', true],
      ['retrieval', 'seed-1', false],
    ]);
  });

  it('returns the sanitized rewrite of a retrieved chunk, never the original', async () => {
    const col = await newCollection();
    await seed(col, [T.sanitizableChunk]);
    const { g } = guarded(col);
    const res = await g.query({ queryEmbeddings: [embed('export data')], nResults: 5 });
    expect(res.documents).toEqual([[T.sanitizableChunk.replace(`${T.injectedSentence} `, '')]]);
    expect(res.metadatas[0]?.[0]).toMatchObject({ memgar_decision: 'sanitize' });
  });

  it('guards each query of a multi-query call, with its query text', async () => {
    const col = await newCollection();
    await seed(col, [T.benignChunk, T.poisonedChunk, T.benign]);
    const real = new MemoryRuntimeEnforcer();
    const queries: (string | undefined)[] = [];
    const enforcer = {
      onMemoryWrite: real.onMemoryWrite.bind(real),
      onToolResult: real.onToolResult.bind(real),
      onRetrieval: (chunks: Parameters<MemoryRuntimeEnforcer['onRetrieval']>[0], o?: { query?: string }) => {
        queries.push(o?.query);
        return real.onRetrieval(chunks, o);
      },
    };
    const { g } = guarded(col, { enforcer });
    const res = await g.query({
      queryEmbeddings: [embed('refund policy'), embed('window seats')],
      queryTexts: ['refund policy', 'window seats'],
      nResults: 3,
    });
    expect(res.ids.map((r) => [...r].sort())).toEqual([
      ['seed-0', 'seed-2'],
      ['seed-0', 'seed-2'],
    ]);
    expect(queries).toEqual(['refund policy', 'window seats']);
  });

  it('asks Chroma for documents even when the caller did not, and returns the columns requested', async () => {
    const col = await newCollection();
    await seed(col, [T.benignChunk, T.poisonedChunk]);
    const { g } = guarded(col);
    const res = await g.query({ queryEmbeddings: [embed('refunds')], nResults: 5, include: ['metadatas'] });
    expect(res.ids).toEqual([['seed-0']]);
    expect(res.include).toEqual(['metadatas']);
    expect(res.documents).toEqual([]);
    expect(res.distances).toEqual([]);
  });

  it('get and peek filter the poisoned document', async () => {
    const col = await newCollection();
    await seed(col, [T.benignChunk, T.poisonedChunk]);
    const { g } = guarded(col);
    const got = await g.get();
    expect(got.documents).toEqual([T.benignChunk]);
    expect(got.rows().map((r) => r.id)).toEqual(['seed-0']);
    expect((await g.peek({ limit: 5 })).documents).toEqual([T.benignChunk]);
    expect((await g.get({ ids: ['seed-1'] })).ids).toEqual([]);
  });

  it('filterDecisions returns only records written through memgar with those decisions, with the user where', async () => {
    const col = await newCollection();
    await seed(col, [T.benign], [{ lang: 'en' }]); // written around the guard: no memgar_decision
    const { g } = guarded(col, { filterDecisions: ['allow', 'sanitize'] });
    await g.add({
      ids: ['en', 'fr'],
      documents: [T.benignChunk, 'Les remboursements sont effectués sous 30 jours.'],
      embeddings: [embed(T.benignChunk), embed('remboursements')],
      metadatas: [{ lang: 'en' }, { lang: 'fr' }],
    });
    expect((await g.get()).ids.sort()).toEqual(['en', 'fr']);
    expect((await g.get({ where: { lang: 'en' } })).ids).toEqual(['en']);
    const res = await g.query({ queryEmbeddings: [embed(T.benign)], nResults: 5 });
    expect([...(res.ids[0] ?? [])].sort()).toEqual(['en', 'fr']);
  });

  it('drops a record without a document from results and reports it; allowTextless returns it', async () => {
    const col = await newCollection();
    await col.add({ ids: ['v'], embeddings: [embed('refunds')] });
    await seed(col, [T.benignChunk]);
    const { g, events } = guarded(col);
    const res = await g.query({ queryEmbeddings: [embed('refunds')], nResults: 5 });
    expect(res.ids).toEqual([['seed-0']]);
    expect(events.find((e) => e.id === 'v')).toMatchObject({ decision: 'block', rule: NO_TEXT_RULE });
    const open = guardCollection(col, { allowTextless: true });
    expect(
      [...((await open.query({ queryEmbeddings: [embed('refunds')], nResults: 5 })).ids[0] ?? [])].sort(),
    ).toEqual(['seed-0', 'v']);
  });

  it('refuses Collection.search (not guarded) with a typed error', async () => {
    const col = await newCollection();
    await expect(guardCollection(col).search({})).rejects.toBeInstanceOf(InvalidInputError);
  });
});
