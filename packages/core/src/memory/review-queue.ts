import type { Decision, SourceType } from '../analyzer/types.js';
import { InvalidInputError, InvalidOptionError, NotFoundError } from '../errors/index.js';
import type { MemoryBackend } from '../store/memory-backend.js';

/** Where a held write came from, as given to `SecureMemoryStore.write`. */
export interface ReviewContext {
  sourceType: SourceType;
  sourceId?: string;
  agentId?: string;
  tenantId?: string;
  /** The caller's metadata for the entry, written through on approval. */
  metadata?: Record<string, unknown>;
}

/** A write held for a person to decide on. */
export interface ReviewItem {
  /** The review id (also the entry id the write gets if approved). */
  id: string;
  /** The text as submitted. */
  content: string;
  /** The sanitized rewrite, when the analyzer offered one. */
  sanitized?: string;
  /** What held it: `quarantine` or `human_review`. */
  decision: Extract<Decision, 'quarantine' | 'human_review'>;
  reason: string;
  /** The policy rule that made the decision. */
  rule: string;
  /** Ids of the findings behind it. */
  ruleIds: string[];
  riskScore: number;
  context: ReviewContext;
  /** ISO time it was queued. */
  queuedAt: string;
  status: 'pending' | 'approved' | 'rejected';
  /** Who decided (set on approve / reject). */
  reviewer?: string;
  /** ISO time of the decision. */
  decidedAt?: string;
  /** The reviewer's note or rejection reason. */
  note?: string;
}

export interface ReviewQueueOptions {
  /**
   * Where items are kept so that they survive a restart (e.g. `toMemoryBackend(persistentStore)`).
   * Needs `list` and `delete` besides `write`. @default in memory only
   */
  storage?: MemoryBackend;
}

/** The prefix of review items' metadata key in `storage`. */
const META_KEY = 'memgarReview';

/**
 * Writes held by `SecureMemoryStore` (quarantine, human review): listed, then approved or
 * rejected by a person. Approving goes through the store (`SecureMemoryStore.approve`), which
 * writes the entry with the reviewer recorded; this queue only keeps the items. Decided items
 * are removed from storage and kept in memory for the process's lifetime.
 */
export class ReviewQueue {
  readonly #items = new Map<string, ReviewItem>();
  readonly #storage: MemoryBackend | undefined;
  #loaded: Promise<void> | undefined;

  constructor(options: ReviewQueueOptions = {}) {
    const storage = options.storage;
    if (storage !== undefined) {
      if (
        typeof storage.write !== 'function' ||
        typeof storage.list !== 'function' ||
        typeof storage.delete !== 'function'
      ) {
        throw new InvalidOptionError(
          'storage',
          'review storage needs write, list and delete (wrap a store with toMemoryBackend)',
        );
      }
    }
    this.#storage = storage;
  }

  /** Items, oldest first; by default only those still pending. */
  async list(filter: { status?: ReviewItem['status'] | 'all' } = {}): Promise<ReviewItem[]> {
    await this.#load();
    const status = filter.status ?? 'pending';
    return [...this.#items.values()].filter((i) => status === 'all' || i.status === status).map(copy);
  }

  /** One item, or undefined. */
  async get(id: string): Promise<ReviewItem | undefined> {
    await this.#load();
    const item = this.#items.get(id);
    return item === undefined ? undefined : copy(item);
  }

  /** Number of pending items. */
  async pending(): Promise<number> {
    await this.#load();
    let n = 0;
    for (const i of this.#items.values()) if (i.status === 'pending') n++;
    return n;
  }

  /** @internal Queues an item (durably when there is storage). */
  async add(item: ReviewItem): Promise<void> {
    await this.#load();
    if (this.#storage !== undefined) {
      const { content, ...rest } = item;
      await this.#storage.write({ id: item.id, content, metadata: { [META_KEY]: rest } });
    }
    this.#items.set(item.id, copy(item));
  }

  /**
   * @internal Marks a pending item decided and drops it from storage. Throws `NotFoundError` for an
   * unknown id and `InvalidInputError` when it was decided already.
   */
  async settle(
    id: string,
    outcome: { status: 'approved' | 'rejected'; reviewer: string; note?: string },
  ): Promise<ReviewItem> {
    const item = await this.pendingItem(id);
    const decided: ReviewItem = {
      ...item,
      status: outcome.status,
      reviewer: outcome.reviewer,
      decidedAt: new Date().toISOString(),
      ...(outcome.note !== undefined ? { note: outcome.note } : {}),
    };
    await this.#storage?.delete?.(id);
    this.#items.set(id, decided);
    return copy(decided);
  }

  /** @internal The pending item `id`, or a typed error. */
  async pendingItem(id: string): Promise<ReviewItem> {
    await this.#load();
    const item = this.#items.get(id);
    if (item === undefined) throw new NotFoundError(`no review item "${id}"`, { resource: id });
    if (item.status !== 'pending') {
      throw new InvalidInputError('id', `review item "${id}" was already ${item.status}`);
    }
    return item;
  }

  #load(): Promise<void> {
    this.#loaded ??= (async () => {
      const storage = this.#storage;
      if (storage?.list === undefined) return;
      for (const e of await storage.list()) {
        const meta = e.metadata?.[META_KEY] as Omit<ReviewItem, 'content'> | undefined;
        if (meta === undefined || typeof meta !== 'object' || meta.id !== e.id) continue;
        this.#items.set(e.id, { ...meta, content: e.content });
      }
    })().catch((error: unknown) => {
      // A storage that failed to list is retried on the next call rather than remembered.
      this.#loaded = undefined;
      throw error;
    });
    return this.#loaded;
  }
}

function copy(item: ReviewItem): ReviewItem {
  return { ...item, ruleIds: [...item.ruleIds], context: { ...item.context } };
}
