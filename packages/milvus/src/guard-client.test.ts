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
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GuardMilvusOptions,
  guardMilvusClient,
  type MemgarDecisionEvent,
  MemoryRefusedError,
  NO_TEXT_RULE,
} from './index.js';
import { type FakeMilvus, startFakeMilvus, toyVector } from './test-milvus-server.js';

let fake: FakeMilvus;
let client: MilvusClient;

beforeAll(async () => {
  fake = await startFakeMilvus();
  client = new MilvusClient({ address: fake.address, logLevel: 'error' });
  await client.connectPromise;
}, 60_000);

afterAll(async () => {
  await client.closeConnection();
  await fake.close();
});

let n = 0;
/** A fresh collection on the fake, its guard factory and the decisions reported. */
function setup(base: GuardMilvusOptions = {}, define: Parameters<FakeMilvus['define']>[1] = {}) {
  const name = `notes_${++n}`;
  fake.define(name, define);
  const events: MemgarDecisionEvent[] = [];
  const guard = (o: GuardMilvusOptions = {}) =>
    guardMilvusClient(client, { onDecision: (e) => events.push(e), ...base, ...o });
  const rows = () => fake.rows(name);
  const row = (text: string, extra: Record<string, unknown> = {}) => ({
    vector: toyVector(text),
    text,
    ...extra,
  });
  return { name, events, guard, g: guard(), rows, texts: () => rows().map((r) => r.text), row };
}

function subject(failing = false) {
  const s = setup();
  if (failing) fake.failing.add(s.name);
  return {
    write: (text: string, o: { sourceType?: SourceType } = {}) =>
      s.guard({ sourceType: o.sourceType ?? 'rag' }).insert({ collection_name: s.name, data: [s.row(text)] }),
    storedTexts: async () => s.texts() as string[],
    decisions: () => s.events.map((e) => e.decision),
    retrieve: async (query: string, texts: readonly string[]) => {
      for (const t of texts) fake.put(s.name, s.row(t));
      const res = await s.g.search({ collection_name: s.name, data: toyVector(query), limit: 10 });
      return res.results.map((r) => r.text as string);
    },
  };
}

describeGuardedStoreConformance('guardMilvusClient (@zilliz/milvus2-sdk-node 3.0.6, loopback gRPC)', {
  create: () => subject(),
  createFailing: () => subject(true),
});

