import { hasCode, MemgarError, type MemgarErrorOptions } from './memgar-error.js';

/**
 * A user-supplied pattern cannot be used: it does not parse, or it needs a feature that cannot run
 * in linear time (backreferences, lookaround).
 */
export class InvalidPatternError extends MemgarError {
  /** The pattern's id as given by the user. */
  readonly patternId: string;
  /** The pattern source. */
  readonly pattern: string;

  constructor(patternId: string, pattern: string, message: string, options: MemgarErrorOptions = {}) {
    super('INVALID_PATTERN', message, options);
    this.name = 'InvalidPatternError';
    this.patternId = patternId;
    this.pattern = pattern;
  }

  static override isInstance(value: unknown): value is InvalidPatternError {
    return hasCode(value, 'INVALID_PATTERN');
  }
}
