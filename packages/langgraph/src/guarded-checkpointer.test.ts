import { AIMessage, type BaseMessage, HumanMessage, ToolMessage } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import {
  Annotation,
  END,
  MemorySaver,
  MessagesAnnotation,
  messagesStateReducer,
  Overwrite,
  START,
  StateGraph,
} from '@langchain/langgraph';
import { ToolNode } from '@langchain/langgraph/prebuilt';
import { CONFORMANCE_TEXTS, describeGuardedStoreConformance } from '@memgar/adapter-testkit';
import { INJECTED, sanitizingEnforcer } from '@memgar/adapter-testkit/sanitizing-enforcer';
import { describe, expect, it } from 'vitest';
import {
  type AdapterDecisionEvent,
  type GuardCheckpointerOptions,
  guardCheckpointer,
  MemoryRefusedError,
} from './index.js';

const T = CONFORMANCE_TEXTS;
const thread = (id = 't1') => ({ configurable: { thread_id: id } });

/** Every byte MemorySaver holds (checkpoints and pending writes), decoded: what a real backend would persist. */
function persisted(saver: MemorySaver): string {
  const decode = (x: unknown): unknown =>
    x instanceof Uint8Array
      ? new TextDecoder().decode(x)
      : typeof x === 'object' && x !== null
        ? Object.values(x).map(decode)
        : x;
  return JSON.stringify([decode(saver.storage), decode(saver.writes)]);
}

