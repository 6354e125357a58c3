import { describeGuardedStoreConformance, CONFORMANCE_TEXTS as T } from '@memgar/adapter-testkit';
import { INJECTED, sanitizingEnforcer } from '@memgar/adapter-testkit/sanitizing-enforcer';
import { InvalidInputError, InvalidOptionError, type SourceType } from '@memgar/core';
import {
  type BaseNode,
  DocStoreStrategy,
  Document,
  MetadataMode,
  Settings,
  SimpleVectorStore,
  storageContextFromDefaults,
  TextNode,
  VectorStoreIndex,
} from 'llamaindex';
import { beforeAll, describe, expect, it } from 'vitest';
import { guardRetriever, guardVectorStore, type MemgarDecisionEvent, MemoryRefusedError } from './index.js';
import { BagOfWordsEmbedding, TextKeepingStore } from './test-helpers.js';
import type { GuardVectorStoreOptions } from './vector-store.js';

beforeAll(() => {
  Settings.embedModel = new BagOfWordsEmbedding();
});

class FailingStore extends SimpleVectorStore {
  override async add(): Promise<string[]> {
    throw new Error('vector store down');
  }
}

const text = (n: BaseNode) => n.getContent(MetadataMode.NONE);

/** A real VectorStoreIndex whose (text-less) SimpleVectorStore is guarded: the text lives in its docstore. */
async function simpleIndex(options: GuardVectorStoreOptions = {}, inner = new SimpleVectorStore()) {
  const store = guardVectorStore(inner, options);
  const storageContext = await storageContextFromDefaults({ vectorStore: store });
  const index = await VectorStoreIndex.init({ nodes: [], storageContext });
  const docTexts = async () => Object.values(await storageContext.docStore.docs()).map(text);
  return { inner, store, index, storageContext, docTexts };
}

function simpleSubject(failing = false) {
  const events: MemgarDecisionEvent[] = [];
  const onDecision = (e: MemgarDecisionEvent) => events.push(e);
  const made = simpleIndex({ onDecision }, failing ? new FailingStore() : undefined);
  return {
    write: async (t: string, o: { sourceType?: SourceType } = {}) => {
      const { index, inner } = await made;
      index.vectorStores.TEXT = guardVectorStore(inner, { onDecision, sourceType: o.sourceType ?? 'rag' });
      await index.insert(new Document({ text: t }));
    },
    storedTexts: async () => (await made).docTexts(),
    decisions: () => events.map((e) => e.decision),
    retrieve: async (query: string, texts: readonly string[]) => {
      const raw = await VectorStoreIndex.fromDocuments(texts.map((t) => new Document({ text: t })));
      const hits = await guardRetriever(raw.asRetriever({ similarityTopK: 10 }), { onDecision }).retrieve(
        query,
      );
      return hits.map((h) => text(h.node));
    },
  };
}

describeGuardedStoreConformance('guardVectorStore(SimpleVectorStore) in a VectorStoreIndex', {
  create: () => simpleSubject(),
  createFailing: () => simpleSubject(true),
});

/** A store that keeps text: query results carry nodes, so the store's own query is guarded. */
function textSubject(failing = false) {
  const inner = new TextKeepingStore();
  if (failing) inner.add = async () => Promise.reject(new Error('vector store down'));
  const events: MemgarDecisionEvent[] = [];
  const onDecision = (e: MemgarDecisionEvent) => events.push(e);
  return {
    write: async (t: string, o: { sourceType?: SourceType } = {}) => {
      const store = guardVectorStore(inner, { onDecision, sourceType: o.sourceType ?? 'rag' });
      const node = new TextNode({ text: t, embedding: await inner.embedModel.getTextEmbedding(t) });
      await store.add([node]);
    },
    storedTexts: async () => [...inner.nodes.values()].map(text),
    decisions: () => events.map((e) => e.decision),
    retrieve: async (query: string, texts: readonly string[]) => {
      await VectorStoreIndex.init({
        nodes: texts.map((t) => new TextNode({ text: t })),
        storageContext: await storageContextFromDefaults({ vectorStore: inner }),
      });
      const index = await VectorStoreIndex.fromVectorStore(guardVectorStore(inner, { onDecision }));
      return (await index.asRetriever({ similarityTopK: 10 }).retrieve(query)).map((h) => text(h.node));
    },
  };
}

describeGuardedStoreConformance('guardVectorStore(a store that keeps text)', {
  create: () => textSubject(),
  createFailing: () => textSubject(true),
});

