import type { Decision } from '@memgar/core';
import * as kit from '@memgar/core/adapter-kit';
import { call, type Mem0Guarded, type Mem0GuardOptions, type Mem0Item, mem0Guard } from './shared.js';

type Config = Record<string, unknown>;

/** The `Memory` methods the guard calls (a mem0ai `Memory` from `mem0ai/oss` has them). */
export interface Mem0MemoryLike {
  add(
    messages: string | { role: string; content: unknown }[],
    config: Config,
  ): Promise<{ results: Mem0Item[] }>;
  search(query: string, config: Config): Promise<{ results: Mem0Item[] }>;
  getAll(config: Config): Promise<{ results: Mem0Item[] }>;
  get(memoryId: string): Promise<Mem0Item | null>;
  update(memoryId: string, config: string | Config): Promise<{ message: string }>;
  delete(memoryId: string): Promise<{ message: string }>;
}

export interface GuardMemoryOptions extends Mem0GuardOptions {
  /**
   * Adds `memgar_decision: { in: filterDecisions }` to the filters of `search` and `getAll`, and
   * makes `get` return null for other memories: only memories written through memgar with one of
   * these decisions come back. @default none (no filter)
   */
  filterDecisions?: readonly Decision[];
  /**
   * With `infer` (mem0's LLM extraction), also decides the memories mem0 extracted, right after
   * `add` returns: refused ones are deleted (and held), sanitized ones updated to the rewrite.
   * @default true
   */
  checkExtracted?: boolean;
}

/** The guarded memory: the same interface, plus its held writes and the unguarded original. */
export type GuardedMemory<M> = Mem0Guarded<M>;

/**
 * Wraps a mem0 OSS `Memory`: `add` decides every message before mem0 (or its LLM) sees it and,
 * with `infer`, the memories mem0 extracted; `update` decides the new text; `search`, `getAll` and
 * `get` filter what comes back. Refused writes are dropped (or raise `MemoryRefusedError`),
 * sanitized ones are written rewritten, quarantined and human-review ones wait in `held`.
 */
export function guardMemory<M extends Mem0MemoryLike>(
  memory: M,
  options: GuardMemoryOptions = {},
): GuardedMemory<M> {
  const g = mem0Guard(options, memory, options.filterDecisions);

  /** The memories mem0's LLM extracted, decided: refused ones deleted, sanitized ones rewritten. */
  async function checkExtracted(results: Mem0Item[], config: Config): Promise<Mem0Item[]> {
    const writes = results.map((r) => {
      const text = r.memory ?? '';
      const record = { kind: 'add' as const, messages: [{ role: 'user', content: text }], config };
      return { text, id: r.id, record };
    });
    const outcomes = await g.decide(writes).catch(async (error: unknown) => {
      for (const r of results) await call('delete', () => memory.delete(r.id)); // 'throw': keep none
      throw error;
    });
    const out: Mem0Item[] = [];
    for (const [i, r] of results.entries()) {
      const o = outcomes[i];
      if (!o?.stored) await call('delete', () => memory.delete(r.id));
      else if (o.text === writes[i]?.text) out.push(r);
      else {
        const metadata = kit.flatMemgarMetadata(o.memgar);
        await call('update', () => memory.update(r.id, { text: o.text, metadata }));
        out.push({ ...r, memory: o.text });
      }
    }
    return out;
  }

  async function add(messages: unknown, config: Config = {}): Promise<{ results: Mem0Item[] }> {
    const { base, stored, request } = await g.decideMessages(messages, config);
    if (stored.length === 0) return { results: [] };
    if (config.infer === false) {
      const results: Mem0Item[] = []; // one memory per message, each with its own decision
      for (const s of stored) results.push(...(await call('add', () => memory.add(...request([s])))).results);
      return { results };
    }
    const res = await call('add', () => memory.add(...request(stored)));
    if (options.checkExtracted === false) return res;
    return { ...res, results: await checkExtracted(res.results, { ...base, infer: false }) };
  }

  /** `update(id, text)` or `update(id, { text, data, metadata })`, the text decided. */
  function update(memoryId: string, config: string | Config) {
    const { data, ...cfg }: Config = typeof config === 'string' ? { text: config } : config;
    return g.update(memoryId, { ...cfg, text: cfg.text ?? data });
  }

  return g.wrap({ add, update });
}
