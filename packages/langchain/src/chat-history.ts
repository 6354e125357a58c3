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
  if (!Array.isArray(c)) return typeof c === 'string' ? c : '';
  const texts = c.map((b: { type?: unknown; text?: unknown }) => (b.type === 'text' ? b.text : undefined));
  return texts.filter((t) => typeof t === 'string' && t !== '').join('\n');
}

/** `message` as admitted: itself, or a copy (same class, id and fields) whose content is the rewrite. */
function admitted(message: BaseMessage, w: kit.AdmittedWrite): BaseMessage {
  if (!w.rewritten) return message;
  return Object.assign(Object.create(Object.getPrototypeOf(message) as object), message, { content: w.text });
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
    const items = messages.map((m) => ({ text: messageText(m), sourceType: sourceOf(m), id: m.id }));
    const writes = await kit.admitWrites(this.#enforcer, this.#options, items);
    const kept = writes.map((w) => admitted(messages[w.index]!, w));
    if (kept.length === 0) return;
    if (this.#inner.addMessages !== undefined) await this.#inner.addMessages(kept);
    else for (const m of kept) await this.#inner.addMessage(m);
  }

  clear(): Promise<void> {
    return this.#inner.clear();
  }
}

/** Wraps a chat history so that every added message is decided by memgar before it is stored. */
export function guardChatHistory(history: ChatHistoryLike, options: GuardChatHistoryOptions = {}) {
  return new GuardedChatMessageHistory(history, options);
}
