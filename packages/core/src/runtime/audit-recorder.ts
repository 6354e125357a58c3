import { ALLOWED_DECISIONS } from './allowed.js';
import type { AuditEvent, AuditSink } from './audit.js';
import { sha256Hex } from './content-hash.js';

/** How much raw content audit events carry. */
export type AuditContentMode = 'never' | 'allowed' | 'always';

/** The fields of an event its producer fills in; the recorder adds id, time, hash and content. */
export type AuditInput = Omit<
  AuditEvent,
  'id' | 'timestamp' | 'allowed' | 'contentHash' | 'contentLength' | 'content'
> & {
  allowed?: boolean;
};

export interface AuditRecorderOptions {
  sink: AuditSink | undefined;
  recordAllowed: boolean;
  content: AuditContentMode;
  onError: ((error: unknown, event: AuditEvent) => void) | undefined;
}

let counter = 0;

function eventId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (typeof c?.randomUUID === 'function') return c.randomUUID();
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `evt-${Date.now().toString(36)}-${counter.toString(36)}`;
}

/**
 * @internal Builds audit events and hands them to the sink. A sink that throws or rejects is
 * reported to `onError` and otherwise ignored: audit never breaks a decision.
 */
export class AuditRecorder {
  readonly #o: AuditRecorderOptions;

  constructor(options: AuditRecorderOptions) {
    this.#o = options;
  }

  get enabled(): boolean {
    return this.#o.sink !== undefined;
  }

  /** Records one event about `content`; returns its id, or undefined when nothing was recorded. */
  record(input: AuditInput, content: string): string | undefined {
    const sink = this.#o.sink;
    if (sink === undefined) return undefined;
    const allowed = input.allowed ?? ALLOWED_DECISIONS.has(input.decision);
    if (allowed && input.decision === 'allow' && !this.#o.recordAllowed) return undefined;
    const event: AuditEvent = {
      id: eventId(),
      timestamp: new Date().toISOString(),
      ...stripUndefined(input),
      allowed,
      contentHash: sha256Hex(content),
      contentLength: content.length,
    };
    if (this.#o.content === 'always' || (this.#o.content === 'allowed' && allowed)) event.content = content;
    Object.freeze(event.ruleIds);
    Object.freeze(event);
    try {
      const p = sink.record(event);
      if (p !== undefined && typeof (p as Promise<void>).then === 'function') {
        (p as Promise<void>).then(undefined, (error: unknown) => this.#fail(error, event));
      }
    } catch (error) {
      this.#fail(error, event);
    }
    return event.id;
  }

  #fail(error: unknown, event: AuditEvent): void {
    try {
      this.#o.onError?.(error, event);
    } catch {
      // An error handler that throws is ignored too.
    }
  }
}

function stripUndefined<T extends object>(o: T): T {
  const out = {} as T;
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
