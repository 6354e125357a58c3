import { Mastra } from '@mastra/core';
import { CONFORMANCE_TEXTS, describeGuardedStoreConformance } from '@memgar/adapter-testkit';
import { fakeEmbedding } from '@memgar/adapter-testkit/fake-openai';
import { INJECTED, sanitizingEnforcer } from '@memgar/adapter-testkit/sanitizing-enforcer';
import { InvalidInputError, MemoryRuntimeEnforcer } from '@memgar/core';
import { type AdapterDecisionEvent, type EnforcerLike, NO_TEXT_RULE } from '@memgar/core/adapter-kit';
import { describe, expect, it } from 'vitest';
import { guardVector, MemoryRefusedError } from './index.js';
import { FailingVector, InMemoryVector } from './test/in-memory-vector.js';

const T = CONFORMANCE_TEXTS;
const embed = (text: string) => fakeEmbedding(text, 16);
const real = new MemoryRuntimeEnforcer();

async function setup(options: Parameters<typeof guardVector>[1] = {}, failing = false) {
  const inner = failing ? new FailingVector() : new InMemoryVector();
  await inner.createIndex({ indexName: 'docs', dimension: 16 });
  const events: AdapterDecisionEvent[] = [];
  const store = guardVector(inner, { onDecision: (e) => events.push(e), ...options });
  const rows = () => [...(inner.indexes.get('docs')?.rows.values() ?? [])];
  /** Writes straight into the index, as a poisoned index would hold them (no guard). */
  const plant = (texts: readonly string[]) => {
    for (const [i, text] of texts.entries()) {
      inner.indexes.get('docs')?.rows.set(`p${i}`, { id: `p${i}`, vector: embed(text), metadata: { text } });
    }
  };
  const upsert = (texts: string[], ids?: string[]) =>
    store.upsert({
      indexName: 'docs',
      vectors: texts.map(embed),
      metadata: texts.map((text) => ({ text, source: 'kb' })),
      ids,
    });
  return { inner, store, events, rows, plant, upsert };
}

describeGuardedStoreConformance('guardVector(MastraVector subclass)', {
  create: async () => {
    const s = await setup();
    return {
      write: (text) => s.upsert([text]),
      storedTexts: async () => s.rows().map((r) => r.metadata.text as string),
      decisions: () => s.events.map((e) => e.decision),
      retrieve: async (query, texts) => {
        s.plant(texts);
        const results = await s.store.query({ indexName: 'docs', queryVector: embed(query), topK: 10 });
        return results.map((r) => r.metadata?.text as string);
      },
    };
  },
  createFailing: async () => {
    const s = await setup({}, true);
    return {
      write: (text) => s.upsert([text]),
      storedTexts: async () => s.rows().map((r) => r.metadata.text as string),
      decisions: () => s.events.map((e) => e.decision),
    };
  },
});

/** An enforcer holding every write for human review (our own seam: the held path, independent of the rules). */
const holding: EnforcerLike = {
  ...real,
  onRetrieval: real.onRetrieval.bind(real),
  onToolResult: real.onToolResult.bind(real),
  onMemoryWrite: async (text) => ({
    allowed: false,
    decision: 'human_review',
    safeContent: undefined,
    reason: `held: ${text.slice(0, 10)}`,
    rule: 'test:hold',
    riskScore: 50,
    findings: [],
    dlp: [],
    auditIds: [],
    analysis: undefined,
  }),
};

