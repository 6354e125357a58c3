// Test helper: the smallest concrete subclass of Mastra's real abstract `MastraMemory`
// (@mastra/memory is not installed here), backed by @mastra/core's real `InMemoryStore`. Like
// @mastra/memory's `Memory`, it converts what it is given to V2 messages with Mastra's
// `MessageList` before storing them.
import { type MastraMessageV2, MessageList } from '@mastra/core/agent';
import { MastraMemory, type MastraMessageV1, type StorageThreadType } from '@mastra/core/memory';
import { InMemoryStore, type StorageGetMessagesArg } from '@mastra/core/storage';

type AnyMessages = (MastraMessageV1 | MastraMessageV2)[];

export class StoreMemory extends MastraMemory {
  constructor(storage = new InMemoryStore()) {
    super({ name: 'store-memory', storage });
  }

  /** Every message stored for `threadId`, read from the storage directly (not through any guard). */
  async stored(threadId: string): Promise<MastraMessageV2[]> {
    // With `last`, the in-memory store of 0.24.9 parses the stored content back (without, it does not).
    return this.storage.getMessages({ threadId, format: 'v2', selectBy: { last: 10_000 } });
  }

  override async getThreadById({ threadId }: { threadId: string }) {
    return this.storage.getThreadById({ threadId });
  }

  override async getThreadsByResourceId({ resourceId }: { resourceId: string }) {
    return this.storage.getThreadsByResourceId({ resourceId });
  }

  override async getThreadsByResourceIdPaginated(args: {
    resourceId: string;
    page: number;
    perPage: number;
  }) {
    return this.storage.getThreadsByResourceIdPaginated(args);
  }

  override async saveThread({ thread }: { thread: StorageThreadType }) {
    return this.storage.saveThread({ thread });
  }

  override async deleteThread(threadId: string) {
    await this.storage.deleteThread({ threadId });
  }

  // biome-ignore lint/suspicious/noExplicitAny: the abstract method is overloaded on `format`
  override async saveMessages(args: { messages: AnyMessages; format?: 'v1' | 'v2' }): Promise<any> {
    const v2 = new MessageList().add(args.messages, 'memory').get.all.v2();
    const saved = await this.storage.saveMessages({ messages: v2, format: 'v2' });
    return args.format === 'v2' ? saved : new MessageList().add(saved, 'memory').get.all.v1();
  }

  override async query({ threadId }: StorageGetMessagesArg) {
    const messagesV2 = await this.stored(threadId);
    const list = new MessageList({ threadId }).add(messagesV2, 'memory');
    return { messages: list.get.all.core(), uiMessages: list.get.all.ui(), messagesV2 };
  }

  override async rememberMessages({ threadId }: { threadId: string }) {
    const messagesV2 = await this.stored(threadId);
    return { messages: new MessageList({ threadId }).add(messagesV2, 'memory').get.all.v1(), messagesV2 };
  }

  override async deleteMessages(messageIds: string[]) {
    await this.storage.deleteMessages(messageIds);
  }

  override async getWorkingMemory() {
    return null;
  }

  override async getWorkingMemoryTemplate() {
    return null;
  }

  override async updateWorkingMemory() {}

  override async __experimental_updateWorkingMemoryVNext() {
    return { success: false, reason: 'working memory is not used in these tests' };
  }
}

/** A memory whose storage is down: every save rejects. */
export class FailingMemory extends StoreMemory {
  override async saveMessages(): Promise<never> {
    throw new Error('memory storage unavailable');
  }
}
