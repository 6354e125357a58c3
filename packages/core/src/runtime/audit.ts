import type { Decision, SourceType } from '../analyzer/types.js';
import { InvalidOptionError } from '../errors/index.js';
import type { Boundary } from '../policy/index.js';

/**
 * One decision at a memory boundary, as recorded for audit. It carries a SHA-256 of the content
 * and its length, never the content itself unless the enforcer's `auditContent` option says so
 * (and then, by default, never for text that was not allowed).
 */
export interface AuditEvent {
  /** A unique id (a random UUID where the runtime has Web Crypto). */
  id: string;
  /** ISO 8601 time of the decision. */
  timestamp: string;
  boundary: Boundary;
  decision: Decision;
  /** Whether the text (or its safe rewrite) was let through. */
  allowed: boolean;
  /** One line: why. */
  reason: string;
  /** The policy or guard rule that made the decision, e.g. `safety-floor:critical`, `retrieval:near-duplicate`. */
  rule: string;
  /** Ids of the analyzer findings, retrieval signals and DLP types behind the decision. */
  ruleIds: string[];
  /** The analyzer's risk score (0..100), when the text was analyzed. */
  riskScore?: number;
  sourceType?: SourceType;
  sourceId?: string;
  agentId?: string;
  tenantId?: string;
  /** Who acted, for events a person caused: a review decision, raw backend access (`SecureMemoryStore`). */
  principal?: string;
  /** For `tool_result` events. */
  toolName?: string;
  /** For `retrieval` events: the chunk's position in the input. */
  chunkIndex?: number;
  /** For `retrieval` events: the chunk's id, when it has one. */
  chunkId?: string;
  /** For `tool_result` events on structured output: the JSON path of the field, e.g. `$.results[2].body`. */
  path?: string;
  /** For `retrieval` events: SHA-256 of the query. */
  queryHash?: string;
  /** SHA-256 (hex) of the content's UTF-8 bytes. */
  contentHash: string;
  /** Length of the content in UTF-16 code units. */
  contentLength: number;
  /** The raw content; absent unless the enforcer's `auditContent` option asks for it. */
  content?: string;
}

/** Where audit events go. `record` may be async; a sink that throws or rejects never breaks a decision. */
export interface AuditSink {
  record(event: AuditEvent): void | Promise<void>;
}

export interface InMemoryAuditSinkOptions {
  /** Events kept; the oldest are overwritten. @default 1000 */
  capacity?: number;
}

/** Which events `InMemoryAuditSink.events()` returns. */
export interface AuditEventFilter {
  /** @default every boundary */
  boundary?: Boundary;
  /** @default every decision */
  decision?: Decision;
  /** Only events that were (or were not) allowed. @default both */
  allowed?: boolean;
}

/**
 * A bounded in-memory audit log: a ring buffer of the last `capacity` events, O(1) per record.
 * For tests, development, and as a buffer in front of a slower sink.
 */
export class InMemoryAuditSink implements AuditSink {
  readonly #capacity: number;
  readonly #buffer: (AuditEvent | undefined)[];
  #next = 0;
  #size = 0;
  #dropped = 0;

  constructor(options: InMemoryAuditSinkOptions = {}) {
    const capacity = options.capacity ?? 1000;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new InvalidOptionError('capacity', `capacity must be an integer ≥ 1, got ${String(capacity)}`);
    }
    this.#capacity = capacity;
    this.#buffer = new Array<AuditEvent | undefined>(capacity);
  }

  record(event: AuditEvent): void {
    if (this.#size === this.#capacity) this.#dropped++;
    else this.#size++;
    this.#buffer[this.#next] = event;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  /** The events kept, oldest first, optionally filtered. */
  events(filter: AuditEventFilter = {}): AuditEvent[] {
    const out: AuditEvent[] = [];
    const start = (this.#next - this.#size + this.#capacity) % this.#capacity;
    for (let i = 0; i < this.#size; i++) {
      const e = this.#buffer[(start + i) % this.#capacity]!;
      if (filter.boundary !== undefined && e.boundary !== filter.boundary) continue;
      if (filter.decision !== undefined && e.decision !== filter.decision) continue;
      if (filter.allowed !== undefined && e.allowed !== filter.allowed) continue;
      out.push(e);
    }
    return out;
  }

  /** Events currently kept. */
  get size(): number {
    return this.#size;
  }

  /** Events overwritten because the buffer was full. */
  get dropped(): number {
    return this.#dropped;
  }

  clear(): void {
    this.#buffer.fill(undefined);
    this.#next = 0;
    this.#size = 0;
  }
}
