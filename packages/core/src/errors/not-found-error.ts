import { hasCode, MemgarError, type MemgarErrorOptions } from './memgar-error.js';

/** A named thing does not exist: a snapshot id, a review item, a key. */
export class NotFoundError extends MemgarError {
  /** What was looked up. */
  readonly resource: string;

  constructor(message: string, details: { resource: string }, options: MemgarErrorOptions = {}) {
    super('NOT_FOUND', message, options);
    this.name = 'NotFoundError';
    this.resource = details.resource;
  }

  static override isInstance(value: unknown): value is NotFoundError {
    return hasCode(value, 'NOT_FOUND');
  }
}
