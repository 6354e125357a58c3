/**
 * Feed verification keys: the public key pinned in the package, plus any trusted by configuration
 * (rotation). Keys are SPKI PEM text; their id is the one `vaultKeyId` gives (the first 32 hex
 * digits of SHA-256 over the SPKI DER), so the same key works for `memgar feed sign` and here.
 */
import { CryptoUnavailableError, InvalidOptionError } from '../errors/index.js';
import { nodeBuiltin } from './node-runtime.js';

/** A public key that may sign feeds. */
export interface FeedKey {
  /** The key id; computed from the key (a claimed id that does not match is refused). */
  keyId: string;
  /** The Ed25519 public key as SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
  publicKey: string;
}

/**
 * The memgar maintainers' feed key, pinned in the package. Its private half is held by the
 * maintainers only and is not in the repository.
 */
export const PINNED_FEED_KEYS: readonly FeedKey[] = Object.freeze([
  Object.freeze({
    keyId: '67042528c9ae8b4889f74942323e1856',
    publicKey:
      '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAcU0s/3U3ICgFb96rOHsZBdAqJA4UAzaoE4j1kUe8QQc=\n-----END PUBLIC KEY-----\n',
  }),
]);

function crypto() {
  const c = nodeBuiltin('node:crypto');
  if (c === undefined) {
    throw new CryptoUnavailableError(
      'Ed25519 feed verification needs node:crypto (process.getBuiltinModule); this runtime has none',
    );
  }
  return c;
}

/**
 * Reads a trusted feed key: SPKI PEM text, or `{ publicKey, keyId? }` (a `VaultKey` exported with
 * `exportVaultKey` fits). @throws InvalidOptionError for anything but an Ed25519 public key, or a
 * `keyId` that is not the key's.
 */
export function importFeedKey(
  key: string | { publicKey: string; keyId?: string },
  option = 'trustedKeys',
): FeedKey {
  const pem = typeof key === 'string' ? key : key?.publicKey;
  if (typeof pem !== 'string') {
    throw new InvalidOptionError(option, `${option}: a key must be SPKI PEM text or { publicKey: PEM }`);
  }
  const c = crypto();
  let der: Buffer;
  try {
    const k = c.createPublicKey(pem);
    if (k.asymmetricKeyType !== 'ed25519') {
      throw new InvalidOptionError(option, `${option}: must be an Ed25519 key, got ${k.asymmetricKeyType}`);
    }
    der = k.export({ format: 'der', type: 'spki' });
  } catch (cause) {
    if (InvalidOptionError.isInstance(cause)) throw cause;
    throw new InvalidOptionError(option, `${option}: not a PEM Ed25519 public key`, { cause });
  }
  const keyId = c.createHash('sha256').update(der).digest('hex').slice(0, 32);
  if (typeof key !== 'string' && key.keyId !== undefined && key.keyId !== keyId) {
    throw new InvalidOptionError(
      option,
      `${option}: keyId ${key.keyId} is not the id of this key (${keyId})`,
    );
  }
  return { keyId, publicKey: pem };
}

/**
 * Whether `signature` (base64) is a valid Ed25519 signature of `<domain>\n<message>` by the key,
 * the convention of the vault's `signText`. @throws CryptoUnavailableError without node:crypto.
 */
export function verifyFeedSignature(
  key: FeedKey,
  domain: string,
  message: string,
  signature: string,
): boolean {
  const c = crypto();
  const sig = Buffer.from(signature, 'base64');
  if (sig.length !== 64 || sig.toString('base64') !== signature) return false;
  try {
    return c.verify(null, Buffer.from(`${domain}\n${message}`, 'utf8'), key.publicKey, sig);
  } catch {
    return false;
  }
}
