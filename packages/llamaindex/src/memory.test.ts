import { extractText } from '@llamaindex/core/utils';
import { describeGuardedStoreConformance, CONFORMANCE_TEXTS as T } from '@memgar/adapter-testkit';
import { INJECTED, sanitizingEnforcer } from '@memgar/adapter-testkit/sanitizing-enforcer';
import type { SourceType } from '@memgar/core';
import {
  ContextChatEngine,
  createMemory,
  Document,
  Memory,
  Settings,
  SimpleChatEngine,
  VectorStoreIndex,
} from 'llamaindex';
import { beforeAll, describe, expect, it } from 'vitest';
import { guardMemory, type MemgarDecisionEvent, MemoryRefusedError, messageText } from './index.js';
import { BagOfWordsEmbedding, RecordingLLM } from './test-helpers.js';

beforeAll(() => {
  Settings.embedModel = new BagOfWordsEmbedding();
});

class FailingMemory extends Memory {
  override async add(): Promise<void> {
    throw new Error('memory down');
  }
}

const stored = async (memory: Memory) => (await memory.get()).map((m) => extractText(m.content));

function subject(failing = false, onRefused: 'drop' | 'throw' = 'drop') {
  const inner = failing ? new FailingMemory() : createMemory();
  const events: MemgarDecisionEvent[] = [];
  return {
    write: (text: string, o: { sourceType?: SourceType } = {}) =>
      guardMemory(inner, {
        onRefused,
        onDecision: (e) => events.push(e),
        sourceType: () => o.sourceType ?? 'memory',
      }).add({ role: 'user', content: text }),
    storedTexts: () => stored(inner),
    decisions: () => events.map((e) => e.decision),
  };
}

describeGuardedStoreConformance('guardMemory(createMemory())', {
  create: () => subject(),
  createFailing: () => subject(true),
  retrieves: false,
});

describeGuardedStoreConformance('guardMemory(createMemory(), { onRefused: throw })', {
  create: () => subject(false, 'throw'),
  createFailing: () => subject(true, 'throw'),
  refusalThrows: true,
  retrieves: false,
});

describe('guardMemory', () => {
  it('is still a Memory: a SimpleChatEngine never sends a refused user message to the model', async () => {
    const llm = new RecordingLLM();
    const inner = createMemory();
    const memory = guardMemory(inner);
    expect(memory).toBeInstanceOf(Memory);
    const engine = new SimpleChatEngine({ llm, memory });
    await engine.chat({ message: 'I prefer window seats on long flights.' });
    await engine.chat({ message: T.attack });
    expect(await stored(inner)).toEqual([
      'I prefer window seats on long flights.',
      'Refunds take 30 days.',
      'Refunds take 30 days.',
    ]);
    expect(llm.prompts.join('\n')).not.toContain('evil.example');
  });

  it('with onRefused: throw, makes the chat engine reject with MemoryRefusedError', async () => {
    const llm = new RecordingLLM();
    const engine = new SimpleChatEngine({ llm, memory: guardMemory(createMemory(), { onRefused: 'throw' }) });
    await expect(engine.chat({ message: T.attack })).rejects.toBeInstanceOf(MemoryRefusedError);
    expect(llm.prompts).toEqual([]);
  });

  it('is taken as the chat history of a ContextChatEngine (instanceof Memory)', async () => {
    const index = await VectorStoreIndex.fromDocuments([new Document({ text: T.benignChunk })]);
    const inner = createMemory();
    const events: MemgarDecisionEvent[] = [];
    const engine = new ContextChatEngine({
      retriever: index.asRetriever(),
      chatModel: new RecordingLLM(),
      chatHistory: guardMemory(inner, { onDecision: (e) => events.push(e) }),
    });
    await engine.chat({ message: T.attack });
    expect(await stored(inner)).toEqual(['Refunds take 30 days.']);
    expect(events.map((e) => e.decision)).toEqual(['block', 'allow']);
  });

  it('stores the sanitized rewrite of a ChatMessage and of a Vercel UI message', async () => {
    const inner = createMemory();
    const memory = guardMemory(inner, { enforcer: sanitizingEnforcer });
    await memory.add({ role: 'user', content: [{ type: 'text', text: `Book a window seat. ${INJECTED}` }] });
    await memory.add({
      id: 'ui-1',
      role: 'user',
      content: '',
      parts: [{ type: 'text', text: `Aisle is fine. ${INJECTED}` }],
    });
    expect(await stored(inner)).toEqual(['Book a window seat.', 'Aisle is fine.']);
    expect((await inner.get())[1]?.role).toBe('user');
  });

  it('holds a quarantined message; approval stores it, the memory never had it before', async () => {
    const inner = createMemory();
    const memory = guardMemory(inner);
    await memory.add({ role: 'user', content: T.injectedSentence });
    expect(await stored(inner)).toEqual([]);
    const [item] = await memory.held.queue.list();
    expect([item?.decision, item?.context.sourceType]).toEqual(['quarantine', 'memory']);
    await memory.held.approve(item?.id as string, 'alice');
    expect(await stored(inner)).toEqual([T.injectedSentence]);
  });

  it('analyzes a message of a custom adapter as its JSON, and analyzes tool results as tool output', async () => {
    const notes = {
      isCompatible: (m: unknown): m is { note: string } => typeof (m as { note?: unknown }).note === 'string',
      toMemory: (m: { note: string }) => ({ id: 'n', role: 'memory' as const, content: m.note }),
      fromMemory: (m: { content: unknown }) => ({ note: String(m.content) }),
    };
    const inner = createMemory({ customAdapters: { notes } });
    const events: MemgarDecisionEvent[] = [];
    const memory = guardMemory(inner, { onDecision: (e) => events.push(e) });
    await memory.add({ note: T.attack });
    await memory.add({ note: T.benign });
    expect(await stored(inner)).toEqual([T.benign]);
    expect(events.map((e) => e.decision)).toEqual(['block', 'allow']);
    expect(messageText({ note: 'x' })).toBe('{"note":"x"}');
    // Such a message has no text field to hold a rewrite: a sanitize decision refuses it.
    const rewriting = guardMemory(inner, { enforcer: sanitizingEnforcer, onRefused: 'throw' });
    await expect(rewriting.add({ note: `Hi. ${INJECTED}` })).rejects.toBeInstanceOf(MemoryRefusedError);
    await guardMemory(inner, { enforcer: sanitizingEnforcer }).add({ note: `Hi. ${INJECTED}` });
    expect(await stored(inner)).toEqual([T.benign]);
    const sources: SourceType[] = [];
    const audited = guardMemory(createMemory(), {
      enforcer: {
        ...sanitizingEnforcer,
        onMemoryWrite: (t, c) => {
          sources.push(c?.sourceType ?? 'unknown');
          return sanitizingEnforcer.onMemoryWrite(t, c);
        },
      },
    });
    await audited.add({
      role: 'user',
      content: 'ok',
      options: { toolResult: { id: '1', result: 'ok', isError: false } },
    });
    await audited.add({ role: 'user', content: 'ok' });
    expect(sources).toEqual(['tool', 'memory']);
  });
});
