import { hasCode, MemgarError, type MemgarErrorOptions } from './memgar-error.js';

/** An option is unknown, of the wrong type, or out of range. */
export class InvalidOptionError extends MemgarError {
  /** The option's path, e.g. `thresholds.block`. */
  readonly option: string;

  constructor(option: string, message: string, options: MemgarErrorOptions = {}) {
    super('INVALID_OPTION', message, options);
    this.name = 'InvalidOptionError';
    this.option = option;
  }

  static override isInstance(value: unknown): value is InvalidOptionError {
    return hasCode(value, 'INVALID_OPTION');
  }
}