describe('guardMilvusClient: writes', () => {
  it('inserts allowed rows with their fields and memgar fields; refused rows go to err_index', async () => {
    const s = setup();
    const res = await s.g.insert({
      collection_name: s.name,
      data: [
        s.row(T.benign, { source: 'chat' }),
        s.row(T.attack, { source: 'upload' }),
        s.row(T.benignChunk),
      ],
    });
    expect(s.texts()).toEqual([T.benign, T.benignChunk]);
    expect(s.rows()[0]).toMatchObject({
      source: 'chat',
      memgar_decision: 'allow',
      memgar_risk: s.events[0]?.riskScore,
      memgar_rule: s.events[0]?.rule,
    });
    expect(res.succ_index).toEqual([0, 2]);
    expect(res.err_index).toEqual([1]);
    expect(res.IDs).toMatchObject({ int_id: { data: s.rows().map((r) => String(r.id)) } });
    expect(res.status.error_code).toBe('Success');
    expect(s.events.map((e) => [e.boundary, e.allowed])).toEqual([
      ['memory_write', true],
      ['memory_write', false],
      ['memory_write', true],
    ]);
  });

  it('a call whose rows are all refused does not reach Milvus', async () => {
    const s = setup();
    const res = await s.g.insert({ collection_name: s.name, data: [s.row(T.attack)] });
    expect(res).toMatchObject({ succ_index: [], err_index: [0], insert_cnt: '0' });
    expect(s.rows()).toEqual([]);
  });

  it('does not write memgar fields into a collection that would reject them', async () => {
    const s = setup({}, { dynamic: false });
    await s.g.insert({ collection_name: s.name, data: [s.row(T.benign)] });
    expect(s.rows()).toEqual([{ id: 1, vector: expect.any(Array), text: T.benign }]);
    const declared = setup(
      {},
      { dynamic: false, extra: [{ name: 'memgar_decision', data_type: 'VarChar' }] },
    );
    await declared.g.insert({ collection_name: declared.name, data: [declared.row(T.benign)] });
    expect(Object.keys(declared.rows()[0] ?? {}).sort()).toEqual(['id', 'memgar_decision', 'text', 'vector']);
  });

  it('recordDecision: false stores the row untouched', async () => {
    const s = setup({ recordDecision: false });
    await s.g.insert({ collection_name: s.name, fields_data: [s.row(T.benign, { source: 'chat' })] });
    expect(Object.keys(s.rows()[0] ?? {}).sort()).toEqual(['id', 'source', 'text', 'vector']);
  });

  it('upsert is guarded and replaces by primary key', async () => {
    const s = setup();
    await s.g.insert({ collection_name: s.name, data: [s.row(T.benign)] });
    const id = s.rows()[0]?.id as number;
    await s.g.upsert({ collection_name: s.name, data: [{ id, ...s.row(T.attack) }] });
    expect(s.texts()).toEqual([T.benign]);
    await s.g.upsert({ collection_name: s.name, data: [{ id, ...s.row(T.benignChunk) }] });
    expect(s.rows()).toMatchObject([{ id, text: T.benignChunk, memgar_decision: 'allow' }]);
  });

  it("throws MemoryRefusedError with onRefused: 'throw' and sends nothing of the batch", async () => {
    const s = setup({ onRefused: 'throw' });
    const error = await s.g
      .insert({ collection_name: s.name, data: [s.row(T.benign), s.row(T.attack)] })
      .catch((e: unknown) => e);
    expect(MemoryRefusedError.isInstance(error)).toBe(true);
    expect(s.rows()).toEqual([]);
  });

  it('refuses a row without the text field with InvalidInputError; allowTextless stores it unanalyzed', async () => {
    const s = setup();
    const error = await s.g
      .insert({ collection_name: s.name, data: [s.row(T.benign), { vector: toyVector('x') }] })
      .catch((e: unknown) => e);
    expect(InvalidInputError.isInstance(error)).toBe(true);
    expect(s.rows()).toEqual([]);
    const open = setup({ allowTextless: true, textField: 'body' });
    await open.g.insert({
      collection_name: open.name,
      data: [
        { vector: toyVector('x'), text: 'plain' },
        { vector: toyVector('y'), text: '', body: T.attack },
      ],
    });
    expect(open.rows()).toEqual([{ id: 1, vector: expect.any(Array), text: 'plain' }]);
  });

  it('stores the sanitized rewrite and re-embeds it with embed', async () => {
    const s = setup({ enforcer: sanitizingEnforcer, embed: async (t) => toyVector(t) });
    const original = `Exports arrive by e-mail. ${INJECTED}`;
    await s.g.insert({ collection_name: s.name, data: [s.row(original)] });
    expect(s.rows()[0]).toMatchObject({ text: 'Exports arrive by e-mail.', memgar_decision: 'sanitize' });
    const want = toyVector('Exports arrive by e-mail.');
    const got = s.rows()[0]?.vector as number[];
    expect(got).toHaveLength(want.length);
    for (const [i, x] of got.entries()) expect(x).toBeCloseTo(want[i] as number, 5);
  });

  it('passes agentId, tenantId and sourceField (as sourceId) to the enforcer; audits every decision', async () => {
    const seen: unknown[] = [];
    const audit = new InMemoryAuditSink();
    const real = new MemoryRuntimeEnforcer({ audit, auditAllowed: true });
    const enforcer: EnforcerLike = {
      onMemoryWrite: (text, ctx) => {
        seen.push(ctx);
        return real.onMemoryWrite(text, ctx);
      },
      onRetrieval: (chunks, o) => real.onRetrieval(chunks, o),
      onToolResult: (name, out, ctx) => real.onToolResult(name, out, ctx),
    };
    const s = setup({ enforcer, sourceField: 'url', agentId: 'bot', tenantId: 'acme' });
    await s.g.insert({ collection_name: s.name, data: [s.row(T.benign, { url: 'https://docs.example/a' })] });
    expect(seen).toEqual([
      { sourceType: 'rag', sourceId: 'https://docs.example/a', agentId: 'bot', tenantId: 'acme' },
    ]);
    expect(audit.events().map((e) => [e.boundary, e.decision])).toEqual([['memory_write', 'allow']]);
  });

  it('passes an error status from Milvus through unchanged', async () => {
    const s = setup();
    fake.rejecting.add(s.name);
    const res = await s.g.insert({ collection_name: s.name, data: [s.row(T.benign)] });
    expect(res.status).toMatchObject({ error_code: 'UnexpectedError', reason: 'fake: disk quota exceeded' });
    expect(s.rows()).toEqual([]);
  });

  it('surfaces an unknown collection as the SDK does, after deciding', async () => {
    const events: MemgarDecisionEvent[] = [];
    const g = guardMilvusClient(client, { onDecision: (e) => events.push(e) });
    const error = await g
      .insert({ collection_name: 'missing', data: [{ vector: toyVector('a'), text: T.benign }] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: { reason: 'collection not found[collection=missing]' } });
    expect(events.map((e) => e.decision)).toEqual(['allow']);
  });
});

