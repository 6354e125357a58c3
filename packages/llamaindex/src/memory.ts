import type { MessageContent } from '@llamaindex/core/llms';
import { extractText } from '@llamaindex/core/utils';
import type { SourceType } from '@memgar/core';
import * as kit from '@memgar/core/adapter-kit';

/** What the guard calls on a memory (`Memory` from `createMemory()` has it). */
export interface MemoryLike {
  add(message: unknown): Promise<void>;
}

export interface GuardMemoryOptions extends kit.HeldStoreOptions {
  /** The source type a message is analyzed as. @default 'tool' for tool results, else 'memory' */
  sourceType?: (message: unknown) => SourceType;
}

/** The guarded memory: the same object and type, plus its held messages and the unguarded original. */
export type GuardedMemory<M> = M & { readonly held: kit.HeldWrites<unknown>; readonly inner: M };

type Shape = { content?: unknown; parts?: unknown; options?: { toolResult?: unknown } } | null;
const isContent = (c: unknown): c is MessageContent => typeof c === 'string' || Array.isArray(c);

/**
 * The text of a message: a `ChatMessage`'s content (its text parts), a Vercel UI message's text
 * parts, or, for any other shape, its JSON (so nothing is stored unanalyzed).
 */
export function messageText(message: unknown): string {
  const m = message as Shape;
  const parts: unknown[] = Array.isArray(m?.parts) ? m.parts : [];
  const texts = parts.map((p) => (p as { text?: unknown })?.text).filter((t) => typeof t === 'string');
  if (texts.length > 0) return texts.join('\n');
  return isContent(m?.content) ? extractText(m.content) : (JSON.stringify(message) ?? String(message));
}

/** A copy of `message` holding `text`, or undefined when its shape has no text to replace. */
function rewritten(message: unknown, text: string): unknown {
  const m = message as Shape;
  if (!isContent(m?.content)) return undefined;
  return { ...m, content: text, ...(Array.isArray(m?.parts) ? { parts: [{ type: 'text', text }] } : {}) };
}

const defaultSource = (message: unknown): SourceType =>
  (message as Shape)?.options?.toolResult !== undefined ? 'tool' : 'memory';

/**
 * Wraps a LlamaIndex `Memory` (what chat engines and agents take) so that every `add` is decided
 * before the message is stored: refused messages are dropped (reported) or raise
 * `MemoryRefusedError`, quarantined and human-review ones wait in `held`, sanitized ones are
 * stored rewritten (a sanitized message of a shape without text content is refused). The result
 * is the same memory behind a proxy, so `instanceof Memory` holds.
 */
export function guardMemory<M extends MemoryLike>(memory: M, options: GuardMemoryOptions = {}) {
  const enforcer = kit.resolveEnforcer(options);
  const held = new kit.HeldWrites<unknown>((message) => memory.add(message), options.reviewQueue);
  const add = async (message: unknown): Promise<void> => {
    const text = messageText(message);
    const sourceType = (options.sourceType ?? defaultSource)(message);
    const hold = { held, record: () => message, holdOnThrow: false };
    const o = (await kit.guardAndHold(enforcer, options, [{ text, sourceType }], hold))[0]!;
    const safe = !o.stored ? undefined : o.text === text ? message : rewritten(message, o.text);
    if (safe !== undefined) return memory.add(safe);
    if (o.stored && options.onRefused === 'throw') {
      throw new kit.MemoryRefusedError(o.memgar.decision, o.memgar.rule, 'no text content to rewrite');
    }
  };
  return kit.withOverrides(memory, { add, held, inner: memory }) as GuardedMemory<M>;
}
