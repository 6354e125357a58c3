import { hasCode, MemgarError, type MemgarErrorOptions } from './memgar-error.js';

/** Another writer holds the lock on a file or store. */
export class LockedError extends MemgarError {
  /** What is locked, e.g. a file path. */
  readonly resource: string;

  constructor(message: string, details: { resource: string }, options: MemgarErrorOptions = {}) {
    super('LOCKED', message, options);
    this.name = 'LockedError';
    this.resource = details.resource;
  }

  static override isInstance(value: unknown): value is LockedError {
    return hasCode(value, 'LOCKED');
  }
}