describe('guardMilvusClient: held writes', () => {
  it('queues a quarantined row; approval inserts it with memgar_decision allow and memgar_review', async () => {
    const s = setup();
    const res = await s.g.insert({
      collection_name: s.name,
      data: [s.row(T.injectedSentence, { source: 'chat' })],
    });
    expect(res.err_index).toEqual([0]);
    expect(s.events.map((e) => e.decision)).toEqual(['quarantine']);
    const [item] = await s.g.held.queue.list();
    expect(item).toMatchObject({ content: T.injectedSentence, decision: 'quarantine', status: 'pending' });
    await s.g.held.approve(item?.id as string, 'sofia');
    expect(s.rows()).toMatchObject([
      { text: T.injectedSentence, source: 'chat', memgar_decision: 'allow', memgar_review: item?.id },
    ]);
    expect((await s.g.held.queue.get(item?.id as string))?.status).toBe('approved');
  });

  it('a failing store keeps the approved item pending; a rejected human_review row is never stored', async () => {
    const enforcer = new MemoryRuntimeEnforcer({ policy: new PolicyEngine({ profile: 'permissive' }) });
    const s = setup({ enforcer, sourceType: 'memory' });
    await s.g.upsert({ collection_name: s.name, data: [s.row(T.injectedSentence)] });
    const [item] = await s.g.held.queue.list();
    expect(item?.decision).toBe('human_review');
    fake.failing.add(s.name);
    await expect(s.g.held.approve(item?.id as string, 'sofia')).rejects.toThrow();
    expect((await s.g.held.queue.get(item?.id as string))?.status).toBe('pending');
    fake.failing.delete(s.name);
    fake.rejecting.add(s.name);
    await expect(s.g.held.approve(item?.id as string, 'sofia')).rejects.toThrow(/disk quota exceeded/);
    expect((await s.g.held.queue.get(item?.id as string))?.status).toBe('pending');
    fake.rejecting.delete(s.name);
    await s.g.held.reject(item?.id as string, 'ops', 'advertising');
    expect(s.rows()).toEqual([]);
  });
});

