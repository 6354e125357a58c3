import {
  type AuditSink,
  type Decision,
  MemgarError,
  MemoryRuntimeEnforcer,
  type SourceType,
} from '@memgar/core';

const REFUSED_BRAND = Symbol.for('memgar.langchain.refused');

/** The enforcer methods the adapters call (a `MemoryRuntimeEnforcer` has them). */
export type EnforcerLike = Pick<MemoryRuntimeEnforcer, 'onMemoryWrite' | 'onRetrieval' | 'onToolResult'>;

/** One decision an adapter made, as reported to `onDecision`. */
export interface MemgarDecisionEvent {
  /** Where the text crossed: a memory write, a retrieved chunk or a tool result. */
  boundary: 'memory_write' | 'retrieval' | 'tool_result';
  decision: Decision;
  allowed: boolean;
  reason: string;
  rule: string;
  riskScore: number;
  /** The message, document or tool-call id, when there is one. */
  id?: string;
}

/** Options shared by every adapter of this package. */
export interface MemgarGuardOptions {
  /** The enforcer deciding every text. @default a new `MemoryRuntimeEnforcer({ audit, auditAllowed: true })` */
  enforcer?: EnforcerLike;
  /** An audit sink for the default enforcer (ignored when `enforcer` is given). @default none */
  audit?: AuditSink;
  /** Called once per decision, in order. @default none */
  onDecision?: (event: MemgarDecisionEvent) => void;
  /** Recorded with every decision. @default none */
  agentId?: string;
  /** Recorded with every decision. @default none */
  tenantId?: string;
}

/** Options of the write-side adapters (chat history, vector store). */
export interface MemgarWriteOptions extends MemgarGuardOptions {
  /** What happens to a refused write: silently dropped, or a `MemoryRefusedError`. @default 'drop' */
  onRefused?: 'drop' | 'throw';
}

export function resolveEnforcer(o: MemgarGuardOptions): EnforcerLike {
  return (
    o.enforcer ?? new MemoryRuntimeEnforcer({ ...(o.audit ? { audit: o.audit } : {}), auditAllowed: true })
  );
}

export function ids(o: MemgarGuardOptions): { agentId?: string; tenantId?: string } {
  return {
    ...(o.agentId !== undefined ? { agentId: o.agentId } : {}),
    ...(o.tenantId !== undefined ? { tenantId: o.tenantId } : {}),
  };
}

export interface WriteCheck {
  text: string;
  sourceType: SourceType;
  id?: string | undefined;
}

/**
 * Decides each write (all before any is stored). Returns the safe text per input, `undefined`
 * for a refused one; throws `MemoryRefusedError` on the first refusal with `onRefused: 'throw'`.
 */
export async function checkWrites(
  enforcer: EnforcerLike,
  o: MemgarWriteOptions,
  items: readonly WriteCheck[],
): Promise<(string | undefined)[]> {
  const out: (string | undefined)[] = [];
  let refusal: MemoryRefusedError | undefined;
  for (const item of items) {
    const v = await enforcer.onMemoryWrite(item.text, { sourceType: item.sourceType, ...ids(o) });
    const { decision, allowed, reason, rule, riskScore } = v;
    o.onDecision?.({
      boundary: 'memory_write',
      decision,
      allowed,
      reason,
      rule,
      riskScore,
      ...idOf(item.id),
    });
    const ok = allowed && v.safeContent !== undefined;
    out.push(ok ? v.safeContent : undefined);
    if (!ok && o.onRefused === 'throw') refusal ??= new MemoryRefusedError(decision, rule, reason);
  }
  if (refusal !== undefined) throw refusal;
  return out;
}

export function idOf(id: string | undefined): { id?: string } {
  return id !== undefined && id !== '' ? { id } : {};
}

/** A write the policy refused (`onRefused: 'throw'`); nothing of the batch was stored. */
export class MemoryRefusedError extends MemgarError {
  readonly [REFUSED_BRAND] = true;
  constructor(
    readonly decision: Decision,
    readonly rule: string,
    reason: string,
  ) {
    super('CONTENT_BLOCKED', `memgar refused the write (${decision}, ${rule}): ${reason}`);
    this.name = 'MemoryRefusedError';
  }

  static override isInstance(value: unknown): value is MemoryRefusedError {
    return typeof value === 'object' && value !== null && REFUSED_BRAND in value;
  }
}
