import { asStorageFailure } from '../store/memory-backend.js';

/**
 * Runs a call into the wrapped store or SDK: what it returns, or, when it fails with anything but
 * a `MemgarError`, a `StorageError` "`<what>` failed: <message>" with the original as `cause` (a
 * `MemgarError`, e.g. a refusal, passes through unchanged).
 */
export function storageCall<T>(what: string, run: () => T | Promise<T>): Promise<T> {
  return asStorageFailure(what, run);
}
