import { randomUUID } from 'node:crypto';
import { describeGuardedStoreConformance, CONFORMANCE_TEXTS as T } from '@memgar/adapter-testkit';
import { fakeEmbedding } from '@memgar/adapter-testkit/fake-openai';
import { INJECTED, sanitizingEnforcer } from '@memgar/adapter-testkit/sanitizing-enforcer';
import { InMemoryAuditSink, InvalidInputError, MemoryRuntimeEnforcer, PolicyEngine } from '@memgar/core';
import { type AdapterDecisionEvent, MemoryRefusedError } from '@memgar/core/adapter-kit';
import { Errors, type Index, Pinecone } from '@pinecone-database/pinecone';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { DIMS, type FakePinecone, startFakePinecone } from './fake-pinecone.js';
import { type GuardIndexOptions, guardIndex, NO_TEXT_RULE } from './guard-index.js';

const embed = (t: string) => fakeEmbedding(t, DIMS);
const servers: FakePinecone[] = [];
let fake: FakePinecone;
let pc: Pinecone;

async function start(maxRetries?: number) {
  const f = await startFakePinecone();
  servers.push(f);
  const p = new Pinecone({
    apiKey: 'test-key',
    controllerHostUrl: f.host,
    ...(maxRetries !== undefined && { maxRetries }),
  });
  return { fake: f, pc: p };
}

