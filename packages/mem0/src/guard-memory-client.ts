import { InvalidInputError } from '@memgar/core';
import { call, type Mem0ClientLike, type Mem0Guarded, type Mem0GuardOptions, mem0Guard } from './shared.js';

export type GuardMemoryClientOptions = Mem0GuardOptions;

/** The guarded client: the same interface, plus its held writes and the unguarded original. */
export type GuardedMemoryClient<C> = Mem0Guarded<C>;

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
  return g.wrap({
    async add(messages: unknown, addOptions: Record<string, unknown> = {}) {
      const { stored, request } = await g.decideMessages(messages, addOptions);
      if (stored.length === 0) return []; // nothing is sent
      return call('add', () => client.add(...request(stored)));
    },
    update: (memoryId: string, body: Record<string, unknown> = {}) => g.update(memoryId, body),
    async batchUpdate() {
      throw new InvalidInputError('batchUpdate', 'batchUpdate is not guarded by memgar: use update');
    },
  });
}
