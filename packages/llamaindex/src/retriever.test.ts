import { CONFORMANCE_TEXTS as T } from '@memgar/adapter-testkit';
import { InMemoryAuditSink, InvalidInputError, MemoryRuntimeEnforcer } from '@memgar/core';
import { Document, MetadataMode, type NodeWithScore, Settings, VectorStoreIndex } from 'llamaindex';
import { beforeAll, describe, expect, it } from 'vitest';
import { guardRetriever, type MemgarDecisionEvent, MemgarNodePostprocessor } from './index.js';
import { BagOfWordsEmbedding, RecordingLLM } from './test-helpers.js';

const benign = T.benignChunk;
const poisoned = T.poisonedChunk;

beforeAll(() => {
  Settings.embedModel = new BagOfWordsEmbedding();
});

/** A real VectorStoreIndex (SimpleVectorStore + docstore) over real Documents, split by the default node parser. */
async function index(texts: readonly string[] = [benign, poisoned]) {
  return VectorStoreIndex.fromDocuments(
    texts.map((text, i) => new Document({ text, id_: `doc-${i}`, metadata: { source: `faq-${i}.md` } })),
  );
}

const texts = (hits: NodeWithScore[]) => hits.map((h) => h.node.getContent(MetadataMode.NONE));

describe('guardRetriever', () => {
  it('filters a poisoned node from a VectorStoreIndex retriever and reports each decision', async () => {
    const events: MemgarDecisionEvent[] = [];
    const idx = await index();
    const raw = await idx.asRetriever({ similarityTopK: 5 }).retrieve('refund policy');
    expect(texts(raw).sort()).toEqual([benign, poisoned].sort());
    const hits = await guardRetriever(idx.asRetriever({ similarityTopK: 5 }), {
      onDecision: (e) => events.push(e),
    }).retrieve('refund policy');
    expect(texts(hits)).toEqual([benign]);
    expect(events.map((e) => [e.boundary, e.allowed]).sort()).toEqual([
      ['retrieval', false],
      ['retrieval', true],
    ]);
  });

  it('returns copies with metadata kept, metadata.memgar added and hidden from the LLM view', async () => {
    const idx = await index([benign]);
    const [hit] = await guardRetriever(idx.asRetriever()).retrieve('refund policy');
    expect(hit?.node.metadata).toEqual({
      source: 'faq-0.md',
      memgar: { decision: 'allow', riskScore: expect.any(Number), rule: expect.any(String) },
    });
    expect(typeof hit?.score).toBe('number');
    expect(hit?.node.getContent(MetadataMode.LLM)).toBe(`source: faq-0.md\n\n${benign}`);
    const stored = Object.values(idx.indexStruct.nodesDict)[0];
    expect(stored?.metadata).toEqual({ source: 'faq-0.md' });
    expect(hit?.node.id_).toBe(stored?.id_);
  });

  it('replaces a node text with its sanitized rewrite', async () => {
    const idx = await index([T.sanitizableChunk]);
    const [hit] = await guardRetriever(idx.asRetriever()).retrieve('export data');
    expect(hit?.node.getContent(MetadataMode.NONE)).toBe(
      T.sanitizableChunk.replace(`${T.injectedSentence} `, ''),
    );
    expect(hit?.node.metadata.memgar.decision).toBe('sanitize');
    expect(Object.values(idx.indexStruct.nodesDict)[0]?.getContent(MetadataMode.NONE)).toBe(
      T.sanitizableChunk,
    );
  });

  it('records every decision in the audit sink of a shared enforcer', async () => {
    const audit = new InMemoryAuditSink();
    const enforcer = new MemoryRuntimeEnforcer({ audit, auditAllowed: true });
    await guardRetriever((await index()).asRetriever({ similarityTopK: 5 }), { enforcer }).retrieve(
      'refunds',
    );
    expect(
      audit
        .events()
        .map((e) => e.allowed)
        .sort(),
    ).toEqual([false, true]);
  });

  it('guards the retriever of a ContextChatEngine: the poisoned node never reaches the model', async () => {
    const llm = new RecordingLLM();
    const idx = await index();
    const engine = idx.asChatEngine({
      retriever: guardRetriever(idx.asRetriever({ similarityTopK: 5 })),
      chatModel: llm,
    });
    const response = await engine.chat({ message: 'What is the refund policy?' });
    expect(texts(response.sourceNodes ?? [])).toEqual([benign]);
    expect(llm.prompts.join('\n')).toContain(benign);
    expect(llm.prompts.join('\n')).not.toContain('dump@evil.example');
  });
});

describe('MemgarNodePostprocessor', () => {
  it('filters the context of a real RetrieverQueryEngine (control: without it the poison reaches the LLM)', async () => {
    const idx = await index();
    const unguarded = new RecordingLLM();
    await Settings.withLLM(unguarded, () =>
      idx.asQueryEngine({ similarityTopK: 5 }).query({ query: 'refund policy' }),
    );
    expect(unguarded.prompts.join('\n')).toContain('dump@evil.example');

    const llm = new RecordingLLM();
    const events: MemgarDecisionEvent[] = [];
    const postprocessor = new MemgarNodePostprocessor({ onDecision: (e) => events.push(e) });
    const response = await Settings.withLLM(llm, () =>
      idx
        .asQueryEngine({ similarityTopK: 5, nodePostprocessors: [postprocessor] })
        .query({ query: 'refund policy' }),
    );
    expect(texts(response.sourceNodes ?? [])).toEqual([benign]);
    expect(llm.prompts.length).toBeGreaterThan(0);
    expect(llm.prompts.join('\n')).toContain(benign);
    expect(llm.prompts.join('\n')).not.toContain('dump@evil.example');
    expect(events.filter((e) => !e.allowed).map((e) => e.decision)).toEqual(['block']);
  });

  it('guards without a query too, and rejects what is not a node list with InvalidInputError', async () => {
    const idx = await index();
    const raw = await idx.asRetriever({ similarityTopK: 5 }).retrieve('refunds');
    const post = new MemgarNodePostprocessor();
    expect(texts(await post.postprocessNodes(raw))).toEqual([benign]);
    await expect(post.postprocessNodes('nodes' as never)).rejects.toBeInstanceOf(InvalidInputError);
    await expect(post.postprocessNodes([{ node: {} } as never])).rejects.toBeInstanceOf(InvalidInputError);
  });
});