/** A chat graph: the model answers every turn; its checkpointer is `saver`. */
function chatGraph(saver: ReturnType<typeof guardCheckpointer>, replies = ['Noted.', 'Sure.', 'Done.']) {
  const model = new FakeListChatModel({ responses: replies });
  return new StateGraph(MessagesAnnotation)
    .addNode('agent', async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addEdge(START, 'agent')
    .addEdge('agent', END)
    .compile({ checkpointer: saver });
}

function setup(options: GuardCheckpointerOptions = {}, inner = new MemorySaver()) {
  const events: AdapterDecisionEvent[] = [];
  const saver = guardCheckpointer(inner, { onDecision: (e) => events.push(e), ...options });
  return { inner, saver, events, graph: chatGraph(saver) };
}

class FailingSaver extends MemorySaver {
  override async put(): Promise<never> {
    throw new Error('checkpoint store down');
  }
}

// The conformance subject: a graph whose only node adds nothing, so the checkpoint holds exactly
// the messages written through it.
function subject(failing = false) {
  const inner = failing ? new FailingSaver() : new MemorySaver();
  const events: AdapterDecisionEvent[] = [];
  let n = 0;
  return {
    write: (text: string, o: { sourceType?: 'memory' | 'rag' | 'tool' | 'web' } = {}) => {
      const saver = guardCheckpointer(inner, {
        onDecision: (e) => events.push(e),
        sourceType: () => o.sourceType ?? 'memory',
        placeholder: () => '',
      });
      const graph = new StateGraph(MessagesAnnotation)
        .addNode('noop', () => ({}))
        .addEdge(START, 'noop')
        .compile({ checkpointer: saver });
      return graph.invoke({ messages: [new HumanMessage(text)] }, thread(`c${n++}`));
    },
    storedTexts: async () => {
      const texts: string[] = [];
      for (let i = 0; i < n; i++) {
        const tuple = await inner.getTuple(thread(`c${i}`));
        const messages = (tuple?.checkpoint.channel_values.messages ?? []) as HumanMessage[];
        texts.push(...messages.map((m) => m.text).filter((t) => t !== ''));
      }
      return texts;
    },
    decisions: () => events.map((e) => e.decision),
  };
}

describeGuardedStoreConformance('guardCheckpointer(MemorySaver) in a StateGraph', {
  create: () => subject(),
  createFailing: () => subject(true),
  retrieves: false,
});

describe('guardCheckpointer in a real StateGraph (MessagesAnnotation, MemorySaver)', () => {
  it('stores benign turns unchanged and decides each new message once', async () => {
    const { graph, events, inner } = setup();
    await graph.invoke({ messages: [new HumanMessage(T.benign)] }, thread());
    const state = await graph.getState(thread());
    expect(state.values.messages.map((m: AIMessage) => m.text)).toEqual([T.benign, 'Noted.']);
    expect(events.map((e) => [e.boundary, e.decision])).toEqual([
      ['memory_write', 'allow'],
      ['memory_write', 'allow'],
    ]);
    expect(persisted(inner)).toContain(T.benign);
  });

  it('replaces a poisoned message by a placeholder everywhere it would be persisted', async () => {
    const { graph, events, inner } = setup();
    await graph.invoke({ messages: [new HumanMessage(T.attack)] }, thread());
    const [first, reply] = (await graph.getState(thread())).values.messages;
    expect(HumanMessage.isInstance(first)).toBe(true);
    expect(first.text).toMatch(/^\[memgar\] message withheld \(block, /);
    expect(reply.text).toBe('Noted.');
    expect(persisted(inner)).not.toContain('evil.example');
    expect(events.map((e) => e.allowed)).toEqual([false, true]);
  });

  it('guards messages written with graph.updateState too', async () => {
    const { graph, inner } = setup();
    await graph.invoke({ messages: [new HumanMessage(T.benign)] }, thread());
    const toolCalls = [{ name: 'lookup', args: { q: 'invoices' }, id: 'call-7', type: 'tool_call' as const }];
    await graph.updateState(thread(), {
      messages: [new AIMessage({ content: T.attack, tool_calls: toolCalls })],
    });
    const last = (await graph.getState(thread())).values.messages.at(-1);
    expect(AIMessage.isInstance(last)).toBe(true);
    expect(last.text).toMatch(/^\[memgar\] message withheld/);
    expect(last.tool_calls).toEqual(toolCalls); // the placeholder keeps the call, so its tool result still pairs
    expect(persisted(inner)).not.toContain('evil.example');
  });

  it('guards an Overwrite of the messages channel and plain message-likes', async () => {
    const { graph, inner } = setup();
    await graph.invoke({ messages: [{ role: 'user', content: T.attack }] }, thread());
    await graph.updateState(thread(), {
      messages: new Overwrite([new HumanMessage(T.benign), new AIMessage(T.poisonedChunk)]),
    });
    const texts = (await graph.getState(thread())).values.messages.map((m: AIMessage) => m.text);
    expect(texts[0]).toBe(T.benign);
    expect(texts[1]).toMatch(/^\[memgar\] message withheld/);
    expect(persisted(inner)).not.toContain('evil.example');
  });

  it('guards the message channels named in channels', async () => {
    const State = Annotation.Root({
      notes: Annotation<BaseMessage[]>({ reducer: messagesStateReducer, default: () => [] }),
    });
    const inner = new MemorySaver();
    const graph = new StateGraph(State)
      .addNode('note', () => ({ notes: [new AIMessage(T.attack)] }))
      .addEdge(START, 'note')
      .compile({ checkpointer: guardCheckpointer(inner, { channels: ['notes'] }) });
    await graph.invoke({ notes: [new HumanMessage(T.benign)] }, thread());
    const notes = (await graph.getState(thread())).values.notes.map((m: BaseMessage) => m.text);
    expect(notes[0]).toBe(T.benign);
    expect(notes[1]).toMatch(/^\[memgar\] message withheld/);
    expect(persisted(inner)).not.toContain('evil.example');
  });

  it('uses a custom placeholder text', async () => {
    const { graph } = setup({ placeholder: (d) => `withheld: ${d}` });
    await graph.invoke({ messages: [new HumanMessage(T.attack)] }, thread());
    expect((await graph.getState(thread())).values.messages[0].text).toBe('withheld: block');
  });

  it("rejects the run with MemoryRefusedError (onRefused: 'throw') and persists nothing of the message", async () => {
    const { graph, inner } = setup({ onRefused: 'throw' });
    const error = await graph.invoke({ messages: [new HumanMessage(T.attack)] }, thread()).catch((e) => e);
    expect(MemoryRefusedError.isInstance(error)).toBe(true);
    expect(persisted(inner)).not.toContain('evil.example');
  });

  it("with durability: 'sync', stops a refused input before any node runs", async () => {
    const inner = new MemorySaver();
    let runs = 0;
    const graph = new StateGraph(MessagesAnnotation)
      .addNode('agent', () => {
        runs++;
        return { messages: [new AIMessage('Noted.')] };
      })
      .addEdge(START, 'agent')
      .compile({ checkpointer: guardCheckpointer(inner, { onRefused: 'throw' }) });
    await expect(
      graph.invoke({ messages: [new HumanMessage(T.attack)] }, { ...thread(), durability: 'sync' }),
    ).rejects.toMatchObject({ name: 'MemoryRefusedError' });
    expect(runs).toBe(0);
    expect(persisted(inner)).not.toContain('evil.example');
  });

  it('stores the sanitized rewrite of a message', async () => {
    const { graph, inner } = setup({ enforcer: sanitizingEnforcer });
    await graph.invoke({ messages: [new HumanMessage(`Book the 9am flight. ${INJECTED}`)] }, thread());
    expect((await graph.getState(thread())).values.messages[0].text).toBe('Book the 9am flight.');
    expect(persisted(inner)).not.toContain(INJECTED);
  });

  it('does not decide history again: a second turn, even through a new guard, decides only its new messages', async () => {
    const { graph, inner } = setup();
    await graph.invoke({ messages: [new HumanMessage(T.benign)] }, thread());
    const later = setup({}, inner); // a new process resuming the same thread
    await later.graph.invoke({ messages: [new HumanMessage('And a window seat, please.')] }, thread());
    expect(later.events).toHaveLength(2);
    const messages = (await later.graph.getState(thread())).values.messages;
    expect(messages.map((m: AIMessage) => m.text)).toEqual([
      T.benign,
      'Noted.',
      'And a window seat, please.',
      'Noted.',
    ]);
  });

  it('analyzes tool messages as tool output and keeps their tool_call_id in the placeholder', async () => {
    const fetchPage = tool(async () => T.poisonedChunk, {
      name: 'fetch_page',
      description: 'Fetches a page',
      schema: { type: 'object', properties: {} },
    });
    const events: AdapterDecisionEvent[] = [];
    const inner = new MemorySaver();
    const graph = new StateGraph(MessagesAnnotation)
      .addNode('tools', new ToolNode([fetchPage])) // an unguarded ToolNode: the checkpointer still guards memory
      .addEdge(START, 'tools')
      .compile({ checkpointer: guardCheckpointer(inner, { onDecision: (e) => events.push(e) }) });
    const call = new AIMessage({ content: '', tool_calls: [{ name: 'fetch_page', args: {}, id: 'call-1' }] });
    await graph.invoke({ messages: [call] }, thread());
    const stored = (await graph.getState(thread())).values.messages.at(-1);
    expect(ToolMessage.isInstance(stored)).toBe(true);
    expect(stored).toMatchObject({ tool_call_id: 'call-1', name: 'fetch_page' });
    expect(stored.text).toMatch(/^\[memgar\] message withheld/);
    expect(persisted(inner)).not.toContain('dump@evil.example');
    expect(events.at(-1)?.allowed).toBe(false);
  });

  it('surfaces a failing backend as the run error', async () => {
    const { graph } = setup({}, new FailingSaver());
    await expect(graph.invoke({ messages: [new HumanMessage(T.benign)] }, thread())).rejects.toThrow(
      'checkpoint store down',
    );
  });
});
