import { InvalidInputError } from '@memgar/core';
import { type HeldWrites, withOverrides } from '@memgar/core/adapter-kit';
import {
  call,
  decidedMetadata,
  type HeldMem0Write,
  type Mem0GuardOptions,
  type Mem0Item,
  mem0Guard,
} from './shared.js';

type Options = Record<string, unknown>;

/** The `MemoryClient` methods the guard calls (the mem0 platform client from `mem0ai` has them). */
export interface Mem0ClientLike {
  add(messages: { role: string; content: unknown }[], options?: Options): Promise<unknown>;
  update(memoryId: string, body: Options): Promise<unknown>;
  search(query: string, options?: Options): Promise<{ results: Mem0Item[] }>;
  getAll(options?: Options): Promise<{ results: Mem0Item[] }>;
  get(memoryId: string): Promise<Mem0Item>;
}

export type GuardMemoryClientOptions = Mem0GuardOptions;

/** The guarded client: the same interface, plus its held writes and the unguarded original. */
export type GuardedMemoryClient<C> = C & { readonly held: HeldWrites<HeldMem0Write>; readonly inner: C };

/**
 * Wraps a mem0 platform `MemoryClient`: `add` and `update` decide every text before it is sent
 * (refused ones are not sent, sanitized ones are sent rewritten, quarantined and human-review ones
 * wait in `held`); `search`, `getAll` and `get` filter the memories the platform returns;
 * `batchUpdate` (unguarded) is refused.
 */
export function guardMemoryClient<C extends Mem0ClientLike>(
  client: C,
  options: GuardMemoryClientOptions = {},
): GuardedMemoryClient<C> {
  const g = mem0Guard(options, client);

  return withOverrides(client, {
    async add(messages: unknown, addOptions: Options = {}) {
      const { base, stored } = await g.decideMessages(messages, addOptions);
      if (stored.length === 0) return []; // nothing is sent
      const config = { ...base, metadata: { ...base.metadata, ...decidedMetadata(stored.map((s) => s.o)) } };
      const sent = stored.map((s) => s.m);
      return call('add', () => client.add(sent, config));
    },
    update: (memoryId: string, body: Options = {}) => g.update(memoryId, body),
    ...g.reads,
    batchUpdate: () =>
      Promise.reject(
        new InvalidInputError('batchUpdate', 'batchUpdate is not guarded by memgar: use update'),
      ),
    held: g.held,
    inner: client,
  }) as GuardedMemoryClient<C>;
}
