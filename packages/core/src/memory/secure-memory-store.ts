import type { Decision } from '../analyzer/types.js';
import type { DlpFinding, DlpPolicy } from '../dlp/index.js';
import { InvalidInputError, InvalidOptionError, MemgarError, StorageError } from '../errors/index.js';
import type { PolicyEngine } from '../policy/index.js';
import type { AnalyzerLike } from '../runtime/analyzer-like.js';
import type { AuditSink } from '../runtime/audit.js';
import { type AuditContentMode, AuditRecorder } from '../runtime/audit-recorder.js';
import { sha256Hex } from '../runtime/content-hash.js';
import {
  MemoryRuntimeEnforcer,
  type MemoryRuntimeEnforcerOptions,
  type MemoryWriteContext,
} from '../runtime/memory-runtime-enforcer.js';
import type { GuardRetrievalOptions, RetrievalChunk, RetrievalVerdict } from '../runtime/retrieval-guard.js';
import { asStorageFailure, type MemoryBackend, toMemoryBackend } from '../store/memory-backend.js';
import { type ReviewItem, ReviewQueue, type ReviewQueueOptions } from './review-queue.js';

/** What `SecureMemoryStore` needs of a ledger (`MemoryLedger` from `@memgar/core/node` fits). */
export interface LedgerLike {
  append(event: {
    type: string;
    entryId: string;
    content?: string;
    contentHash?: string | null;
  }): Promise<unknown>;
}

/** What `SecureMemoryStore` needs of a vault (`MemoryVault` from `@memgar/core/node` fits). */
export interface VaultLike {
  register(entry: {
    id: string;
    content: string;
    source: string;
    metadata?: Record<string, string | number | boolean | null>;
  }): Promise<unknown>;
  remove(id: string): Promise<boolean>;
}

export interface SecureMemoryStoreOptions {
  /**
   * Where allowed memories go: anything `toMemoryBackend` accepts (an object with
   * `write`/`add`/`set`, an array, a Map, a `PersistentMemoryStore`). Never written to otherwise.
   */
  backend: unknown;
  /** @default new Analyzer() */
  analyzer?: AnalyzerLike;
  /** @default new PolicyEngine() */
  policy?: PolicyEngine;
  /** Secrets and PII in allowed text: redacted or blocked per policy. @default none */
  dlp?: DlpPolicy;
  /** Receives an event for every decision, approval, rejection and raw-backend access. @default none */
  audit?: AuditSink;
  /** Raw content in audit events. @default 'never' */
  auditContent?: AuditContentMode;
  /** Every write, hold, block, approval and rejection is appended here first. @default none */
  ledger?: LedgerLike;
  /** Every stored entry is registered here (content hash and provenance) before the backend write. @default none */
  vault?: VaultLike;
  /** The review queue, or options for a new one (e.g. durable `storage`). @default an in-memory queue */
  review?: ReviewQueue | ReviewQueueOptions;
  /** Options of the retrieval guard (`guardRetrieval`). @default the guard's defaults */
  retrieval?: MemoryRuntimeEnforcerOptions['retrieval'];
  /** New entry and review ids. @default crypto.randomUUID */
  idFactory?: () => string;
}

/** Where a memory comes from, and how to store it. */
export interface SecureWriteContext extends MemoryWriteContext {
  /** The entry id. @default a new id from `idFactory` */
  id?: string;
  /** Stored with the entry, under the caller's keys; memgar adds its own under `memgar`. @default none */
  metadata?: Record<string, unknown>;
}

/** The outcome of `write` (and of `approve`). */
export interface SecureWriteResult {
  /** The entry is in the backend (decision allow or sanitize, or approved). */
  allowed: boolean;
  decision: Decision;
  /** The stored entry's id, when stored. */
  entryId?: string;
  /** The review item's id, when the write was held (quarantine, human review). */
  reviewId?: string;
  /** What was stored: the text, its sanitized rewrite or its redaction. Undefined unless stored. */
  stored?: string;
  reason: string;
  /** The policy rule (or `review:approve`) behind the decision. */
  rule: string;
  riskScore: number;
  /** DLP findings acted on. */
  dlp: DlpFinding[];
  /** Ids of the audit events recorded for it. */
  auditIds: string[];
}

