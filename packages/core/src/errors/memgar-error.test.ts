import { describe, expect, it } from 'vitest';
import { InvalidInputError, InvalidOptionError, InvalidPatternError, MemgarError } from './index.js';

describe('MemgarError', () => {
  it('carries a code, a cause and a brand that survives duplicate installs', () => {
    const cause = new Error('root');
    const err = new InvalidInputError('content', 'content must be a string', { cause });
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.field).toBe('content');
    expect(err.cause).toBe(cause);
    expect(MemgarError.isInstance(err)).toBe(true);
    expect(InvalidInputError.isInstance(err)).toBe(true);
    expect(InvalidOptionError.isInstance(err)).toBe(false);
    // A structurally identical object from another copy of the package carries the same global brand.
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('memgar.error')]: true,
      code: 'INVALID_PATTERN',
    });
    expect(MemgarError.isInstance(foreign)).toBe(true);
    expect(InvalidPatternError.isInstance(foreign)).toBe(true);
    expect(MemgarError.isInstance(new Error('plain'))).toBe(false);
    expect(MemgarError.isInstance(null)).toBe(false);
    expect(err.toJSON()).toEqual({
      name: 'InvalidInputError',
      code: 'INVALID_INPUT',
      message: 'content must be a string',
    });
  });
});
