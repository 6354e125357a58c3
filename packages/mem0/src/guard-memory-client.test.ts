// The real mem0 platform `MemoryClient` (mem0ai 3.3.1) against a loopback server that answers the
// platform API paths and shapes the client uses (see test-mem0.ts).
import { CONFORMANCE_TEXTS, describeGuardedStoreConformance } from '@memgar/adapter-testkit';
import { INJECTED, sanitizingEnforcer } from '@memgar/adapter-testkit/sanitizing-enforcer';
import { InvalidInputError, type SourceType, StorageError } from '@memgar/core';
import { type AdapterDecisionEvent, MemoryRefusedError } from '@memgar/core/adapter-kit';
import { MemoryClient } from 'mem0ai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guardMemoryClient } from './guard-memory-client.js';
import { type FakePlatform, startPlatform } from './test-mem0.js';

const T = CONFORMANCE_TEXTS;
const TEA = 'User drinks green tea every morning and avoids coffee.';
const platforms: FakePlatform[] = [];

async function platform() {
  const p = await startPlatform();
  platforms.push(p);
  const client = new MemoryClient({ apiKey: 'test-key', host: p.host });
  await (client as unknown as { initialized: Promise<void> }).initialized; // its startup ping
  return { p, client };
}
afterEach(async () => {
  for (const p of platforms.splice(0)) await p.close();
});

let events: AdapterDecisionEvent[];
const onDecision = (e: AdapterDecisionEvent) => events.push(e);
beforeEach(() => {
  events = [];
});

const adds = (p: FakePlatform) => p.requests.filter((r) => r.path === '/v3/memories/add/');

describeGuardedStoreConformance('guardMemoryClient (mem0 platform)', {
  async create() {
    const { p, client } = await platform();
    const decisions: string[] = [];
    const record = (e: AdapterDecisionEvent) => decisions.push(e.decision);
    const guarded = (sourceType: SourceType = 'memory') =>
      guardMemoryClient(client, { sourceType, onDecision: record });
    return {
      write: (text, o) =>
        guarded(o?.sourceType).add([{ role: 'user', content: text }], { userId: 'u1', infer: false }),
      storedTexts: async () => p.memories.map((m) => m.memory),
      decisions: () => decisions,
      async retrieve(query, planted) {
        await client.add(
          planted.map((content) => ({ role: 'user' as const, content })),
          { userId: 'u1', infer: false },
        );
        return (await guarded('rag').search(query, { filters: { user_id: 'u1' } })).results.map(
          (r) => r.memory as string,
        );
      },
    };
  },
  async createFailing() {
    const { p, client } = await platform();
    p.failAdds = 500;
    return {
      write: (text) => guardMemoryClient(client).add([{ role: 'user', content: text }], { userId: 'u1' }),
      storedTexts: async () => p.memories.map((m) => m.memory),
      decisions: () => [],
    };
  },
});

