import { hasCode, MemgarError, type MemgarErrorOptions } from './memgar-error.js';

/** The entry passed to the analyzer is not what it should be (not an object, content not a string…). */
export class InvalidInputError extends MemgarError {
  /** Which field was wrong, e.g. `content`. */
  readonly field: string;

  constructor(field: string, message: string, options: MemgarErrorOptions = {}) {
    super('INVALID_INPUT', message, options);
    this.name = 'InvalidInputError';
    this.field = field;
  }

  static override isInstance(value: unknown): value is InvalidInputError {
    return hasCode(value, 'INVALID_INPUT');
  }
}
