/**
 * Access to the runtime's Web Crypto (`globalThis.crypto`), typed structurally so the main entry
 * needs neither `node:crypto` nor the DOM library. Read on every call: a runtime (or a test) that
 * removes it is noticed, and memgar never falls back to `Math.random` or an unkeyed check.
 */
import { CryptoUnavailableError } from '../errors/crypto-unavailable-error.js';

/** The part of `SubtleCrypto` memgar uses (HMAC-SHA256). */
export interface SubtleHmac {
  importKey(
    format: 'raw',
    keyData: Uint8Array,
    algorithm: { name: 'HMAC'; hash: 'SHA-256' },
    extractable: false,
    usages: readonly ['sign'],
  ): Promise<unknown>;
  sign(algorithm: 'HMAC', key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
}

interface WebCryptoLike {
  getRandomValues?: unknown;
  subtle?: { importKey?: unknown; sign?: unknown };
}

function webCrypto(): WebCryptoLike | undefined {
  const c = (globalThis as { crypto?: unknown }).crypto;
  return typeof c === 'object' && c !== null ? (c as WebCryptoLike) : undefined;
}

/** Fills `bytes` with cryptographically strong random values. Throws `CryptoUnavailableError` without Web Crypto. */
export function randomBytes(bytes: Uint8Array): Uint8Array {
  const c = webCrypto();
  const fill = c?.getRandomValues;
  if (typeof fill !== 'function') {
    throw new CryptoUnavailableError(
      'globalThis.crypto.getRandomValues is not available: memgar needs Web Crypto for random tokens',
    );
  }
  // Web Crypto fills at most 65 536 bytes per call.
  for (let i = 0; i < bytes.length; i += 65536) {
    fill.call(c, bytes.subarray(i, Math.min(bytes.length, i + 65536)));
  }
  return bytes;
}

/** `globalThis.crypto.subtle` for HMAC. Throws `CryptoUnavailableError` without it. */
export function subtleHmac(): SubtleHmac {
  const subtle = webCrypto()?.subtle;
  if (
    typeof subtle !== 'object' ||
    subtle === null ||
    typeof subtle.importKey !== 'function' ||
    typeof subtle.sign !== 'function'
  ) {
    throw new CryptoUnavailableError(
      'globalThis.crypto.subtle is not available: memgar needs Web Crypto (HMAC-SHA256) and never falls back to an unkeyed check',
    );
  }
  return subtle as unknown as SubtleHmac;
}
