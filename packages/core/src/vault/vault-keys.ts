import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { CryptoUnavailableError, InvalidOptionError } from '../errors/index.js';
import { sha256Hex } from './sha256.js';

/**
 * An Ed25519 key that signs or verifies vault snapshots. With `privateKey` it can sign; without,
 * it only verifies. `keyId` is derived from the public key, so it cannot be claimed by another key.
 */
export interface VaultKey {
  /** The first 32 hex digits of SHA-256 over the public key's SPKI DER encoding. */
  readonly keyId: string;
  /** The Ed25519 public key. */
  readonly publicKey: KeyObject;
  /** The Ed25519 private key, when this side signs. */
  readonly privateKey?: KeyObject;
}

/** A key as PEM text, for files and secret stores. */
export interface ExportedVaultKey {
  /** The key id (see `VaultKey`). */
  keyId: string;
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
  publicKey: string;
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), when the key has its private half. */
  privateKey?: string;
}

/** The key id of an Ed25519 public key. */
export function vaultKeyId(publicKey: KeyObject): string {
  return sha256Hex(publicKey.export({ format: 'der', type: 'spki' })).slice(0, 32);
}

function requireEd25519(key: KeyObject, option: string): void {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new InvalidOptionError(
      option,
      `${option}: must be an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`,
    );
  }
}

/** Generates a new Ed25519 signing key with node:crypto. */
export function generateVaultKeys(): VaultKey {
  let pair: { publicKey: KeyObject; privateKey: KeyObject };
  try {
    pair = generateKeyPairSync('ed25519');
  } catch (error) {
    throw new CryptoUnavailableError('node:crypto cannot generate Ed25519 keys', { cause: error });
  }
  return { keyId: vaultKeyId(pair.publicKey), publicKey: pair.publicKey, privateKey: pair.privateKey };
}

/**
 * Reads a key from PEM (or DER) text: a PKCS#8 private key gives a signing key, an SPKI public key
 * a verify-only key. Anything else, or another algorithm, throws `InvalidOptionError`.
 */
export function importVaultKey(pem: string | Uint8Array): VaultKey {
  const text = typeof pem === 'string' ? pem : Buffer.from(pem).toString('utf8');
  try {
    if (text.includes('PRIVATE KEY')) {
      const privateKey = createPrivateKey(text);
      requireEd25519(privateKey, 'key');
      const publicKey = createPublicKey(privateKey);
      return { keyId: vaultKeyId(publicKey), publicKey, privateKey };
    }
    const publicKey = createPublicKey(text);
    requireEd25519(publicKey, 'key');
    return { keyId: vaultKeyId(publicKey), publicKey };
  } catch (error) {
    if (InvalidOptionError.isInstance(error)) throw error;
    throw new InvalidOptionError('key', 'key: not a PEM Ed25519 private (PKCS#8) or public (SPKI) key', {
      cause: error,
    });
  }
}

/** Options of `exportVaultKey`. */
export interface ExportVaultKeyOptions {
  /** Export the private half too (when the key has it). @default false */
  includePrivate?: boolean;
}

/** The key as PEM text: the public half, and the private half only with `includePrivate`. */
export function exportVaultKey(key: VaultKey, options: ExportVaultKeyOptions = {}): ExportedVaultKey {
  const out: ExportedVaultKey = {
    keyId: key.keyId,
    publicKey: key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  };
  if (options.includePrivate === true && key.privateKey !== undefined) {
    out.privateKey = key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  }
  return out;
}

/** A new random HMAC key for `MemoryLedger` (32 bytes from the system CSPRNG). */
export function generateLedgerKey(): Buffer {
  return randomBytes(32);
}

/** @internal Checks a key passed in options and returns it with a verified key id. */
export function checkVaultKey(key: unknown, option: string, needPrivate: boolean): VaultKey {
  if (typeof key !== 'object' || key === null || !('publicKey' in key)) {
    throw new InvalidOptionError(
      option,
      `${option}: must be a VaultKey (see generateVaultKeys, importVaultKey)`,
    );
  }
  const k = key as VaultKey;
  requireEd25519(k.publicKey, option);
  const keyId = vaultKeyId(k.publicKey);
  if (k.privateKey !== undefined) {
    requireEd25519(k.privateKey, option);
    if (vaultKeyId(createPublicKey(k.privateKey)) !== keyId) {
      throw new InvalidOptionError(option, `${option}: the private key does not match the public key`);
    }
  } else if (needPrivate) {
    throw new InvalidOptionError(option, `${option}: needs the private key to sign`);
  }
  return k.privateKey === undefined
    ? { keyId, publicKey: k.publicKey }
    : { keyId, publicKey: k.publicKey, privateKey: k.privateKey };
}

/** @internal Ed25519 signature (base64) over a domain prefix and a message. */
export function signText(privateKey: KeyObject, domain: string, message: string): string {
  return sign(null, Buffer.from(`${domain}\n${message}`, 'utf8'), privateKey).toString('base64');
}

/** @internal Whether a base64 Ed25519 signature over the domain prefix and message verifies. */
export function verifyText(
  publicKey: KeyObject,
  domain: string,
  message: string,
  signature: string,
): boolean {
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== 64 || sig.toString('base64') !== signature) return false;
  try {
    return verify(null, Buffer.from(`${domain}\n${message}`, 'utf8'), publicKey, sig);
  } catch {
    return false;
  }
}
