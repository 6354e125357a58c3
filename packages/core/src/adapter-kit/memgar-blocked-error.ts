import { ContentBlockedError } from '../errors/content-blocked-error.js';
import type { ContentDecisionEvent } from './content-guard.js';

const BLOCKED_BRAND = Symbol.for('memgar.adapter.blocked');

/**
 * memgar refused a prompt part or a model's output (`onBlocked: 'throw'`, and always to end a
 * guarded stream). A `ContentBlockedError` (`code: 'CONTENT_BLOCKED'`) that carries the decision
 * event; `MemgarBlockedError.isInstance` recognizes it by its own brand (other
 * `ContentBlockedError`s are not), across duplicate installs.
 */
export class MemgarBlockedError extends ContentBlockedError {
  readonly [BLOCKED_BRAND] = true;
  /** The decision that blocked. */
  readonly event: ContentDecisionEvent;

  constructor(event: ContentDecisionEvent) {
    const what = event.stage === 'prompt' ? 'prompt' : 'model output';
    super(
      `memgar blocked the ${what} at ${event.where} (${event.decision}, ${event.rule}): ${event.reason}`,
      {
        decision: event.decision,
        rule: event.rule,
      },
    );
    this.name = 'MemgarBlockedError';
    this.event = event;
  }

  static override isInstance(value: unknown): value is MemgarBlockedError {
    return ContentBlockedError.isInstance(value) && BLOCKED_BRAND in value;
  }
}
