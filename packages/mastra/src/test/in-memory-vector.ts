// Test helper: the smallest concrete subclass of Mastra's real abstract `MastraVector` (no
// MastraVector implementation ships in @mastra/core 0.24.9 and none is installed here). It keeps
// vectors in memory and answers cosine-similarity queries, so the guard is exercised through the
// class Mastra registers and calls.

import type {
  CreateIndexParams,
  DeleteIndexParams,
  DeleteVectorParams,
  DeleteVectorsParams,
  DescribeIndexParams,
  IndexStats,
  QueryResult,
  QueryVectorParams,
  UpdateVectorParams,
  UpsertVectorParams,
} from '@mastra/core/vector';
import { MastraVector } from '@mastra/core/vector';

export interface Row {
  id: string;
  vector: number[];
  metadata: Record<string, unknown>;
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] ?? 0) * (b[i] ?? 0);
    na += (a[i] ?? 0) ** 2;
    nb += (b[i] ?? 0) ** 2;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export class InMemoryVector extends MastraVector {
  readonly indexes = new Map<string, { dimension: number; rows: Map<string, Row> }>();
  /** Every `upsert` and `query` call as the store received it. */
  readonly calls: { method: 'upsert' | 'query'; params: unknown }[] = [];
  #next = 0;

  #index(name: string) {
    const index = this.indexes.get(name);
    if (index === undefined) throw new Error(`index ${name} does not exist`);
    return index;
  }

  async createIndex({ indexName, dimension }: CreateIndexParams): Promise<void> {
    if (!this.indexes.has(indexName)) this.indexes.set(indexName, { dimension, rows: new Map() });
  }

  async upsert(params: UpsertVectorParams): Promise<string[]> {
    this.calls.push({ method: 'upsert', params });
    const index = this.#index(params.indexName);
    if (params.vectors.some((v) => v.length !== index.dimension)) throw new Error('dimension mismatch');
    return params.vectors.map((vector, i) => {
      const id = params.ids?.[i] ?? `v${++this.#next}`;
      index.rows.set(id, { id, vector, metadata: { ...(params.metadata?.[i] ?? {}) } });
      return id;
    });
  }

  async query(params: QueryVectorParams): Promise<QueryResult[]> {
    this.calls.push({ method: 'query', params });
    const rows = [...this.#index(params.indexName).rows.values()];
    return rows
      .map((r) => ({ id: r.id, score: cosine(r.vector, params.queryVector), metadata: { ...r.metadata } }))
      .sort((a, b) => b.score - a.score)
      .slice(0, params.topK ?? 10);
  }

  async listIndexes(): Promise<string[]> {
    return [...this.indexes.keys()];
  }

  async describeIndex({ indexName }: DescribeIndexParams): Promise<IndexStats> {
    const index = this.#index(indexName);
    return { dimension: index.dimension, count: index.rows.size, metric: 'cosine' };
  }

  async deleteIndex({ indexName }: DeleteIndexParams): Promise<void> {
    this.indexes.delete(indexName);
  }

  async updateVector(params: UpdateVectorParams): Promise<void> {
    const row = params.id === undefined ? undefined : this.#index(params.indexName).rows.get(params.id);
    if (row === undefined) throw new Error('not found');
    if (params.update.vector) row.vector = params.update.vector;
    if (params.update.metadata) row.metadata = params.update.metadata;
  }

  async deleteVector({ indexName, id }: DeleteVectorParams): Promise<void> {
    this.#index(indexName).rows.delete(id);
  }

  async deleteVectors({ indexName, ids }: DeleteVectorsParams): Promise<void> {
    for (const id of ids ?? []) this.#index(indexName).rows.delete(id);
  }
}

/** A store whose index is down: every upsert rejects. */
export class FailingVector extends InMemoryVector {
  override async upsert(): Promise<string[]> {
    throw new Error('vector index unavailable');
  }
}
