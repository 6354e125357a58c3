import { MemgarError } from '@memgar/core';
import type { MemgarDecisionEvent } from './content-guard.js';

const BRAND = Symbol.for('memgar.vercel-ai.blocked');

/**
 * Thrown (or sent as a stream `error` part) when memgar blocks a prompt part or the model's
 * output. `code` is `CONTENT_BLOCKED`.
 */
export class MemgarBlockedError extends MemgarError {
  readonly [BRAND] = true;
  /** The decision that blocked. */
  readonly event: MemgarDecisionEvent;

  constructor(event: MemgarDecisionEvent) {
    super(
      'CONTENT_BLOCKED',
      `memgar blocked ${event.stage === 'prompt' ? 'prompt' : 'model output'} at ${event.where}: ${event.reason} (rule ${event.rule})`,
    );
    this.name = 'MemgarBlockedError';
    this.event = event;
  }

  static override isInstance(value: unknown): value is MemgarBlockedError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}
