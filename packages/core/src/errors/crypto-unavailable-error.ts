import { hasCode, MemgarError, type MemgarErrorOptions } from './memgar-error.js';

/** The runtime has no usable cryptography (no Web Crypto or `node:crypto`); memgar never falls back to an unkeyed check. */
export class CryptoUnavailableError extends MemgarError {
  constructor(message: string, options: MemgarErrorOptions = {}) {
    super('CRYPTO_UNAVAILABLE', message, options);
    this.name = 'CryptoUnavailableError';
  }

  static override isInstance(value: unknown): value is CryptoUnavailableError {
    return hasCode(value, 'CRYPTO_UNAVAILABLE');
  }
}