/** Options of `unsafeBackend`: who wants raw access and why (both recorded). */
export interface UnsafeBackendOptions {
  reason: string;
  principal: string;
}

function defaultId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (typeof c?.randomUUID !== 'function') {
    throw new InvalidOptionError('idFactory', 'no crypto.randomUUID in this runtime: pass idFactory');
  }
  return c.randomUUID();
}

/**
 * The one write path to an agent's memory. `write` runs analyze → policy → DLP (through a
 * `MemoryRuntimeEnforcer`), records the audit event, then for an allowed write appends to the
 * ledger, registers in the vault and writes the backend, in that order, so that what the backend
 * holds is always in the vault and the ledger. A held write (quarantine, human review) goes to
 * the review queue and never to the backend; approving it writes it through with the reviewer
 * recorded. The backend is not reachable through the store except by `unsafeBackend`, which is
 * audited.
 */
export class SecureMemoryStore {
  /** Held writes. */
  readonly review: ReviewQueue;
  readonly #backend: MemoryBackend;
  readonly #raw: unknown;
  readonly #enforcer: MemoryRuntimeEnforcer;
  readonly #audit: AuditRecorder;
  readonly #ledger: LedgerLike | undefined;
  readonly #vault: VaultLike | undefined;
  readonly #newId: () => string;