describe('guardVectorStore', () => {
  it('keeps refused nodes out of the docstore and the index, and stores allowed ones with their metadata', async () => {
    const events: MemgarDecisionEvent[] = [];
    const s = await simpleIndex({ onDecision: (e) => events.push(e) });
    await s.index.insertNodes([
      new TextNode({ id_: 'a', text: T.benignChunk, metadata: { source: 'faq.md' } }),
      new TextNode({ id_: 'b', text: T.poisonedChunk, metadata: { source: 'upload.md' } }),
    ]);
    expect(await s.docTexts()).toEqual([T.benignChunk]);
    expect((await s.storageContext.docStore.getNode('a')).metadata).toEqual({ source: 'faq.md' });
    expect(Object.keys(s.index.indexStruct.nodesDict)).toEqual(['a']);
    expect(await s.inner.get('b')).toBeUndefined();
    expect(events.map((e) => [e.id, e.allowed])).toEqual([
      ['a', true],
      ['b', false],
    ]);
    const hits = await s.index.asRetriever({ similarityTopK: 5 }).retrieve('refund policy');
    expect(hits.map((h) => text(h.node))).toEqual([T.benignChunk]);
  });

  it('guards VectorStoreIndex.fromDocuments; with docStoreStrategy NONE the docstore holds only allowed nodes', async () => {
    const docs = () => [
      new Document({ text: T.benignChunk, id_: 'faq' }),
      new Document({ text: T.poisonedChunk, id_: 'upload' }),
    ];
    for (const docStoreStrategy of [DocStoreStrategy.NONE, undefined]) {
      const storageContext = await storageContextFromDefaults({
        vectorStore: guardVectorStore(new SimpleVectorStore()),
      });
      const index = await VectorStoreIndex.fromDocuments(docs(), { storageContext, docStoreStrategy });
      const hits = await index.asRetriever({ similarityTopK: 5 }).retrieve('refund policy');
      expect(hits.map((h) => text(h.node))).toEqual([T.benignChunk]);
      const stored = Object.values(await storageContext.docStore.docs()).map(text);
      // The default (upserts) strategy keeps the source documents as given, for de-duplication.
      expect(stored.includes(T.poisonedChunk)).toBe(docStoreStrategy === undefined);
    }
  });

  it('stores the sanitized rewrite in both the vector store (re-embedded) and the docstore', async () => {
    const s = await simpleIndex({ enforcer: sanitizingEnforcer });
    await s.index.insertNodes([new TextNode({ id_: 'n', text: `${T.benignChunk} ${INJECTED}` })]);
    expect(await s.docTexts()).toEqual([T.benignChunk]);
    expect(await s.inner.get('n')).toEqual(await Settings.embedModel.getTextEmbedding(T.benignChunk));
  });

  it('with onRefused: throw, rejects with MemoryRefusedError and stores nothing of the batch', async () => {
    const s = await simpleIndex({ onRefused: 'throw' });
    const nodes = [new TextNode({ text: T.benignChunk }), new TextNode({ text: T.poisonedChunk })];
    await expect(s.index.insertNodes(nodes)).rejects.toBeInstanceOf(MemoryRefusedError);
    expect(await s.docTexts()).toEqual([]);
    expect(s.inner.toDict().embeddingDict).toEqual({});
  });

  it('holds a quarantined node in the review queue; approval writes it through, rejection never', async () => {
    const inner = new TextKeepingStore();
    const store = guardVectorStore(inner, { sourceType: 'memory' });
    const embedding = await inner.embedModel.getTextEmbedding(T.injectedSentence);
    await store.add([
      new TextNode({ id_: 'held', text: T.injectedSentence, embedding, metadata: { source: 'wiki' } }),
      new TextNode({ id_: 'held-2', text: T.injectedSentence, embedding }),
    ]);
    expect(inner.nodes.size).toBe(0);
    const [first, second] = await store.held.queue.list();
    expect([first?.decision, first?.content]).toEqual(['quarantine', T.injectedSentence]);
    await store.held.approve(first?.id as string, 'alice');
    await store.held.reject(second?.id as string, 'bob');
    expect([...inner.nodes.values()].map((n) => [n.id_, text(n), n.metadata.source])).toEqual([
      ['held', T.injectedSentence, 'wiki'],
    ]);
    expect(await store.held.queue.pending()).toBe(0);
  });

  it('approves a held node into a VectorStoreIndex (docstore and vectors) with writeThrough: insertNodes', async () => {
    let index: VectorStoreIndex | undefined;
    const s = await simpleIndex({
      sourceType: 'memory',
      writeThrough: (node) => (index as VectorStoreIndex).insertNodes([node]),
    });
    index = s.index;
    await s.index.insertNodes([new TextNode({ id_: 'q', text: T.injectedSentence })]);
    expect(await s.docTexts()).toEqual([]);
    const [item] = await s.store.held.queue.list();
    await s.store.held.approve(item?.id as string, 'alice');
    expect(await s.docTexts()).toEqual([T.injectedSentence]);
    expect(await s.inner.get('q')).toEqual(await Settings.embedModel.getTextEmbedding(T.injectedSentence));
    await s.index.insertNodes([new TextNode({ id_: 'again', text: T.injectedSentence })]);
    expect(await s.store.held.queue.pending()).toBe(1);
  });

  it('filters query results that carry nodes, keeping ids, similarities and nodes aligned', async () => {
    const inner = new TextKeepingStore();
    const embed = (t: string) => inner.embedModel.getTextEmbedding(t);
    await inner.add([
      new TextNode({ id_: 'p', text: T.poisonedChunk, embedding: await embed(T.poisonedChunk) }),
      new TextNode({ id_: 'b', text: T.benignChunk, embedding: await embed(T.benignChunk) }),
    ]);
    const raw = await inner.query({
      queryEmbedding: await embed('refunds'),
      similarityTopK: 5,
      mode: 'default' as never,
    });
    const result = await guardVectorStore(inner).query({
      queryStr: 'refunds',
      queryEmbedding: await embed('refunds'),
      similarityTopK: 5,
      mode: 'default' as never,
    });
    expect(result.ids).toEqual(['b']);
    expect(result.nodes?.map(text)).toEqual([T.benignChunk]);
    expect(result.similarities).toEqual([raw.similarities[raw.ids.indexOf('b')]]);
    expect(result.nodes?.[0]?.metadata.memgar.decision).toBe('allow');
  });

  it('surfaces a failing store unchanged and rejects bad input and options with typed errors', async () => {
    const failing = guardVectorStore(new FailingStore());
    await expect(failing.add([new TextNode({ text: T.benignChunk })])).rejects.toThrow('vector store down');
    const bad = guardVectorStore(new SimpleVectorStore(), { concurrency: 0 });
    await expect(bad.add([new TextNode({ text: T.benignChunk })])).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(bad.add('nodes' as never)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(bad.add([{ text: 'not a node' }] as never)).rejects.toBeInstanceOf(InvalidInputError);
  });
});
