import { BaseChatMessageHistory } from '@langchain/core/chat_history';
import { AIMessage, type BaseMessage, HumanMessage } from '@langchain/core/messages';
import type { SourceType } from '@memgar/core';
import * as kit from '@memgar/core/adapter-kit';

/** The parts of a LangChain chat history the guard uses (`BaseChatMessageHistory`, `InMemoryChatMessageHistory`…). */
export interface ChatHistoryLike {
  getMessages(): Promise<BaseMessage[]>;
  addMessage(message: BaseMessage): Promise<void>;
  addMessages?(messages: BaseMessage[]): Promise<void>;
  clear(): Promise<void>;
}

export interface GuardChatHistoryOptions extends kit.AdapterWriteOptions {
  /** The source type a message is analyzed as. @default 'tool' for tool messages, else 'memory' */
  sourceType?: (message: BaseMessage) => SourceType;
}

/** The text of a message: its string content, or its text blocks joined by newlines. */
export function messageText(message: BaseMessage): string {
  const c: unknown = message.content;
  if (typeof c === 'string') return c;
  if (!Array.isArray(c)) return '';
  const text = (b: { type?: unknown; text?: unknown }) =>
    b.type === 'text' && typeof b.text === 'string' && b.text !== '' ? [b.text] : [];
  return c.flatMap(text).join('\n');
}

/** A copy of `message` (same class, id and fields) whose content is `text`. */
function withContent(message: BaseMessage, text: string): BaseMessage {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(message) as object) as BaseMessage, message);
  copy.content = text;
  return copy;
}

const defaultSource = (m: BaseMessage): SourceType => (m.getType() === 'tool' ? 'tool' : 'memory');

export class GuardedChatMessageHistory extends BaseChatMessageHistory {
  lc_namespace = ['memgar', 'chat_history'];
  readonly #inner: ChatHistoryLike;
  readonly #enforcer: kit.EnforcerLike;
  readonly #options: GuardChatHistoryOptions;

  constructor(inner: ChatHistoryLike, options: GuardChatHistoryOptions = {}) {
    super();
    this.#inner = inner;
    this.#options = options;
    this.#enforcer = kit.resolveEnforcer(options);
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
    const sourceOf = this.#options.sourceType ?? defaultSource;
    const texts = messages.map(messageText);
    const items = messages.map((m, i) => ({ text: texts[i]!, sourceType: sourceOf(m), id: m.id }));
    const outcomes = await kit.guardWrites(this.#enforcer, this.#options, items);
    const kept = messages.flatMap((m, i) => {
      const o = outcomes[i]!;
      return !o.stored ? [] : [o.text === texts[i] ? m : withContent(m, o.text)];
    });
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
