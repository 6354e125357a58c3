import {
  InvalidInputError,
  MemgarError,
  type ReviewQueue,
  type SourceType,
  StorageError,
} from '@memgar/core';
import {
  type AdapterWriteOptions,
  contextIds,
  flatMemgarMetadata,
  guardRetrieved,
  guardWrites,
  HeldWrites,
  MemoryRefusedError,
  resolveEnforcer,
  type WriteOutcome,
} from '@memgar/core/adapter-kit';

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

export interface Mem0GuardOptions extends AdapterWriteOptions {
  /** Source type of added messages and retrieved memories. @default 'memory' */
  sourceType?: SourceType;
  /** Where held (quarantined, human-review) writes wait. @default a new in-memory `ReviewQueue` */
  reviewQueue?: ReviewQueue;
}

type Meta = Record<string, unknown>;

/** A held write: the `add` or `update` call (with its options) that approval makes. */
export type HeldMem0Write =
  | { kind: 'add'; messages: Mem0Message[]; config: Meta }
  | { kind: 'update'; memoryId: string; config: Meta };

const BLOCKED = { boundary: 'retrieval', decision: 'block', allowed: false, riskScore: 0 } as const;

/** The rule reported when a memory is filtered because of how it was written. */
export const UNVERIFIED_RULE = 'memgar:unverified';

/** User metadata without `memgar_*` keys: only memgar writes those. */
export function ownMetadata(meta: unknown): Meta {
  if (typeof meta !== 'object' || meta === null) return {};
  return Object.fromEntries(Object.entries(meta).filter(([k]) => !k.startsWith('memgar_')));
}

/** The flat metadata recorded with memories made from several stored writes: the riskiest. */
export function decidedMetadata(outcomes: readonly WriteOutcome[]): Meta {
  const top = outcomes.reduce((a, b) => (b.memgar.riskScore > a.memgar.riskScore ? b : a)).memgar;
  const sanitized = outcomes.some((o) => o.memgar.decision === 'sanitize');
  return flatMemgarMetadata({ ...top, decision: sanitized ? 'sanitize' : top.decision });
}

/** Runs a mem0 call; what it throws becomes a `StorageError` with the original as `cause`. */
export async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (MemgarError.isInstance(error)) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new StorageError(`mem0 ${what} failed: ${message}`, { cause: error });
  }
}

/** What the guard writes with (both `Memory` and `MemoryClient` have these). */
interface Writer {
  add(messages: Mem0Message[], config: Meta): Promise<unknown>;
  update(memoryId: string, config: Meta): Promise<unknown>;
}