describe('guardVector upsert', () => {
  it('stores allowed vectors with their metadata, ids and memgar decision; drops refused ones', async () => {
    const s = await setup();
    const ids = await s.upsert([T.benignChunk, T.poisonedChunk], ['a', 'b']);
    expect(ids).toEqual(['a']);
    expect(s.rows()).toEqual([
      {
        id: 'a',
        vector: embed(T.benignChunk),
        metadata: {
          text: T.benignChunk,
          source: 'kb',
          memgar_decision: 'allow',
          memgar_risk: expect.any(Number),
          memgar_rule: expect.any(String),
        },
      },
    ]);
    expect(s.events.map((e) => [e.boundary, e.id, e.allowed])).toEqual([
      ['memory_write', 'a', true],
      ['memory_write', 'b', false],
    ]);
  });

  it('keeps sparse vectors aligned with the kept vectors', async () => {
    const s = await setup();
    await s.store.upsert({
      indexName: 'docs',
      vectors: [embed(T.poisonedChunk), embed(T.benignChunk)],
      metadata: [{ text: T.poisonedChunk }, { text: T.benignChunk }],
      sparseVectors: [
        { indices: [1], values: [0.1] },
        { indices: [2], values: [0.2] },
      ],
    });
    const call = s.inner.calls.find((c) => c.method === 'upsert')?.params as { sparseVectors: unknown };
    expect(call.sparseVectors).toEqual([{ indices: [2], values: [0.2] }]);
  });

  it("throws MemoryRefusedError with onRefused: 'throw' and stores nothing of the batch", async () => {
    const s = await setup({ onRefused: 'throw' });
    const error = await s.upsert([T.benignChunk, T.attack], ['a', 'b']).catch((e: unknown) => e);
    expect(MemoryRefusedError.isInstance(error)).toBe(true);
    expect((error as MemoryRefusedError).id).toBe('b');
    expect(s.rows()).toEqual([]);
    expect(s.inner.calls).toEqual([]);
  });

  it('stores the sanitized rewrite in the text field', async () => {
    const s = await setup({ enforcer: sanitizingEnforcer });
    await s.upsert([`Exports arrive within an hour. ${INJECTED}`]);
    expect(s.rows().map((r) => [r.metadata.text, r.metadata.memgar_decision])).toEqual([
      ['Exports arrive within an hour.', 'sanitize'],
    ]);
  });

  it('reads the text from a configured metadata field', async () => {
    const s = await setup({ textField: 'chunk' });
    await s.store.upsert({
      indexName: 'docs',
      vectors: [embed(T.poisonedChunk), embed(T.benignChunk)],
      metadata: [{ chunk: T.poisonedChunk }, { chunk: T.benignChunk }],
    });
    expect(s.rows().map((r) => r.metadata.chunk)).toEqual([T.benignChunk]);
  });

  it('refuses a vector without its text with InvalidInputError before anything is stored', async () => {
    const s = await setup();
    const p = s.store.upsert({
      indexName: 'docs',
      vectors: [embed('a'), embed('b')],
      metadata: [{ text: 'fine' }, { title: 'no text' }],
    });
    await expect(p).rejects.toBeInstanceOf(InvalidInputError);
    await expect(p).rejects.toMatchObject({ field: 'metadata[1].text' });
    await expect(s.store.upsert({ indexName: 'docs' } as never)).rejects.toMatchObject({ field: 'vectors' });
    expect(s.rows()).toEqual([]);
  });

  it('holds quarantined and human-review writes for review and upserts them on approval', async () => {
    const s = await setup({ enforcer: holding });
    expect(await s.upsert([T.benign], ['m1'])).toEqual([]);
    expect(s.rows()).toEqual([]);
    const [item] = await s.store.held.queue.list();
    expect(item).toMatchObject({ content: T.benign, decision: 'human_review', status: 'pending' });
    await s.store.held.approve(item!.id, 'reviewer@example.com');
    expect(s.rows().map((r) => [r.id, r.metadata.text, r.metadata.source])).toEqual([['m1', T.benign, 'kb']]);
    expect((await s.store.held.queue.get(item!.id))?.status).toBe('approved');
    await s.upsert([T.benignChunk], ['m2']);
    const [second] = await s.store.held.queue.list({ status: 'pending' });
    await s.store.held.reject(second!.id, 'reviewer@example.com', 'not wanted');
    expect(s.rows().map((r) => r.id)).toEqual(['m1']);
  });

  it("with onRefused: 'throw' queues the held writes of the call, then throws and stores nothing", async () => {
    const s = await setup({ enforcer: holding, onRefused: 'throw' });
    const error = await s.upsert([T.benign], ['m1']).catch((e: unknown) => e);
    expect(MemoryRefusedError.isInstance(error)).toBe(true);
    expect(s.rows()).toEqual([]);
    const [item] = await s.store.held.queue.list();
    expect(item).toMatchObject({ content: T.benign, decision: 'human_review', status: 'pending' });
    await s.store.held.approve(item!.id, 'reviewer@example.com');
    expect(s.rows().map((r) => [r.id, r.metadata.text, r.metadata.memgar_decision])).toEqual([
      ['m1', T.benign, 'human_review'],
    ]);
  });

  it('decides at most `concurrency` writes at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const slow: EnforcerLike = {
      onRetrieval: real.onRetrieval.bind(real),
      onToolResult: real.onToolResult.bind(real),
      onMemoryWrite: async (text, ctx) => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        return real.onMemoryWrite(text, ctx);
      },
    };
    const s = await setup({ enforcer: slow, concurrency: 2 });
    await s.upsert(Array.from({ length: 8 }, (_, i) => `Note ${i}: the customer prefers e-mail.`));
    expect(peak).toBe(2);
    expect(s.rows()).toHaveLength(8);
  });

  it('replaces the guard when guarded again instead of deciding twice', async () => {
    const s = await setup();
    const events: AdapterDecisionEvent[] = [];
    guardVector(s.inner, { onDecision: (e) => events.push(e) });
    await s.upsert([T.benign]);
    expect(events).toHaveLength(1);
    expect(s.events).toHaveLength(0);
    expect(s.rows()).toHaveLength(1);
  });
});

