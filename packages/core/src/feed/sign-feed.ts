/**
 * Signing a feed (Node-bound: it uses the vault's Ed25519 key handling). The maintainers sign the
 * published feed with the private half of the pinned key; `memgar feed keygen` makes keys for
 * feeds of your own, trusted through `trustedKeys`.
 */
import { checkVaultKey, importVaultKey, signText, type VaultKey } from '../vault/vault-keys.js';
import {
  FEED_FORMAT,
  FEED_SIGNATURE_DOMAIN,
  type FeedDocument,
  feedSigningPayload,
  type UnsignedFeed,
} from './feed-document.js';

/** The content of a feed to sign: `format` and `keyId` are filled in by `signFeed`. */
export type FeedContent = Omit<UnsignedFeed, 'format' | 'keyId'> &
  Partial<Pick<UnsignedFeed, 'format' | 'keyId'>>;

/**
 * Signs a feed with an Ed25519 private key (a `VaultKey` with its private half, or PKCS#8 PEM):
 * sets `format` and `keyId`, then signs the canonical JSON of everything but the signature.
 * Any `signature` already on the input is replaced.
 * @throws InvalidOptionError for a key that cannot sign.
 */
export function signFeed(content: FeedContent | FeedDocument, key: VaultKey | string): FeedDocument {
  const k = typeof key === 'string' ? importVaultKey(key) : key;
  const signer = checkVaultKey(k, 'key', true);
  const { signature: _old, ...rest } = content as FeedDocument;
  const unsigned: UnsignedFeed = { ...rest, format: FEED_FORMAT, keyId: signer.keyId };
  const signature = signText(signer.privateKey!, FEED_SIGNATURE_DOMAIN, feedSigningPayload(unsigned));
  return { ...unsigned, signature };
}
