import type { Decision } from '../analyzer/types.js';
import { hasCode, MemgarError, type MemgarErrorOptions } from './memgar-error.js';

/**
 * memgar refused a text at a boundary (a write, a prompt part, a tool result, a model output) and
 * the caller asked for an error rather than a silent drop. Adapters throw it (or a subclass).
 */
export class ContentBlockedError extends MemgarError {
  /** The decision that refused it (`block`, `quarantine` or `human_review`). */
  readonly decision: Decision;
  /** The policy or guard rule behind the decision. */
  readonly rule: string;

  constructor(
    message: string,
    details: { decision: Decision; rule: string },
    options: MemgarErrorOptions = {},
  ) {
    super('CONTENT_BLOCKED', message, options);
    this.name = 'ContentBlockedError';
    this.decision = details.decision;
    this.rule = details.rule;
  }

  static override isInstance(value: unknown): value is ContentBlockedError {
    return hasCode(value, 'CONTENT_BLOCKED');
  }
}