describe('guardMemoryClient', () => {
  it('sends only allowed messages (sanitized ones rewritten), with the decision in metadata', async () => {
    const { p, client } = await platform();
    const g = guardMemoryClient(client, { enforcer: sanitizingEnforcer, onDecision });
    const res = await g.add(
      [
        { role: 'user', content: TEA },
        { role: 'assistant', content: `${T.benign} ${INJECTED}` },
      ],
      { userId: 'u1', metadata: { app: 'travel', memgar_decision: 'forged' } },
    );
    expect(res).toMatchObject({ status: 'PENDING', eventId: expect.any(String) });
    const [sent] = adds(p);
    expect(sent?.body).toMatchObject({
      user_id: 'u1',
      messages: [
        { role: 'user', content: TEA },
        { role: 'assistant', content: T.benign },
      ],
      metadata: { app: 'travel', memgar_decision: 'sanitize', memgar_risk: 40, memgar_rule: 'test:sanitize' },
    });
  });

  it('never sends an attack; a call with nothing left is not sent at all', async () => {
    const { p, client } = await platform();
    const g = guardMemoryClient(client, { onDecision });
    await g.add(
      [
        { role: 'user', content: TEA },
        { role: 'user', content: T.attack },
      ],
      { userId: 'u1' },
    );
    expect(await g.add([{ role: 'user', content: T.attack }], { userId: 'u1' })).toEqual([]);
    expect(adds(p).length).toBe(1);
    expect(JSON.stringify(p.requests)).not.toContain('evil.example');
    expect(events.map((e) => e.decision)).toEqual(['allow', 'block', 'block']);
  });

  it("holds a quarantined message (approval sends it); with onRefused 'throw' sends nothing", async () => {
    const { p, client } = await platform();
    const g = guardMemoryClient(client, { onRefused: 'throw' });
    const call = g.add(
      [
        { role: 'user', content: TEA },
        { role: 'user', content: T.injectedSentence },
      ],
      { userId: 'u1' },
    );
    await expect(call).rejects.toThrow(MemoryRefusedError);
    expect(adds(p).length).toBe(0);
    const [item] = await g.held.queue.list();
    await g.held.approve(item?.id as string, 'ana');
    expect(p.memories.map((m) => [m.memory, m.metadata?.memgar_review])).toEqual([
      [T.injectedSentence, item?.id],
    ]);
  });

  it('filters poisoned memories from search and getAll, keeping getAll in order', async () => {
    const { p, client } = await platform();
    await client.add(
      [T.sanitizableChunk, T.benignChunk, T.poisonedChunk, TEA].map((content) => ({
        role: 'user' as const,
        content,
      })),
      { userId: 'u1', infer: false },
    );
    const g = guardMemoryClient(client, { sourceType: 'rag', onDecision });
    const found = await g.search('refunds', { filters: { user_id: 'u1' } });
    const repaired = T.sanitizableChunk.replace(`${T.injectedSentence} `, '');
    expect(found.results.map((r) => r.memory).sort()).toEqual([repaired, T.benignChunk, TEA].sort());
    expect(found.results.at(-1)).toMatchObject({
      memory: repaired,
      metadata: { memgar: { decision: 'sanitize' } },
    });
    const page = await g.getAll({ filters: { user_id: 'u1' } });
    expect(page).toMatchObject({ count: 4, next: null });
    expect(page.results.map((r) => r.memory)).toEqual([repaired, T.benignChunk, TEA]);
    const poisonedId = p.memories[2]?.id;
    expect(events.filter((e) => e.id === poisonedId).map((e) => e.decision)).toEqual(['block', 'block']);
  });

  it('decides update texts (refused: not sent; held: sent on approval) and guards get', async () => {
    const { p, client } = await platform();
    await client.add([{ role: 'user', content: TEA }], { userId: 'u1', infer: false });
    const id = p.memories[0]?.id as string;
    const g = guardMemoryClient(client, { onDecision });
    expect(await g.update(id, { text: T.attack })).toEqual({
      message: expect.stringMatching(/^memgar refused the update \(block/),
    });
    await g.update(id, { text: T.injectedSentence });
    expect(p.memories[0]?.memory).toBe(TEA);
    expect(p.requests.filter((r) => r.method === 'PUT').length).toBe(0);
    const [item] = await g.held.queue.list();
    await g.held.approve(item?.id as string, 'ana');
    expect(p.memories[0]).toMatchObject({
      memory: T.injectedSentence,
      metadata: { memgar_review: item?.id },
    });
    expect(await g.get(id)).toBeNull(); // read back, it is decided again
    const ok = await g.update(id, {
      text: 'User drinks black tea now.',
      metadata: { memgar_decision: 'forged' },
    });
    expect(ok).toMatchObject({ text: 'User drinks black tea now.', metadata: { memgar_decision: 'allow' } });
    expect(await g.get(id)).toMatchObject({
      memory: 'User drinks black tea now.',
      metadata: { memgar: { decision: 'allow' } },
    });
    await g.update(id, { metadata: { pinned: true } });
    expect(p.requests.at(-1)?.body).toEqual({ metadata: { pinned: true } });
    expect(events.map((e) => [e.boundary, e.decision])).toEqual([
      ['memory_write', 'block'],
      ['memory_write', 'quarantine'],
      ['retrieval', 'quarantine'],
      ['memory_write', 'allow'],
      ['retrieval', 'allow'],
    ]);
  });

  it('surfaces platform errors as StorageError (cause: the SDK error) and bad input as InvalidInputError', async () => {
    const { p, client } = await platform();
    p.failAdds = 500;
    const error = await guardMemoryClient(client)
      .add([{ role: 'user', content: TEA }], { userId: 'u1' })
      .catch((e: unknown) => e);
    expect(StorageError.isInstance(error)).toBe(true);
    expect(((error as StorageError).cause as Error).name).toBe('MemoryError');
    const image = {
      role: 'user',
      content: { type: 'image_url', image_url: { url: 'http://127.0.0.1/a.png' } },
    };
    await expect(guardMemoryClient(client).add([image] as never, { userId: 'u1' })).rejects.toThrow(
      InvalidInputError,
    );
    const batch = guardMemoryClient(client).batchUpdate([{ memoryId: 'm1', text: T.attack }]);
    await expect(batch).rejects.toThrow(/batchUpdate is not guarded/);
  });
});
