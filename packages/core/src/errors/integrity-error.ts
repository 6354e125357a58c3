import { hasCode, MemgarError, type MemgarErrorOptions } from './memgar-error.js';

/** A signature, HMAC or hash does not verify: a tampered snapshot, ledger record or message chain, or a wrong key. */
export class IntegrityError extends MemgarError {
  /** What failed to verify, e.g. `snapshot`, `ledger`, `conversation`. */
  readonly what: string;

  constructor(message: string, details: { what: string }, options: MemgarErrorOptions = {}) {
    super('INTEGRITY_FAILED', message, options);
    this.name = 'IntegrityError';
    this.what = details.what;
  }

  static override isInstance(value: unknown): value is IntegrityError {
    return hasCode(value, 'INTEGRITY_FAILED');
  }
}
