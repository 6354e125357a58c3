import { ContentBlockedError } from '@memgar/core';
import type { MemgarDecisionEvent } from './content-guard.js';

/**
 * Thrown when memgar refuses a message part or the model's output (`onBlocked: 'throw'`, and
 * always to end a guarded stream). A `ContentBlockedError` (`code: 'CONTENT_BLOCKED'`) that also
 * carries the decision event.
 */
export class MemgarBlockedError extends ContentBlockedError {
  /** The decision that blocked. */
  readonly event: MemgarDecisionEvent;

  constructor(event: MemgarDecisionEvent) {
    super(
      `memgar blocked ${event.stage === 'prompt' ? 'request' : 'model output'} at ${event.where}: ${event.reason} (rule ${event.rule})`,
      { decision: event.decision, rule: event.rule },
    );
    this.name = 'MemgarBlockedError';
    this.event = event;
  }
}
