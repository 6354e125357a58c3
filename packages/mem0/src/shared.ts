import { type Decision, InvalidInputError, type SourceType } from '@memgar/core';
import * as kit from '@memgar/core/adapter-kit';

export { UNVERIFIED_RULE } from '@memgar/core/adapter-kit';

/** A chat message with text content: what memgar analyzes and passes on to mem0. */
export interface Mem0Message {
  role: string;
  content: string;
}

/** A memory as mem0 returns it (an OSS `MemoryItem`, a platform `Memory`). */
export interface Mem0Item {
  id: string;
  memory?: string;
  score?: number;
  metadata?: Record<string, unknown> | null;
}

export interface Mem0GuardOptions extends kit.HeldStoreOptions {
  /** Source type of added messages and retrieved memories. @default 'memory' */
  sourceType?: SourceType;
}

type Meta = Record<string, unknown>;
type Decisions = readonly Decision[];

/** A held write: the `add` or `update` call (with its options) that approval makes. */
export type HeldMem0Write =
  | { kind: 'add'; messages: Mem0Message[]; config: Meta }
  | { kind: 'update'; memoryId: string; config: Meta };

/** A guarded mem0 object: the same interface, plus its held writes and the unguarded original. */
export type Mem0Guarded<T> = kit.HeldGuarded<T, HeldMem0Write>;

/** The `MemoryClient` methods the guard calls (the mem0 platform client from `mem0ai` has them). */
export interface Mem0ClientLike {
  add(messages: { role: string; content: unknown }[], options?: Meta): Promise<unknown>;
  update(memoryId: string, body: Meta): Promise<unknown>;
  search(query: string, options?: Meta): Promise<{ results: Mem0Item[] }>;
  getAll(options?: Meta): Promise<{ results: Mem0Item[] }>;
  get(memoryId: string): Promise<Mem0Item | null>;
}

/** The flat metadata recorded with memories made from several stored writes: the riskiest. */
function decidedMetadata(outcomes: readonly kit.WriteOutcome[]): Meta {
  const top = outcomes.reduce((a, b) => (b.memgar.riskScore > a.memgar.riskScore ? b : a)).memgar;
  const sanitized = outcomes.some((o) => o.memgar.decision === 'sanitize');
  return kit.flatMemgarMetadata({ ...top, decision: sanitized ? 'sanitize' : top.decision });
}

/** Runs a mem0 call; what it throws becomes a `StorageError` with the original as `cause`. */
export const call = <T>(what: string, fn: () => Promise<T>) => kit.storageCall(`mem0 ${what}`, fn);