  constructor(options: SecureMemoryStoreOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionError('options', 'SecureMemoryStore needs an options object with a backend');
    }
    const known = new Set([
      'backend',
      'analyzer',
      'policy',
      'dlp',
      'audit',
      'auditContent',
      'ledger',
      'vault',
      'review',
      'retrieval',
      'idFactory',
    ]);
    for (const k of Object.keys(options)) {
      if (!known.has(k)) throw new InvalidOptionError(k, `unknown SecureMemoryStore option "${k}"`);
    }
    this.#backend = toMemoryBackend(options.backend);
    this.#raw = options.backend;
    if (options.ledger !== undefined && typeof options.ledger.append !== 'function') {
      throw new InvalidOptionError('ledger', 'ledger must have append(event)');
    }
    if (
      options.vault !== undefined &&
      (typeof options.vault.register !== 'function' || typeof options.vault.remove !== 'function')
    ) {
      throw new InvalidOptionError('vault', 'vault must have register(entry) and remove(id)');
    }
    this.#ledger = options.ledger;
    this.#vault = options.vault;
    this.#newId = options.idFactory ?? defaultId;
    this.review = options.review instanceof ReviewQueue ? options.review : new ReviewQueue(options.review);
    this.#enforcer = new MemoryRuntimeEnforcer({
      ...(options.analyzer !== undefined ? { analyzer: options.analyzer } : {}),
      ...(options.policy !== undefined ? { policy: options.policy } : {}),
      ...(options.dlp !== undefined ? { dlp: options.dlp } : {}),
      ...(options.audit !== undefined ? { audit: options.audit } : {}),
      ...(options.retrieval !== undefined ? { retrieval: options.retrieval } : {}),
      auditAllowed: true,
      auditContent: options.auditContent ?? 'never',
    });
    this.#audit = new AuditRecorder({
      sink: options.audit,
      recordAllowed: true,
      content: options.auditContent ?? 'never',
      onError: undefined,
    });
  }

  /**
   * Writes `content` to memory if the analyzer, the policy and DLP let it through. Resolves once
   * the ledger, the vault and the backend hold it (allowed), the review queue holds it (held), or
   * the ledger recorded the refusal (blocked). A failing ledger, vault or backend rejects with a
   * `StorageError` and leaves no entry behind in the stores after it.
   */
  async write(content: string, ctx: SecureWriteContext = {}): Promise<SecureWriteResult> {
    if (typeof content !== 'string') {
      throw new InvalidInputError('content', `write expects a string, got ${typeof content}`);
    }
    if (typeof ctx !== 'object' || ctx === null) throw new InvalidInputError('ctx', 'ctx must be an object');
    if (ctx.id !== undefined && (typeof ctx.id !== 'string' || ctx.id === '')) {
      throw new InvalidInputError('id', 'id must be a non-empty string');
    }
    const { id, metadata, ...writeCtx } = ctx;
    const v = await this.#enforcer.onMemoryWrite(content, writeCtx);
    const base = {
      decision: v.decision,
      reason: v.reason,
      rule: v.rule,
      riskScore: v.riskScore,
      dlp: v.dlp,
      auditIds: v.auditIds,
    };
    const sourceType = writeCtx.sourceType ?? 'memory';
    if (v.allowed && v.safeContent !== undefined) {
      const entryId = id ?? this.#newId();
      await this.#commit(entryId, v.safeContent, 'write', {
        provenance: {
          sourceType,
          decision: v.decision,
          riskScore: v.riskScore,
          ...(writeCtx.sourceId !== undefined ? { sourceId: writeCtx.sourceId } : {}),
          ...(writeCtx.agentId !== undefined ? { agentId: writeCtx.agentId } : {}),
          ...(writeCtx.tenantId !== undefined ? { tenantId: writeCtx.tenantId } : {}),
        },
        source: writeCtx.sourceId ?? sourceType,
        metadata,
      });
      return { ...base, allowed: true, entryId, stored: v.safeContent };
    }
    if (v.decision === 'quarantine' || v.decision === 'human_review') {
      const reviewId = id ?? this.#newId();
      const item: ReviewItem = {
        id: reviewId,
        content,
        ...(v.analysis?.sanitized !== undefined ? { sanitized: v.analysis.sanitized } : {}),
        decision: v.decision,
        reason: v.reason,
        rule: v.rule,
        ruleIds: v.findings.map((f) => f.ruleId),
        riskScore: v.riskScore,
        context: {
          sourceType,
          ...(writeCtx.sourceId !== undefined ? { sourceId: writeCtx.sourceId } : {}),
          ...(writeCtx.agentId !== undefined ? { agentId: writeCtx.agentId } : {}),
          ...(writeCtx.tenantId !== undefined ? { tenantId: writeCtx.tenantId } : {}),
          ...(metadata !== undefined ? { metadata } : {}),
        },
        queuedAt: new Date().toISOString(),
        status: 'pending',
      };
      await this.#append({ type: 'held', entryId: reviewId, contentHash: sha256Hex(content) });
      await asStorageFailure('review queue', () => this.review.add(item));
      return { ...base, allowed: false, reviewId };
    }
    await this.#append({ type: 'blocked', entryId: id ?? this.#newId(), contentHash: sha256Hex(content) });
    return { ...base, allowed: false };
  }

  /** Guards retrieved chunks before they enter context (see `RetrievalGuard.guard`). */
  guardRetrieval(
    chunks: readonly (RetrievalChunk | string)[],
    options: GuardRetrievalOptions = {},
  ): Promise<RetrievalVerdict> {
    return this.#enforcer.onRetrieval(chunks, options);
  }

  /**
   * Approves a held write: it is written through (ledger, vault, backend) with the reviewer
   * recorded. `useSanitized` stores the analyzer's rewrite instead of the original, when there
   * is one. Throws `NotFoundError` for an unknown id, `InvalidInputError` for one decided already.
   */
  async approve(
    reviewId: string,
    options: { reviewer: string; note?: string; useSanitized?: boolean },
  ): Promise<SecureWriteResult> {
    const reviewer = principalOf(options?.reviewer, 'reviewer');
    const item = await this.review.pendingItem(reviewId);
    const text =
      options.useSanitized === true && item.sanitized !== undefined ? item.sanitized : item.content;
    await this.#commit(item.id, text, 'approved', {
      provenance: {
        sourceType: item.context.sourceType,
        decision: 'allow',
        riskScore: item.riskScore,
        reviewer,
        heldAs: item.decision,
        ...(item.context.sourceId !== undefined ? { sourceId: item.context.sourceId } : {}),
        ...(item.context.agentId !== undefined ? { agentId: item.context.agentId } : {}),
        ...(item.context.tenantId !== undefined ? { tenantId: item.context.tenantId } : {}),
      },
      source: item.context.sourceId ?? item.context.sourceType,
      metadata: item.context.metadata,
    });
    await this.review.settle(item.id, {
      status: 'approved',
      reviewer,
      ...(options.note !== undefined ? { note: options.note } : {}),
    });
    const auditId = this.#audit.record(
      {
        boundary: 'memory_write',
        decision: 'allow',
        allowed: true,
        reason: `approved by ${reviewer} (held as ${item.decision}: ${item.reason})`,
        rule: 'review:approve',
        ruleIds: item.ruleIds,
        riskScore: item.riskScore,
        principal: reviewer,
        ...auditSource(item.context),
      },
      text,
    );
    return {
      allowed: true,
      decision: 'allow',
      entryId: item.id,
      stored: text,
      reason: `approved by ${reviewer}`,
      rule: 'review:approve',
      riskScore: item.riskScore,
      dlp: [],
      auditIds: auditId === undefined ? [] : [auditId],
    };
  }

  /** Rejects a held write: it is never stored; the rejection is in the ledger and the audit log. */
  async reject(reviewId: string, options: { reviewer: string; reason?: string }): Promise<ReviewItem> {
    const reviewer = principalOf(options?.reviewer, 'reviewer');
    const item = await this.review.pendingItem(reviewId);
    await this.#append({ type: 'rejected', entryId: item.id, contentHash: sha256Hex(item.content) });
    const settled = await this.review.settle(item.id, {
      status: 'rejected',
      reviewer,
      ...(options.reason !== undefined ? { note: options.reason } : {}),
    });
    this.#audit.record(
      {
        boundary: 'memory_write',
        decision: item.decision,
        allowed: false,
        reason: `rejected by ${reviewer}${options.reason !== undefined ? `: ${options.reason}` : ''}`,
        rule: 'review:reject',
        ruleIds: item.ruleIds,
        riskScore: item.riskScore,
        principal: reviewer,
        ...auditSource(item.context),
      },
      item.content,
    );
    return settled;
  }

  /**
   * The backend itself, bypassing analysis: for migrations and repairs. Every call is recorded
   * in the audit log (and the ledger) with who asked and why; both are required.
   */
  async unsafeBackend(options: UnsafeBackendOptions): Promise<unknown> {
    const principal = principalOf(options?.principal, 'principal');
    const reason = typeof options.reason === 'string' ? options.reason.trim() : '';
    if (reason === '') throw new InvalidOptionError('reason', 'unsafeBackend needs a reason');
    await this.#append({ type: 'unsafe_backend', entryId: `principal:${principal}`, contentHash: null });
    this.#audit.record(
      {
        boundary: 'memory_write',
        decision: 'allow',
        allowed: true,
        reason: `raw backend access by ${principal}: ${reason}`,
        rule: 'store:unsafe-backend',
        ruleIds: [],
        principal,
      },
      reason,
    );
    return this.#raw;
  }

  /** Ledger → vault → backend. A failure after the ledger append is compensated, then surfaced. */
  async #commit(
    entryId: string,
    text: string,
    type: 'write' | 'approved',
    e: {
      provenance: Record<string, string | number | boolean | null>;
      source: string;
      metadata: Record<string, unknown> | undefined;
    },
  ): Promise<void> {
    await this.#append({ type, entryId, content: text });
    let registered = false;
    try {
      if (this.#vault !== undefined) {
        await this.#vault.register({ id: entryId, content: text, source: e.source, metadata: e.provenance });
        registered = true;
      }
      await this.#backend.write({
        id: entryId,
        content: text,
        metadata: { ...e.metadata, memgar: e.provenance },
      });
    } catch (error) {
      if (registered) await this.#vault?.remove(entryId).catch(() => false);
      await this.#append({ type: 'write_failed', entryId, contentHash: null }).catch(() => undefined);
      throw MemgarError.isInstance(error)
        ? error
        : new StorageError(`writing memory entry "${entryId}" failed: ${messageOf(error)}`, { cause: error });
    }
  }

  async #append(event: { type: string; entryId: string; content?: string; contentHash?: string | null }) {
    if (this.#ledger === undefined) return;
    const ledger = this.#ledger;
    await asStorageFailure('ledger', () => ledger.append(event));
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function principalOf(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidOptionError(field, `${field} must be a non-empty string (it is recorded)`);
  }
  return value.trim();
}

function auditSource(c: ReviewItem['context']) {
  return {
    sourceType: c.sourceType,
    ...(c.sourceId !== undefined ? { sourceId: c.sourceId } : {}),
    ...(c.agentId !== undefined ? { agentId: c.agentId } : {}),
    ...(c.tenantId !== undefined ? { tenantId: c.tenantId } : {}),
  };
}
