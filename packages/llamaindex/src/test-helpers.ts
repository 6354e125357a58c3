// Test helpers built on LlamaIndex's own extension points: an embedding model (BaseEmbedding),
// an LLM that records what it was sent (MockLLM, shipped by @llamaindex/core for tests), and a
// SimpleVectorStore that also keeps its nodes' text (as Pinecone, Qdrant… do: storesText true).

import { BaseEmbedding } from '@llamaindex/core/embeddings';
import type { ChatMessage } from '@llamaindex/core/llms';
import { MockLLM } from '@llamaindex/core/llms/mock';
import type { BaseNode } from '@llamaindex/core/schema';
import { extractText } from '@llamaindex/core/utils';
import type { VectorStoreQuery, VectorStoreQueryResult } from '@llamaindex/core/vector-store';
import { fakeEmbedding } from '@memgar/adapter-testkit/fake-openai';
import { SimpleVectorStore } from 'llamaindex';

/** Deterministic bag-of-words vectors (texts sharing words are near). */
export class BagOfWordsEmbedding extends BaseEmbedding {
  // biome-ignore lint/complexity/noUselessConstructor: BaseEmbedding's constructor is protected.
  constructor() {
    super();
  }
  async getTextEmbedding(text: string): Promise<number[]> {
    return fakeEmbedding(text, 64);
  }
}

/** The framework's MockLLM, recording the text of every prompt and chat it receives. */
export class RecordingLLM extends MockLLM {
  readonly prompts: string[] = [];
  constructor() {
    super({ timeBetweenToken: 0, responseMessage: 'Refunds take 30 days.' });
  }
  // biome-ignore lint/suspicious/noExplicitAny: MockLLM's overloads, recorded and passed through.
  override chat(params: any): any {
    this.prompts.push((params.messages as ChatMessage[]).map((m) => extractText(m.content)).join('\n'));
    return super.chat(params);
  }
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  override complete(params: any): any {
    this.prompts.push(extractText(params.prompt));
    return super.complete(params);
  }
}

/** A SimpleVectorStore that returns its nodes with query results (`storesText: true`). */
export class TextKeepingStore extends SimpleVectorStore {
  readonly nodes = new Map<string, BaseNode>();
  constructor() {
    super({ embedModel: new BagOfWordsEmbedding() });
    this.storesText = true;
  }
  override async add(nodes: BaseNode[]): Promise<string[]> {
    const ids = await super.add(nodes);
    for (const n of nodes) this.nodes.set(n.id_, n);
    return ids;
  }
  override async query(query: VectorStoreQuery): Promise<VectorStoreQueryResult> {
    const result = await super.query(query);
    return { ...result, nodes: result.ids.map((id) => this.nodes.get(id) as BaseNode) };
  }
}
