import { describe, expect, it } from 'vitest';
import {
  ContentBlockedError,
  CorruptDataError,
  CryptoUnavailableError,
  IntegrityError,
  InvalidInputError,
  InvalidOptionError,
  InvalidPatternError,
  LockedError,
  MemgarError,
  NotFoundError,
  StorageError,
} from './index.js';

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

describe('storage and integrity errors', () => {
  it('each carries its own code, its details and an isInstance that tells them apart', () => {
    const cases = [
      [new IntegrityError('bad signature', { what: 'snapshot' }), IntegrityError, 'INTEGRITY_FAILED'],
      [new CorruptDataError('bad line', { file: 'm.jsonl', line: 3 }), CorruptDataError, 'CORRUPT_DATA'],
      [new StorageError('disk full'), StorageError, 'STORAGE_FAILED'],
      [new LockedError('held', { resource: '/tmp/x.lock' }), LockedError, 'LOCKED'],
      [new NotFoundError('no snapshot', { resource: 'snap-1' }), NotFoundError, 'NOT_FOUND'],
      [new CryptoUnavailableError('no crypto'), CryptoUnavailableError, 'CRYPTO_UNAVAILABLE'],
      [
        new ContentBlockedError('refused', { decision: 'block', rule: 'r' }),
        ContentBlockedError,
        'CONTENT_BLOCKED',
      ],
    ] as const;
    for (const [err, cls, code] of cases) {
      expect(err.code).toBe(code);
      expect(MemgarError.isInstance(err)).toBe(true);
      expect(cls.isInstance(err)).toBe(true);
      for (const [, other] of cases) if (other !== cls) expect(other.isInstance(err)).toBe(false);
    }
    expect(new CorruptDataError('x', { file: 'a', line: 7 }).line).toBe(7);
    expect(new LockedError('x', { resource: 'r' }).resource).toBe('r');
    expect(new IntegrityError('x', { what: 'ledger' }).what).toBe('ledger');
    expect(new ContentBlockedError('x', { decision: 'quarantine', rule: 'p' })).toMatchObject({
      decision: 'quarantine',
      rule: 'p',
    });
  });
});