/** What both wrappers share: the held writes, and decisions on writes and retrieved memories. */
export function mem0Guard(options: Mem0GuardOptions, target: Writer) {
  const enforcer = resolveEnforcer(options);
  const sourceType = options.sourceType ?? 'memory';
  const held = new HeldWrites<HeldMem0Write>((w, { riskScore, rule, id }) => {
    const approved = { ...flatMemgarMetadata({ decision: 'allow', riskScore, rule }), memgar_review: id };
    const config = { ...w.config, metadata: { ...ownMetadata(w.config.metadata), ...approved } };
    if (w.kind === 'add') return call('add', () => target.add(w.messages, config));
    return call('update', () => target.update(w.memoryId, config));
  }, options.reviewQueue);

  /** Reports a memory filtered for a reason other than its analysis. */
  function refuse(id: string, reason: string, rule: string): void {
    options.onDecision?.({ ...BLOCKED, reason, rule, id });
  }

  /**
   * Decides writes, queues the held ones (also with `onRefused: 'throw'`), then throws
   * `MemoryRefusedError` for the first refusal in that mode.
   */
  async function decide(
    writes: { text: string; record: HeldMem0Write; id?: string }[],
  ): Promise<WriteOutcome[]> {
    const texts = writes.map((w) => w.text);
    const items = writes.map((w) => ({ text: w.text, sourceType, ...(w.id !== undefined && { id: w.id }) }));
    const outcomes = await guardWrites(enforcer, { ...options, onRefused: 'drop' }, items);
    const records = writes.map((w) => w.record);
    await held.hold(outcomes, texts, records, { sourceType, ...contextIds(options) });
    const i = outcomes.findIndex((o) => !o.stored);
    const r = outcomes[i];
    if (options.onRefused === 'throw' && r !== undefined) {
      throw new MemoryRefusedError(r.memgar.decision, r.memgar.rule, r.reason, writes[i]?.id);
    }
    return outcomes;
  }

  /** Decides each message (a string is one user message); returns the stored ones, rewritten. */
  async function decideMessages(messages: unknown, config: Meta) {
    const list: unknown = typeof messages === 'string' ? [{ role: 'user', content: messages }] : messages;
    const text = (m: Partial<Mem0Message>) => typeof m?.role === 'string' && typeof m.content === 'string';
    if (!Array.isArray(list) || list.length === 0 || !list.every(text)) {
      throw new InvalidInputError('messages', 'expected a string or a non-empty array of text messages');
    }
    const msgs = list as Mem0Message[];
    const record = (m: Mem0Message) => ({ kind: 'add' as const, messages: [m], config });
    const outcomes = await decide(msgs.map((m) => ({ text: m.content, record: record(m) })));
    return outcomes.flatMap((o, i) =>
      o.stored ? [{ o, m: { ...msgs[i], content: o.text } as Mem0Message }] : [],
    );
  }

  /** `update` with its text decided; a metadata-only update is sent with `memgar_*` keys removed. */
  async function update(memoryId: string, body: Meta) {
    const { text, ...rest } = body;
    const own = ownMetadata(rest.metadata);
    if (text === undefined || text === null) {
      const metaOnly = { ...rest, ...(rest.metadata !== undefined && { metadata: own }) };
      return call('update', () => target.update(memoryId, metaOnly));
    }
    if (typeof text !== 'string')
      throw new InvalidInputError('text', 'memgar analyzes text: expected a string');
    const [o] = await decide([{ text, id: memoryId, record: { kind: 'update', memoryId, config: body } }]);
    if (!o?.stored)
      return { message: `memgar refused the update (${o?.memgar.decision}, ${o?.memgar.rule})` };
    const metadata = { ...own, ...flatMemgarMetadata(o.memgar) };
    return call('update', () => target.update(memoryId, { ...rest, text: o.text, metadata }));
  }

  /**
   * The retrieved memories that may enter the context: text rewritten when sanitized,
   * `metadata.memgar` set to this retrieval's decision; best first (relevance × trust × risk), or
   * in mem0's order with `inOrder`.
   */
  async function retrieved<T extends Mem0Item>(query: string | undefined, items: T[], inOrder = false) {
    const withText = items.filter((item) => {
      const ok = typeof item.memory === 'string' && item.memory !== '';
      if (!ok) refuse(item.id, 'memory has no text to analyze', 'memgar:no-text');
      return ok;
    });
    const input = withText.map((item) => ({
      text: item.memory as string,
      id: item.id,
      ...(typeof item.score === 'number' && { score: item.score }),
    }));
    const kept = await guardRetrieved(enforcer, options, query, input, sourceType);
    if (inOrder) kept.sort((a, b) => a.index - b.index);
    return kept.map((k): T => {
      const item = withText[k.index] as T;
      return { ...item, memory: k.text, metadata: { ...item.metadata, memgar: k.memgar } };
    });
  }

  return { held, refuse, decide, decideMessages, update, retrieved };
}

/** `target` with `overrides` in place of its own members (other methods bound to it). */
export function withOverrides<T extends object>(target: T, overrides: Record<string, unknown>): T {
  return new Proxy(target, {
    get(t, prop) {
      if (typeof prop === 'string' && Object.hasOwn(overrides, prop)) return overrides[prop];
      const v = Reflect.get(t, prop, t);
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}
