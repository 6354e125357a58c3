import { BaseChatMessageHistory } from '@langchain/core/chat_history';
import { AIMessage, type BaseMessage, HumanMessage } from '@langchain/core/messages';
import type { SourceType } from '@memgar/core';
import { checkWrites, type EnforcerLike, type MemgarWriteOptions, resolveEnforcer } from './guard.js';

/** The parts of a LangChain chat history the guard uses (`BaseChatMessageHistory`, `InMemoryChatMessageHistory`…). */
export interface ChatHistoryLike {
  getMessages(): Promise<BaseMessage[]>;
  addMessage(message: BaseMessage): Promise<void>;
  addMessages?(messages: BaseMessage[]): Promise<void>;
  clear(): Promise<void>;
}

export interface GuardChatHistoryOptions extends MemgarWriteOptions {
  /** The source type a message is analyzed as. @default 'tool' for tool messages, else 'memory' */
  sourceType?: (message: BaseMessage) => SourceType;
}

/** The text of a message: its string content, or its text blocks joined by newlines. */
export function messageText(message: BaseMessage): string {
  const c: unknown = message.content;
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) return '';
  return c
    .map((b: unknown) => {
      const block = b as { type?: unknown; text?: unknown };
      return block.type === 'text' && typeof block.text === 'string' ? block.text : '';
    })
    .filter((t) => t !== '')
    .join('\n');
}

/** A copy of `message` (same class, id and fields) whose content is `text`. */
function withContent(message: BaseMessage, text: string): BaseMessage {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(message) as object) as BaseMessage, message);
  copy.content = text;
  return copy;
}

export class GuardedChatMessageHistory extends BaseChatMessageHistory {
  lc_namespace = ['memgar', 'chat_history'];
  readonly #inner: ChatHistoryLike;
  readonly #enforcer: EnforcerLike;
  readonly #options: GuardChatHistoryOptions;

  constructor(inner: ChatHistoryLike, options: GuardChatHistoryOptions = {}) {
    super();
    this.#inner = inner;
    this.#options = options;
    this.#enforcer = resolveEnforcer(options);
  }

  getMessages(): Promise<BaseMessage[]> {
    return this.#inner.getMessages();
  }

  addMessage(message: BaseMessage): Promise<void> {
    return this.addMessages([message]);
  }

  addUserMessage(message: string): Promise<void> {
    return this.addMessages([new HumanMessage(message)]);
  }

  addAIMessage(message: string): Promise<void> {
    return this.addMessages([new AIMessage(message)]);
  }

  /** Decides every message first; stores the allowed ones (sanitized ones rewritten) in one call. */
  override async addMessages(messages: BaseMessage[]): Promise<void> {
    const sourceOf =
      this.#options.sourceType ?? ((m: BaseMessage) => (m.getType() === 'tool' ? 'tool' : 'memory'));
    const safe = await checkWrites(
      this.#enforcer,
      this.#options,
      messages.map((m) => ({ text: messageText(m), sourceType: sourceOf(m), id: m.id })),
    );
    const kept: BaseMessage[] = [];
    for (const [i, m] of messages.entries()) {
      const text = safe[i];
      if (text === undefined) continue;
      kept.push(text === messageText(m) ? m : withContent(m, text));
    }
    if (kept.length === 0) return;
    if (this.#inner.addMessages !== undefined) await this.#inner.addMessages(kept);
    else for (const m of kept) await this.#inner.addMessage(m);
  }

  clear(): Promise<void> {
    return this.#inner.clear();
  }
}

/** Wraps a chat history so that every added message is decided by memgar before it is stored. */
export function guardChatHistory(
  history: ChatHistoryLike,
  options: GuardChatHistoryOptions = {},
): GuardedChatMessageHistory {
  return new GuardedChatMessageHistory(history, options);
}
