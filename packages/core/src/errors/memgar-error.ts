/** Every error code memgar throws. A closed union: match on it exhaustively. */
export type MemgarErrorCode =
  | 'INVALID_INPUT'
  | 'INVALID_OPTION'
  | 'INVALID_PATTERN'
  | 'LAYER_FAILED'
  | 'INTEGRITY_FAILED'
  | 'CORRUPT_DATA'
  | 'STORAGE_FAILED'
  | 'LOCKED'
  | 'NOT_FOUND'
  | 'CRYPTO_UNAVAILABLE'
  | 'CONTENT_BLOCKED';

const BRAND = Symbol.for('memgar.error');

export interface MemgarErrorOptions {
  cause?: unknown;
}

/**
 * Base class of every error memgar throws. Use `MemgarError.isInstance(e)` rather than
 * `instanceof`: the brand survives two copies of the package in one process.
 */
export class MemgarError extends Error {
  readonly [BRAND] = true;
  readonly code: MemgarErrorCode;

  constructor(code: MemgarErrorCode, message: string, options: MemgarErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'MemgarError';
    this.code = code;
  }

  static isInstance(value: unknown): value is MemgarError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  /** A plain object for logs and JSON output. */
  toJSON(): { name: string; code: MemgarErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message };
  }
}

/** @internal Marks subclasses so `isInstance` can tell them apart across copies. */
export function hasCode(value: unknown, code: MemgarErrorCode): boolean {
  return MemgarError.isInstance(value) && value.code === code;
}
