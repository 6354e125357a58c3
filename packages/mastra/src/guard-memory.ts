import type { MastraMemory } from '@mastra/core/memory';
import { DECISION_RANK, InvalidInputError, type SourceType } from '@memgar/core';
import * as kit from '@memgar/core/adapter-kit';
import { type MessageLike, type Piece, pieces, pieceText, rewrite } from './message-parts.js';

export interface GuardMemoryOptions extends kit.AdapterWriteOptions {
  /** Source type of message text (tool results are always `tool`). @default 'memory' */
  sourceType?: SourceType;
}

export type GuardedMemory<M extends MastraMemory> = M & {
  /** Messages held for review (a quarantined or human-review part); `held.approve` saves them. */
  readonly held: kit.HeldWrites<MessageLike>;
};

type SaveArgs = Parameters<MastraMemory['saveMessages']>[0];
const originals = new WeakMap<MastraMemory, MastraMemory['saveMessages']>();
const ALLOW = { stored: true, memgar: { decision: 'allow' } } as kit.WriteOutcome; // nothing to decide

/**
 * Guards a `MastraMemory` in place (the Agent, `addMessage` and your code all save through it):
 * `saveMessages` decides every text part and tool result of every message before any is saved.
 * A message is saved when all its parts are allowed (sanitized ones rewritten); one refused part
 * refuses the message: dropped (reported), `MemoryRefusedError`, or held for review. Guarding
 * again replaces the guard.
 */
export function guardMemory<M extends MastraMemory>(memory: M, options: GuardMemoryOptions = {}) {
  const enforcer = kit.resolveEnforcer(options);
  const source = { text: options.sourceType ?? 'memory', tool: 'tool' } as const;
  const save = originals.get(memory) ?? memory.saveMessages.bind(memory);
  originals.set(memory, save);
  const held = new kit.HeldWrites<MessageLike>((m) => save({ messages: [m] } as SaveArgs));

  const saveMessages = async (args: SaveArgs) => {
    if (!Array.isArray(args?.messages)) throw new InvalidInputError('messages', 'messages must be an array');
    const messages = args.messages as MessageLike[];
    const all = messages.flatMap((m, i) => pieces(m).map((p) => ({ i, p, id: m.id })));
    const items = all.map(({ p, id }) => ({ text: pieceText(p), sourceType: source[p.kind], id }));
    const outcomes = await kit.guardWrites(enforcer, options, items);
    // Per message: its worst refusal, else the rewrites of its sanitized parts.
    const worst = messages.map(() => ALLOW);
    const values = messages.map(() => new Map<number, unknown>());
    for (const [k, o] of outcomes.entries()) {
      const { i, p } = all[k]!;
      const w = worst[i]!;
      const rank = DECISION_RANK[o.memgar.decision] > DECISION_RANK[w.memgar.decision];
      if (!o.stored && (w.stored || rank)) worst[i] = o;
      else if (o.stored && o.text !== pieceText(p))
        values[i]!.set(p.at, p.kind === 'tool' ? json(p, o.text) : o.text);
    }
    const kept = messages.flatMap((m, i) => (worst[i]!.stored ? [rewrite(m, values[i]!)] : []));
    const saved = kept.length === 0 ? [] : await save({ ...args, messages: kept } as SaveArgs);
    const texts = messages.map((m) => pieces(m).map(pieceText).join('\n'));
    await held.hold(worst, texts, messages, { sourceType: source.text, ...kit.contextIds(options) });
    return saved;
  };
  return Object.assign(memory, { saveMessages, held }) as GuardedMemory<M>;
}

/** A sanitized tool result in the shape it had: parsed back when it was JSON (and still parses). */
function json(p: Piece, text: string): unknown {
  try {
    return typeof p.value === 'string' ? text : JSON.parse(text);
  } catch {
    return text;
  }
}
