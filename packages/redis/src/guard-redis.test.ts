// Without a server: input validation, and a real node-redis client whose server is unreachable.
import { CONFORMANCE_TEXTS } from '@memgar/adapter-testkit';
import { InvalidInputError, InvalidOptionError, StorageError } from '@memgar/core';
import { type AdapterDecisionEvent, MemoryRefusedError } from '@memgar/core/adapter-kit';
import { commandOptions, createClient } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { guardRedis } from './guard-redis.js';
import { freePort } from './test-redis-server.js';

const T = CONFORMANCE_TEXTS;

/** A real node-redis client pointed at a closed port: its connect failed, every command rejects. */
async function unreachableClient() {
  const client = createClient({
    url: `redis://127.0.0.1:${await freePort()}`,
    socket: { reconnectStrategy: false },
  });
  const errors: Error[] = [];
  client.on('error', (e: Error) => errors.push(e));
  await expect(client.connect()).rejects.toThrow(/ECONNREFUSED/);
  return { client, errors };
}

let events: AdapterDecisionEvent[] = [];
afterEach(() => {
  events = [];
});
const onDecision = (e: AdapterDecisionEvent) => events.push(e);

describe('guardRedis without a server', () => {
  it('rejects values it cannot analyze with InvalidInputError, before any decision', async () => {
    const { client } = await unreachableClient();
    const g = guardRedis(client, { onDecision });
    await expect(g.lPush('mem', [Buffer.from('binary') as unknown as string])).rejects.toThrow(
      InvalidInputError,
    );
    await expect(g.hSet('mem', { note: { nested: true } } as never)).rejects.toThrow(InvalidInputError);
    await expect(g.hSet('mem', ['a', 'b', 'c'])).rejects.toThrow(/a value for every field/);
    await expect(g.lRange(commandOptions({ returnBuffers: true }) as never, 0, -1)).rejects.toThrow(
      /string keys/,
    );
    expect(events).toEqual([]);
  });

  it('validates the concurrency option (InvalidOptionError)', async () => {
    const { client } = await unreachableClient();
    const g = guardRedis(client, { concurrency: 0 });
    await expect(g.rPush('mem', [T.benign])).rejects.toThrow(InvalidOptionError);
  });

  it('refuses list and hash commands it does not guard, under both names', async () => {
    const { client } = await unreachableClient();
    const g = guardRedis(client);
    await expect(g.lSet('mem', 0, T.attack)).rejects.toThrow(InvalidInputError);
    await expect(g.LSET('mem', 0, T.attack)).rejects.toThrow(/lSet is not guarded/);
    await expect(g.hVals('mem')).rejects.toThrow(/hVals is not guarded/);
    await expect(g.lPop('mem')).rejects.toThrow(InvalidInputError);
  });

  it('decides a benign write, then surfaces the unreachable store as StorageError with the cause', async () => {
    const { client } = await unreachableClient();
    const g = guardRedis(client, { onDecision });
    const error = await g.rPush('mem', [T.benign]).catch((e: unknown) => e);
    expect(StorageError.isInstance(error)).toBe(true);
    expect((error as StorageError).message).toMatch(/^redis rPush failed: The client is closed/);
    expect(((error as StorageError).cause as Error).message).toBe('The client is closed');
    expect(events.map((e) => [e.boundary, e.decision])).toEqual([['memory_write', 'allow']]);
  });

  it('fails closed on reads: nothing is returned when Redis cannot be read', async () => {
    const { client } = await unreachableClient();
    const g = guardRedis(client, { onDecision, filterDecisions: ['allow'] });
    await expect(g.lRange('mem', 0, -1)).rejects.toThrow(StorageError);
    await expect(g.hGetAll('mem')).rejects.toThrow(/redis hGetAll failed/);
    await expect(g.HGET('mem', 'f')).rejects.toThrow(StorageError);
    expect(events).toEqual([]);
  });

  it('refuses an attack before Redis is touched (MemoryRefusedError, not a StorageError)', async () => {
    const { client } = await unreachableClient();
    const g = guardRedis(client, { onDecision, onRefused: 'throw' });
    const error = await g.hSet('mem', 'note', T.attack).catch((e: unknown) => e);
    expect(MemoryRefusedError.isInstance(error)).toBe(true);
    expect((error as MemoryRefusedError).id).toBe('note');
    expect(events).toEqual([expect.objectContaining({ decision: 'block', allowed: false, id: 'note' })]);
  });

  it('keeps a held write pending when approving it fails on the store', async () => {
    const { client } = await unreachableClient();
    const g = guardRedis(client, { onRefused: 'throw' });
    await expect(g.lPush('mem', [T.injectedSentence])).rejects.toThrow(MemoryRefusedError);
    const [item] = await g.held.queue.list();
    expect(item).toMatchObject({ content: T.injectedSentence, decision: 'quarantine', status: 'pending' });
    await expect(g.held.approve(item?.id as string, 'ana')).rejects.toThrow(StorageError);
    expect(await g.held.queue.pending()).toBe(1);
  });
});
