import { hasCode, MemgarError, type MemgarErrorOptions } from './memgar-error.js';

/** A read or write to a file, database or backend failed (missing file, I/O error, a backend that threw). */
export class StorageError extends MemgarError {
  constructor(message: string, options: MemgarErrorOptions = {}) {
    super('STORAGE_FAILED', message, options);
    this.name = 'StorageError';
  }

  static override isInstance(value: unknown): value is StorageError {
    return hasCode(value, 'STORAGE_FAILED');
  }
}
