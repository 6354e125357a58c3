import { MemgarError } from '@memgar/core';
import { EXIT } from './exit-codes.js';

/** A usage or input error: printed as `error: message`, exits with 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const INPUT_CODES = new Set(['INVALID_INPUT', 'INVALID_OPTION', 'INVALID_PATTERN']);

/** Whether an error is the caller's fault (exit 2) rather than an internal failure (exit 1). */
export function isInputError(error: unknown): boolean {
  if (error instanceof UsageError) return true;
  return MemgarError.isInstance(error) && INPUT_CODES.has(error.code);
}

/** A one-line description of an error, with the memgar error code when there is one. */
export function describeError(error: unknown): string {
  if (error instanceof UsageError) return `error: ${error.message}`;
  if (MemgarError.isInstance(error)) return `error [${error.code}]: ${error.message}`;
  if (error instanceof Error) return `internal error: ${error.message}`;
  return `internal error: ${String(error)}`;
}

/** The exit code for an error that reached the top level. */
export function exitCodeFor(error: unknown): number {
  return isInputError(error) ? EXIT.USAGE : EXIT.FAIL;
}

/** A node system error's code (`ENOENT`, `EACCES`…), if any. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