beforeAll(async () => {
  ({ fake, pc } = await start());
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** An index handle on a fresh namespace of the fake host (the SDK targets the host directly). */
function newIndex(p: Pinecone = pc, f: FakePinecone = fake) {
  const namespace = `ns-${randomUUID()}`;
  return { index: p.index({ host: f.host, namespace }), namespace };
}

const record = (text: string, extra: Record<string, string> = {}) => ({
  id: randomUUID(),
  values: embed(text),
  metadata: { text, ...extra },
});

const texts = (namespace: string, f: FakePinecone = fake) =>
  f.vectors(namespace).map((v) => String(v.metadata?.text));

function guarded(index: Index, options: GuardIndexOptions = {}) {
  const events: AdapterDecisionEvent[] = [];
  const g = guardIndex(index, { ...options, onDecision: (e) => events.push(e) });
  return { g, events };
}

describeGuardedStoreConformance('guardIndex(Index 8.2.0).upsert/query, loopback Pinecone host', {
  create: () => {
    const { index, namespace } = newIndex();
    const events: AdapterDecisionEvent[] = [];
    const on = { onDecision: (e: AdapterDecisionEvent) => events.push(e) };
    return {
      write: (text, o) =>
        guardIndex(index, { ...on, ...(o?.sourceType && { sourceType: o.sourceType }) }).upsert({
          records: [record(text)],
        }),
      storedTexts: async () => texts(namespace),
      decisions: () => events.map((e) => e.decision),
      retrieve: async (query, ts) => {
        await index.upsert({ records: ts.map((t) => record(t)) });
        const res = await guardIndex(index, on).query({
          vector: embed(query),
          topK: 10,
          includeMetadata: true,
        });
        return res.matches.map((m) => String(m.metadata?.text));
      },
    };
  },
  createFailing: async () => {
    const s = await start(0);
    const { index, namespace } = newIndex(s.pc, s.fake);
    s.fake.failWrites = true;
    const events: AdapterDecisionEvent[] = [];
    return {
      write: (text) =>
        guardIndex(index, { onDecision: (e) => events.push(e) }).upsert({ records: [record(text)] }),
      storedTexts: async () => texts(namespace, s.fake),
      decisions: () => events.map((e) => e.decision),
    };
  },
});

describeGuardedStoreConformance(
  'guardIndex(Index 8.2.0).upsertRecords/searchRecords (integrated embedding)',
  {
    create: () => {
      const { index, namespace } = newIndex();
      const events: AdapterDecisionEvent[] = [];
      const on = { onDecision: (e: AdapterDecisionEvent) => events.push(e) };
      return {
        write: (text, o) =>
          guardIndex(index, { ...on, ...(o?.sourceType && { sourceType: o.sourceType }) }).upsertRecords({
            records: [{ _id: randomUUID(), text }],
          }),
        storedTexts: async () => texts(namespace),
        decisions: () => events.map((e) => e.decision),
        retrieve: async (query, ts) => {
          await index.upsertRecords({ records: ts.map((text) => ({ _id: randomUUID(), text })) });
          const res = await guardIndex(index, on).searchRecords({
            query: { topK: 10, inputs: { text: query } },
          });
          return res.result.hits.map((h) => String((h.fields as { text?: string }).text));
        },
      };
    },
    createFailing: async () => {
      const s = await start(0);
      const { index, namespace } = newIndex(s.pc, s.fake);
      s.fake.failWrites = true;
      return {
        write: (text) => guardIndex(index).upsertRecords({ records: [{ _id: randomUUID(), text }] }),
        storedTexts: async () => texts(namespace, s.fake),
        decisions: () => [],
      };
    },
  },
);

describe('guardIndex writes', () => {
  it('keeps the Index type and passes other methods through (drop-in)', async () => {
    const { index, namespace } = newIndex();
    const g = guardIndex(index);
    expectTypeOf(g).toMatchTypeOf<Index>();
    const r = record(T.benign);
    await g.upsert({ records: [r] });
    await g.deleteOne({ id: r.id });
    expect(fake.vectors(namespace)).toEqual([]);
  });

  it('stores allowed records with user metadata and memgar metadata, drops a blocked one, reports both', async () => {
    const { index, namespace } = newIndex();
    const { g, events } = guarded(index);
    const ok = record(T.benignChunk, { source: 'faq.md' });
    const bad = record(T.poisonedChunk, { source: 'upload.md' });
    await g.upsert({ records: [ok, bad] });
    expect(fake.vectors(namespace)).toEqual([
      {
        id: ok.id,
        values: ok.values,
        metadata: {
          text: T.benignChunk,
          source: 'faq.md',
          memgar_decision: 'allow',
          memgar_risk: expect.any(Number),
          memgar_rule: expect.any(String),
        },
      },
    ]);
    expect(events.map((e) => [e.boundary, e.id, e.decision])).toEqual([
      ['memory_write', ok.id, 'allow'],
      ['memory_write', bad.id, 'block'],
    ]);
  });

  it('upsertRecords stores fields flat with memgar keys; the host embeds the sanitized rewrite', async () => {
    const namespace = `ns-${randomUUID()}`;
    const f = await startFakePinecone({ textField: 'chunk_text' });
    servers.push(f);
    const gi = guardIndex(pc.index({ host: f.host, namespace }), {
      textKey: 'chunk_text',
      enforcer: sanitizingEnforcer,
    });
    await gi.upsertRecords({
      records: [{ _id: 'r1', chunk_text: `${T.benignChunk} ${INJECTED}`, category: 'faq' }],
    });
    const [v] = f.vectors(namespace);
    expect(v?.metadata).toEqual({
      chunk_text: T.benignChunk,
      category: 'faq',
      memgar_decision: 'sanitize',
      memgar_risk: 40,
      memgar_rule: 'test:sanitize',
    });
    expect(v?.values).toEqual(embed(T.benignChunk));
  });

  it('queues a quarantined record in held; approval upserts it into the namespace it came from', async () => {
    const { index } = newIndex();
    const { g, events } = guarded(index);
    const sub = `sub-${randomUUID()}`;
    const q = record(T.injectedSentence, { source: 'chat' });
    await g.namespace(sub).upsert({ records: [q, record(T.benign)] });
    expect(events.map((e) => e.decision)).toEqual(['quarantine', 'allow']);
    expect(texts(sub)).toEqual([T.benign]);
    const [item] = await g.held.queue.list();
    expect(item).toMatchObject({ content: T.injectedSentence, decision: 'quarantine', status: 'pending' });
    await g.held.approve(item?.id as string, 'sofia');
    const approved = fake.vectors(sub).find((v) => v.id === q.id);
    expect(approved?.metadata).toMatchObject({
      text: T.injectedSentence,
      source: 'chat',
      memgar_decision: 'allow',
      memgar_review: item?.id,
      memgar_rule: item?.rule,
    });
    expect(approved?.values).toEqual(q.values);
  });

  it('queues held upsertRecords too (human_review); a rejected one is never stored', async () => {
    const { index, namespace } = newIndex();
    const enforcer = new MemoryRuntimeEnforcer({ policy: new PolicyEngine({ profile: 'permissive' }) });
    const { g, events } = guarded(index, { enforcer, sourceType: 'memory' });
    await g.upsertRecords({ records: [{ _id: 'h1', text: T.injectedSentence }] });
    expect(events.map((e) => e.decision)).toEqual(['human_review']);
    const [item] = await g.held.queue.list();
    await g.held.reject(item?.id as string, 'ops');
    expect(fake.vectors(namespace)).toEqual([]);
    await g.upsertRecords({ records: [{ _id: 'h2', text: T.injectedSentence }] });
    const [, second] = await g.held.queue.list({ status: 'all' });
    await g.held.approve(second?.id as string, 'ops');
    expect(fake.vectors(namespace).map((v) => [v.id, v.metadata?.memgar_decision])).toEqual([
      ['h2', 'allow'],
    ]);
  });

  it("throws MemoryRefusedError with onRefused: 'throw' and stores nothing of the call", async () => {
    const { index, namespace } = newIndex();
    const { g } = guarded(index, { onRefused: 'throw' });
    const bad = record(T.attack);
    const error = await g.upsert({ records: [record(T.benign), bad] }).catch((e: unknown) => e);
    expect(MemoryRefusedError.isInstance(error)).toBe(true);
    expect((error as MemoryRefusedError).id).toBe(bad.id);
    expect(fake.vectors(namespace)).toEqual([]);
  });

  it('stores the sanitized rewrite of an upsert with the values of the rewrite (embed option)', async () => {
    const { index, namespace } = newIndex();
    const { g } = guarded(index, { enforcer: sanitizingEnforcer, embed: async (ts) => ts.map(embed) });
    await g.upsert({ records: [record(`${T.benignChunk} ${INJECTED}`)] });
    const [v] = fake.vectors(namespace);
    expect(v?.metadata).toMatchObject({ text: T.benignChunk, memgar_decision: 'sanitize' });
    expect(v?.values).toEqual(embed(T.benignChunk));
  });

  it('refuses a record without text (InvalidInputError) and stores nothing of the call', async () => {
    const { index, namespace } = newIndex();
    const { g, events } = guarded(index);
    const error = await g
      .upsert({ records: [record(T.benign), { id: 'v', values: embed('x') }] })
      .catch((e: unknown) => e);
    expect(InvalidInputError.isInstance(error)).toBe(true);
    await expect(g.upsertRecords({ records: [{ _id: 'r', title: 'no text' }] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
    });
    expect(fake.vectors(namespace)).toEqual([]);
    expect(events).toEqual([]);
  });

  it('with allowTextless stores a vector-only record without (forged) memgar metadata', async () => {
    const { index, namespace } = newIndex();
    const { g } = guarded(index, { allowTextless: true });
    await g.upsert({
      records: [{ id: 'v', values: embed('x'), metadata: { kind: 'img', memgar_decision: 'allow' } }],
    });
    expect(fake.vectors(namespace).map((v) => v.metadata)).toEqual([{ kind: 'img' }]);
  });

  it('update may not set the text; a metadata update passes with memgar_* keys stripped', async () => {
    const { index, namespace } = newIndex();
    const { g } = guarded(index);
    const r = record(T.benign);
    await g.upsert({ records: [r] });
    await expect(g.update({ id: r.id, metadata: { text: T.attack } })).rejects.toMatchObject({
      field: 'update',
    });
    await g.update({ id: r.id, metadata: { tag: 'x', memgar_decision: 'allow', memgar_rule: 'forged' } });
    const meta = fake.vectors(namespace)[0]?.metadata;
    expect(meta).toMatchObject({ text: T.benign, tag: 'x' });
    expect(meta?.memgar_rule).not.toBe('forged');
  });

  it('rejects malformed calls with a typed error', async () => {
    const { g } = guarded(newIndex().index);
    await expect(g.upsert(null as never)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(g.upsert({} as never)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(g.query(null as never)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(g.searchRecords({} as never)).rejects.toBeInstanceOf(Errors.PineconeArgumentError);
  });

  it('surfaces an unreachable host as the SDK error, holding nothing', async () => {
    const f = await startFakePinecone();
    await f.close();
    const index = new Pinecone({ apiKey: 'k', maxRetries: 0 }).index({ host: f.host });
    const { g } = guarded(index);
    await expect(g.upsert({ records: [record(T.injectedSentence), record(T.benign)] })).rejects.toMatchObject(
      {
        name: 'PineconeConnectionError',
      },
    );
    expect(await g.held.queue.pending()).toBe(0);
    await expect(g.query({ vector: embed('q'), topK: 3 })).rejects.toMatchObject({
      name: 'PineconeConnectionError',
    });
  });

  it('surfaces a store error as the SDK error', async () => {
    const f = await startFakePinecone({ textField: 'chunk_text' });
    servers.push(f);
    const g = guardIndex(pc.index({ host: f.host, namespace: 'x' }));
    const error = await g.upsertRecords({ records: [{ _id: 'a', text: T.benign }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Errors.PineconeBadRequestError);
    expect((error as Error).message).toContain("Missing field 'chunk_text'");
  });

  it('analyzes a bulk upsert with bounded concurrency', async () => {
    const { index, namespace } = newIndex();
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
    const ts = Array.from({ length: 12 }, (_, i) => `Memory number ${i}: the user likes green tea.`);
    await guardIndex(index, { enforcer, concurrency: 5 }).upsert({ records: ts.map((t) => record(t)) });
    expect(peak).toBe(5);
    expect(fake.vectors(namespace)).toHaveLength(12);
  });

  it('records every decision in the audit sink of the default enforcer', async () => {
    const audit = new InMemoryAuditSink();
    await guardIndex(newIndex().index, { audit }).upsert({ records: [record(T.benign), record(T.attack)] });
    expect(audit.events().map((e) => e.allowed)).toEqual([true, false]);
  });
});

describe('guardIndex reads', () => {
  async function seeded(ts: string[], extra: Record<string, string>[] = []) {
    const { index, namespace } = newIndex();
    const records = ts.map((t, i) => record(t, extra[i]));
    await index.upsert({ records });
    return { index, namespace, ids: records.map((r) => r.id) };
  }

  it('query filters the poisoned record, keeps scores, and returns metadata only when asked', async () => {
    const { index, ids } = await seeded([T.benignChunk, T.poisonedChunk], [{ source: 'faq.md' }]);
    const { g, events } = guarded(index);
    const res = await g.query({ vector: embed('refunds are issued'), topK: 5 });
    expect(res.matches.map((m) => [m.id, m.metadata])).toEqual([[ids[0], undefined]]);
    expect(res.matches[0]?.score).toBeGreaterThan(0);
    expect(res.usage?.readUnits).toBe(1);
    expect(events.map((e) => [e.id, e.allowed]).sort()).toEqual(
      [
        [ids[0], true],
        [ids[1], false],
      ].sort(),
    );
    const withMeta = await g.query({ vector: embed('refunds are issued'), topK: 5, includeMetadata: true });
    expect(withMeta.matches[0]?.metadata).toMatchObject({ source: 'faq.md', memgar_decision: 'allow' });
  });

  it('returns the sanitized rewrite of a retrieved chunk, never the original', async () => {
    const { index } = await seeded([T.sanitizableChunk]);
    const res = await guardIndex(index).query({
      vector: embed('export data'),
      topK: 5,
      includeMetadata: true,
    });
    expect(res.matches.map((m) => m.metadata?.text)).toEqual([
      T.sanitizableChunk.replace(`${T.injectedSentence} `, ''),
    ]);
  });

  it('searchRecords filters the poisoned hit, passes the query text, and returns only the fields asked', async () => {
    const { index } = newIndex();
    await index.upsertRecords({
      records: [
        { _id: 'a', text: T.benignChunk, source: 'faq.md' },
        { _id: 'b', text: T.poisonedChunk, source: 'upload.md' },
      ],
    });
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
    const g = guardIndex(index, { enforcer });
    const res = await g.searchRecords({
      query: { topK: 5, inputs: { text: 'refund policy' } },
      fields: ['source'],
    });
    expect(res.result.hits.map((h) => [h._id, h.fields])).toEqual([
      [
        'a',
        {
          source: 'faq.md',
          memgar_decision: 'allow',
          memgar_risk: expect.any(Number),
          memgar_rule: expect.any(String),
        },
      ],
    ]);
    expect(res.usage.readUnits).toBe(1);
    expect(queries).toEqual(['refund policy']);
  });

  it('fetch filters the poisoned record', async () => {
    const { index, ids } = await seeded([T.benignChunk, T.poisonedChunk]);
    const res = await guardIndex(index).fetch({ ids: ids as string[] });
    expect(Object.keys(res.records)).toEqual([ids[0]]);
  });

  it('filterDecisions returns only records written through memgar with those decisions, with the user filter', async () => {
    const { index } = await seeded([T.benign], [{ lang: 'en' }]); // written around the guard
    const { g } = guarded(index, { filterDecisions: ['allow', 'sanitize'] });
    await g.upsert({
      records: [
        record(T.benignChunk, { lang: 'en' }),
        record('Les remboursements sont effectués sous 30 jours.', { lang: 'fr' }),
      ],
    });
    const langs = async (filter?: object) =>
      (
        await g.query({ vector: embed(T.benign), topK: 10, includeMetadata: true, ...(filter && { filter }) })
      ).matches
        .map((m) => m.metadata?.lang)
        .sort();
    expect(await langs()).toEqual(['en', 'fr']);
    expect(await langs({ lang: { $eq: 'en' } })).toEqual(['en']);
    await g.upsertRecords({ records: [{ _id: 'r', text: T.benign }] });
    await index.upsertRecords({ records: [{ _id: 'raw', text: T.benign }] });
    const hits = await g.searchRecords({ query: { topK: 10, inputs: { text: T.benign } } });
    expect(hits.result.hits.map((h) => h._id)).not.toContain('raw');
    expect(hits.result.hits.map((h) => h._id)).toContain('r');
  });

  it('drops a record without text from results and reports it; allowTextless returns it', async () => {
    const { index, ids } = await seeded([T.benignChunk]);
    await index.upsert({ records: [{ id: 'v', values: embed('refunds'), metadata: { kind: 'img' } }] });
    const { g, events } = guarded(index);
    expect((await g.query({ vector: embed('refunds'), topK: 5 })).matches.map((m) => m.id)).toEqual([ids[0]]);
    expect(events.find((e) => e.id === 'v')).toMatchObject({ decision: 'block', rule: NO_TEXT_RULE });
    const open = guardIndex(index, { allowTextless: true });
    expect((await open.query({ vector: embed('refunds'), topK: 5 })).matches.map((m) => m.id).sort()).toEqual(
      [ids[0], 'v'].sort(),
    );
  });

  it('guards namespace() handles and refuses fetchByMetadata', async () => {
    const { index } = newIndex();
    const sub = `sub-${randomUUID()}`;
    const g = guardIndex(index);
    await g.namespace(sub).upsert({ records: [record(T.attack), record(T.benign)] });
    expect(texts(sub)).toEqual([T.benign]);
    await index.namespace(sub).upsert({ records: [record(T.poisonedChunk)] });
    const res = await g
      .namespace(sub)
      .query({ vector: embed(T.poisonedChunk), topK: 5, includeMetadata: true });
    expect(res.matches.map((m) => m.metadata?.text)).toEqual([T.benign]);
    await expect(g.fetchByMetadata({ filter: { a: 1 } })).rejects.toBeInstanceOf(InvalidInputError);
  });
});