describe('guardVector query', () => {
  it('filters poisoned records, returns the rest with the decision in metadata', async () => {
    const s = await setup();
    s.plant([T.poisonedChunk, T.benignChunk]);
    const results = await s.store.query({ indexName: 'docs', queryVector: embed('refund policy'), topK: 5 });
    expect(results.map((r) => [r.id, r.metadata?.text, r.metadata?.memgar_decision])).toEqual([
      ['p1', T.benignChunk, 'allow'],
    ]);
    expect(s.events.map((e) => [e.boundary, e.id, e.allowed])).toEqual([
      ['retrieval', 'p0', false],
      ['retrieval', 'p1', true],
    ]);
  });

  it('returns the sanitized rewrite of a repairable chunk', async () => {
    const s = await setup();
    s.plant([T.sanitizableChunk]);
    const [r] = await s.store.query({ indexName: 'docs', queryVector: embed('export data'), topK: 5 });
    expect(r?.metadata?.text).toBe(T.sanitizableChunk.replace(`${T.injectedSentence} `, ''));
    expect(r?.metadata?.memgar_decision).toBe('sanitize');
  });

  it('decides and rewrites the `document` of stores that return the text there (Chroma style)', async () => {
    class DocumentVector extends InMemoryVector {
      override async query(params: Parameters<InMemoryVector['query']>[0]) {
        const results = await super.query(params);
        return results.map(({ metadata, ...r }) => ({
          ...r,
          document: metadata?.text as string,
          metadata: {},
        }));
      }
    }
    const inner = new DocumentVector();
    await inner.createIndex({ indexName: 'docs', dimension: 16 });
    await inner.upsert({
      indexName: 'docs',
      vectors: [embed(T.poisonedChunk), embed(T.sanitizableChunk)],
      metadata: [{ text: T.poisonedChunk }, { text: T.sanitizableChunk }],
    });
    const store = guardVector(inner); // after the (unguarded) upsert: the index is already poisoned
    const results = await store.query({ indexName: 'docs', queryVector: embed('export refunds'), topK: 5 });
    expect(results.map((r) => [r.document, r.metadata?.memgar_decision])).toEqual([
      [T.sanitizableChunk.replace(`${T.injectedSentence} `, ''), 'sanitize'],
    ]);
  });

  it('drops a record without text and reports it (fail closed)', async () => {
    const s = await setup();
    s.inner.indexes
      .get('docs')
      ?.rows.set('x', { id: 'x', vector: embed('refund'), metadata: { title: 'Refunds' } });
    expect(await s.store.query({ indexName: 'docs', queryVector: embed('refund'), topK: 5 })).toEqual([]);
    expect(s.events).toEqual([
      expect.objectContaining({
        id: 'x',
        decision: 'block',
        allowed: false,
        rule: NO_TEXT_RULE,
        reason: 'no "text" text',
      }),
    ]);
  });

  it('gives queryText to the retrieval guard and not to the store', async () => {
    const queries: unknown[] = [];
    const spy: EnforcerLike = {
      onMemoryWrite: real.onMemoryWrite.bind(real),
      onToolResult: real.onToolResult.bind(real),
      onRetrieval: (chunks, o) => {
        queries.push(o?.query);
        return real.onRetrieval(chunks, o);
      },
    };
    const s = await setup({ enforcer: spy });
    s.plant([T.benignChunk]);
    await s.store.query({
      indexName: 'docs',
      queryVector: embed('refund'),
      topK: 3,
      queryText: 'refund policy',
    });
    expect(queries).toEqual(['refund policy']);
    expect(s.inner.calls.at(-1)?.params).toEqual({
      indexName: 'docs',
      queryVector: embed('refund'),
      topK: 3,
    });
  });

  it('is what Mastra hands out when registered as a vector store', async () => {
    const s = await setup();
    s.plant([T.poisonedChunk, T.benignChunk]);
    const mastra = new Mastra({
      vectors: { docs: s.store as unknown as InMemoryVector },
      telemetry: { enabled: false },
    });
    const results = await mastra
      .getVector('docs')
      .query({ indexName: 'docs', queryVector: embed('refunds'), topK: 5 });
    expect(results.map((r) => r.metadata?.text)).toEqual([T.benignChunk]);
  });
});