/** What both wrappers share: the held writes, and decisions on writes and retrieved memories. */
export function mem0Guard<C extends Mem0ClientLike>(options: Mem0GuardOptions, target: C, only?: Decisions) {
  const enforcer = kit.resolveEnforcer(options);
  const sourceType = options.sourceType ?? 'memory';
  const held = new kit.HeldWrites<HeldMem0Write>((w, { riskScore, rule, id }) => {
    const approved = { ...kit.flatMemgarMetadata({ decision: 'allow', riskScore, rule }), memgar_review: id };
    const config = { ...w.config, metadata: { ...kit.withoutMemgarKeys(w.config.metadata), ...approved } };
    if (w.kind === 'add') return call('add', () => target.add(w.messages, config));
    return call('update', () => target.update(w.memoryId, config));
  }, options.reviewQueue);

  /** Decides writes; queues the held ones (also with `onRefused: 'throw'`, which then throws). */
  function decide(writes: { text: string; record: HeldMem0Write; id?: string }[]) {
    const items = writes.map((w) => ({ text: w.text, sourceType, ...(w.id !== undefined && { id: w.id }) }));
    return kit.guardAndHold(enforcer, options, items, { held, record: (i) => writes[i]!.record });
  }

  /**
   * Decides the messages of an `add` (a string is one user message): `base` (its config without
   * caller `memgar_*` metadata), the stored messages, rewritten, with their outcomes, and
   * `request(some)`: the `add` arguments storing some of them, with their riskiest decision.
   */
  async function decideMessages(messages: unknown, config: Meta) {
    const base = { ...config, metadata: kit.withoutMemgarKeys(config.metadata) };
    const list: unknown = typeof messages === 'string' ? [{ role: 'user', content: messages }] : messages;
    const text = (m: Partial<Mem0Message>) => typeof m?.role === 'string' && typeof m.content === 'string';
    if (!Array.isArray(list) || list.length === 0 || !list.every(text))
      throw new InvalidInputError('messages', 'expected a string or a non-empty array of text messages');
    const msgs = list as Mem0Message[];
    const record = (m: Mem0Message) => ({ kind: 'add' as const, messages: [m], config: base });
    const outcomes = await decide(msgs.map((m) => ({ text: m.content, record: record(m) })));
    const stored = outcomes.flatMap((o, i) => (o.stored ? [{ o, m: { ...msgs[i]!, content: o.text } }] : []));
    const request = (some: typeof stored) => {
      const metadata = { ...base.metadata, ...decidedMetadata(some.map((s) => s.o)) };
      return [some.map((s) => s.m), { ...base, metadata }] as const;
    };
    return { base, stored, request };
  }

  /** `update` with its text decided; a metadata-only update is sent with `memgar_*` keys removed. */
  async function update(memoryId: string, body: Meta) {
    const { text, ...rest } = body;
    const own = kit.withoutMemgarKeys(rest.metadata);
    if (text === undefined || text === null) {
      const metaOnly = { ...rest, ...(rest.metadata !== undefined && { metadata: own }) };
      return call('update', () => target.update(memoryId, metaOnly));
    }
    if (typeof text !== 'string')
      throw new InvalidInputError('text', 'memgar analyzes text: expected a string');
    const [o] = await decide([{ text, id: memoryId, record: { kind: 'update', memoryId, config: body } }]);
    if (!o?.stored)
      return { message: `memgar refused the update (${o?.memgar.decision}, ${o?.memgar.rule})` };
    const metadata = { ...own, ...kit.flatMemgarMetadata(o.memgar) };
    return call('update', () => target.update(memoryId, { ...rest, text: o.text, metadata }));
  }

  /**
   * The retrieved memories that may enter the context: text rewritten when sanitized,
   * `metadata.memgar` set to this retrieval's decision; best first (relevance × trust × risk), or
   * in mem0's order with `inOrder`.
   */
  async function retrieved<T extends Mem0Item>(query: string | undefined, items: T[], inOrder = false) {
    const fields = (item: T) => ({ text: item.memory || undefined, id: item.id, score: item.score });
    const how = { query, sourceType, noTextReason: 'memory has no text to analyze' };
    const kept = await kit.guardRecords(enforcer, options, items, fields, how);
    if (inOrder) kept.sort((a, b) => a.index - b.index);
    return kept.map(
      ({ record: r, text, memgar }): T => ({ ...r, memory: text, metadata: { ...r.metadata, memgar } }),
    );
  }

  /** `config` with the `only` filter on `memgar_decision` added (mem0's filter syntax). */
  const filtered = (config?: Meta) =>
    only === undefined
      ? config
      : { ...config, filters: { ...(config?.filters as Meta), memgar_decision: { in: [...only] } } };

  /** `search`, `getAll` and `get`, their memories guarded (and, with `only`, filtered by decision). */
  const reads = {
    async search(query: string, config?: Meta) {
      const res = await call('search', () => target.search(query, filtered(config)));
      return { ...res, results: await retrieved(query, res.results) };
    },
    async getAll(config?: Meta) {
      const res = await call('getAll', () => target.getAll(filtered(config)));
      return { ...res, results: await retrieved(undefined, res.results, true) };
    },
    async get(memoryId: string) {
      const item = await call('get', () => target.get(memoryId));
      if (item === null || item === undefined) return null;
      const decision = item.metadata?.memgar_decision;
      if (only && !kit.acceptProvenance(options, only, decision, memoryId)) return null;
      return (await retrieved(undefined, [item]))[0] ?? null;
    },
  };

  /** The guarded `target`: `overrides`, the guarded reads, `held` and `inner` (the original). */
  const wrap = (overrides: Meta) =>
    kit.withOverrides(target, { ...overrides, ...reads, held, inner: target }) as Mem0Guarded<C>;

  return { decide, decideMessages, update, wrap };
}
