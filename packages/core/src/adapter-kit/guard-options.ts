import type { Decision } from '../analyzer/types.js';
import type { AuditSink } from '../runtime/audit.js';
import { MemoryRuntimeEnforcer } from '../runtime/memory-runtime-enforcer.js';

/** The enforcer methods adapters call (a `MemoryRuntimeEnforcer` has them). */
export type EnforcerLike = Pick<MemoryRuntimeEnforcer, 'onMemoryWrite' | 'onRetrieval' | 'onToolResult'>;

/** Where a text crossed into the agent when an adapter decided it. */
export type AdapterBoundary = 'memory_write' | 'retrieval' | 'tool_result';

/** One decision an adapter made, as reported to `onDecision`. */
export interface AdapterDecisionEvent {
  boundary: AdapterBoundary;
  decision: Decision;
  /** The text (or its rewrite) was used: the decision is allow or sanitize. */
  allowed: boolean;
  reason: string;
  rule: string;
  riskScore: number;
  /** The record, document, message or tool-call id, when there is one. */
  id?: string;
}

/** Options every adapter takes. */
export interface AdapterGuardOptions {
  /** The enforcer deciding every text. @default a new `MemoryRuntimeEnforcer({ audit, auditAllowed: true })` */
  enforcer?: EnforcerLike;
  /** An audit sink for the default enforcer (ignored when `enforcer` is given). @default none */
  audit?: AuditSink;
  /** Called once per decision, in order. Errors it throws are not caught. @default none */
  onDecision?: (event: AdapterDecisionEvent) => void;
  /** Recorded with every decision. @default none */
  agentId?: string;
  /** Recorded with every decision. @default none */
  tenantId?: string;
}

/** Options of adapters that write (stores, histories, memories). */
export interface AdapterWriteOptions extends AdapterGuardOptions {
  /** What happens to a refused write: dropped (reported), or a `MemoryRefusedError`. @default 'drop' */
  onRefused?: 'drop' | 'throw';
  /** Writes analyzed at once in a bulk call. @default 8 */
  concurrency?: number;
}

/** The enforcer of `options`, or a new default one (auditing allowed decisions too). */
export function resolveEnforcer(options: AdapterGuardOptions): EnforcerLike {
  return (
    options.enforcer ??
    new MemoryRuntimeEnforcer({ ...(options.audit ? { audit: options.audit } : {}), auditAllowed: true })
  );
}

/** `{ agentId, tenantId }` of `options`, without undefined keys (for enforcer contexts). */
export function contextIds(options: AdapterGuardOptions): { agentId?: string; tenantId?: string } {
  return {
    ...(options.agentId !== undefined ? { agentId: options.agentId } : {}),
    ...(options.tenantId !== undefined ? { tenantId: options.tenantId } : {}),
  };
}

/** `{ id }` when `id` is a non-empty string or a number, else `{}`. */
export function idField(id: unknown): { id?: string } {
  if (typeof id === 'number' && Number.isFinite(id)) return { id: String(id) };
  return typeof id === 'string' && id !== '' ? { id } : {};
}