describe('guardMilvusClient: reads', () => {
  const poisoned = T.poisonedChunk;

  it('search returns the allowed rows with memgar metadata and filters the poisoned one', async () => {
    const s = setup();
    fake.put(s.name, s.row(T.benignChunk, { source: 'faq' }));
    fake.put(s.name, s.row(poisoned, { source: 'upload' }));
    const res = await s.g.search({
      collection_name: s.name,
      data: toyVector('refunds within 30 days'),
      limit: 5,
    });
    expect(res.results.map((r) => r.text)).toEqual([T.benignChunk]);
    expect(res.results[0]).toMatchObject({ $meta: { source: 'faq' }, memgar: { decision: 'allow' } });
    expect(res.results[0]?.score).toBeTypeOf('number');
    expect(s.events.map((e) => [e.boundary, e.allowed, e.id]).sort()).toEqual([
      ['retrieval', false, '2'],
      ['retrieval', true, '1'],
    ]);
  });

  it('hybridSearch (the SDK’s alias of search) is guarded too', async () => {
    const s = setup();
    fake.put(s.name, s.row(T.benignChunk));
    fake.put(s.name, s.row(poisoned));
    const res = await s.g.hybridSearch({ collection_name: s.name, data: toyVector('refunds'), limit: 5 });
    expect(res.results.map((r) => r.text)).toEqual([T.benignChunk]);
  });

  it('search with several query vectors guards each result list', async () => {
    const s = setup();
    fake.put(s.name, s.row(T.benignChunk));
    fake.put(s.name, s.row(poisoned));
    const res = await s.g.search({
      collection_name: s.name,
      data: [toyVector('refunds'), toyVector('customer list')],
      limit: 2,
    });
    const lists = res.results as unknown as { text: string }[][];
    expect(lists.map((l) => l.map((r) => r.text))).toEqual([[T.benignChunk], [T.benignChunk]]);
  });

  it('query and get are guarded; the text field is added to output_fields', async () => {
    const s = setup();
    fake.put(s.name, s.row(T.benignChunk, { source: 'faq' }));
    fake.put(s.name, s.row(poisoned, { source: 'upload' }));
    const q = await s.g.query({
      collection_name: s.name,
      filter: 'source in ["faq", "upload"]',
      output_fields: ['source'],
    });
    expect(fake.requests.at(-1)?.request.output_fields).toEqual(['source', 'text']);
    expect(q.data.map((r) => r.$meta)).toEqual([{ source: 'faq' }]);
    const got = await s.g.get({ collection_name: s.name, ids: [1, 2] });
    expect(got.data.map((r) => r.text)).toEqual([T.benignChunk]);
  });

  it('returns the sanitized rewrite of a retrieved row', async () => {
    const s = setup();
    fake.put(s.name, s.row(T.sanitizableChunk));
    const res = await s.g.search({ collection_name: s.name, data: toyVector('export data') });
    expect(s.events.map((e) => e.decision)).toEqual(['sanitize']);
    expect(res.results[0]?.text).not.toContain(T.injectedSentence);
    expect(res.results[0]?.text).toContain('To export your data');
  });

  it('withholds a row without text (here: textField absent from the row) and reports it; allowTextless returns it', async () => {
    const s = setup({ textField: 'body' });
    fake.put(s.name, { vector: toyVector('x'), text: 'a text field, not the body' });
    expect((await s.g.query({ collection_name: s.name, filter: 'id in [1]' })).data).toEqual([]);
    expect(s.events).toMatchObject([
      { boundary: 'retrieval', decision: 'block', rule: NO_TEXT_RULE, id: '1' },
    ]);
    const open = s.guard({ allowTextless: true });
    expect((await open.query({ collection_name: s.name, filter: 'id in [1]' })).data).toHaveLength(1);
  });

  it('filterDecisions sends a memgar_decision expression, combined with the caller’s filter or ids', async () => {
    const s = setup();
    await s.g.insert({ collection_name: s.name, data: [s.row(T.benignChunk, { source: 'faq' })] });
    fake.put(s.name, s.row('Unscanned note about refunds.', { source: 'faq' }));
    const f = s.guard({ filterDecisions: ['allow', 'sanitize'] });
    const res = await f.search({
      collection_name: s.name,
      data: toyVector('refunds'),
      filter: 'source == "faq"',
    });
    expect(res.results.map((r) => r.text)).toEqual([T.benignChunk]);
    expect(fake.requests.at(-1)?.request.dsl).toBe(
      '(source == "faq") and memgar_decision in ["allow","sanitize"]',
    );
    const got = await f.get({ collection_name: s.name, ids: [1, 2] });
    expect(got.data.map((r) => r.text)).toEqual([T.benignChunk]);
    expect(fake.requests.at(-1)?.request.expr).toBe(
      '(id in [1,2]) and memgar_decision in ["allow","sanitize"]',
    );
  });

  it('refuses searchIterator and queryIterator, which would pass rows unchecked', async () => {
    const s = setup();
    await expect(
      s.g.searchIterator({ collection_name: s.name, data: toyVector('x'), batchSize: 1 }),
    ).rejects.toThrow(InvalidInputError);
    await expect(s.g.queryIterator({ collection_name: s.name, batchSize: 1 })).rejects.toThrow(/not guarded/);
    expect(s.g.inner).toBe(client);
  });
});
