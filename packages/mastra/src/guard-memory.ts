import type { MastraMemory } from '@mastra/core/memory';
import { InvalidInputError, type SourceType } from '@memgar/core';
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
  const { saveMessages: save } = kit.originalMethods<MastraMemory, 'saveMessages'>(memory, ['saveMessages']);
  const held = new kit.HeldWrites<MessageLike>((m) => save({ messages: [m] } as SaveArgs));

  const saveMessages = async (args: SaveArgs) => {
    if (!Array.isArray(args?.messages)) throw new InvalidInputError('messages', 'messages must be an array');
    const messages = args.messages as MessageLike[];
    const parts = messages.map(pieces);
    const groups = parts.map((ps, i) =>
      ps.map((p) => ({ text: pieceText(p), sourceType: source[p.kind], id: messages[i]?.id })),
    );
    // A message is saved when all its parts are; its held verdict queues it whole.
    const out = await kit.guardGroups(enforcer, options, groups, { held, record: (i) => messages[i]! });
    const kept = out.flatMap((o, i) => {
      if (!o.stored) return [];
      const changed = parts[i]!.flatMap((p, k): [number, unknown][] => {
        const text = o.texts[k] as string;
        return text === pieceText(p) ? [] : [[p.at, p.kind === 'tool' ? json(p, text) : text]];
      });
      return [rewrite(messages[i]!, new Map(changed))];
    });
    return kept.length === 0 ? [] : save({ ...args, messages: kept } as SaveArgs);
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
