import { hasCode, MemgarError, type MemgarErrorOptions } from './memgar-error.js';

/** Stored data cannot be read back: a broken JSON line, a truncated ledger record, an unreadable vault file. */
export class CorruptDataError extends MemgarError {
  /** The file, when there is one. */
  readonly file: string | undefined;
  /** The 1-based line, when the data is line-oriented. */
  readonly line: number | undefined;

  constructor(message: string, details: { file?: string; line?: number }, options: MemgarErrorOptions = {}) {
    super('CORRUPT_DATA', message, options);
    this.name = 'CorruptDataError';
    this.file = details.file;
    this.line = details.line;
  }

  static override isInstance(value: unknown): value is CorruptDataError {
    return hasCode(value, 'CORRUPT_DATA');
  }
}
