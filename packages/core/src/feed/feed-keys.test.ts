import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../errors/index.js';
import { exportVaultKey, importVaultKey, signText, vaultKeyId } from '../vault/vault-keys.js';
import { importFeedKey, PINNED_FEED_KEYS, verifyFeedSignature } from './feed-keys.js';
import { testKey } from './fixtures/feed-fixtures.js';

describe('feed keys', () => {
  it('pins one Ed25519 public key whose id is its vaultKeyId', () => {
    expect(PINNED_FEED_KEYS).toHaveLength(1);
    const pinned = PINNED_FEED_KEYS[0]!;
    expect(pinned.publicKey).toContain('BEGIN PUBLIC KEY');
    expect(pinned.publicKey).not.toContain('PRIVATE');
    expect(vaultKeyId(importVaultKey(pinned.publicKey).publicKey)).toBe(pinned.keyId);
    expect(importFeedKey(pinned.publicKey).keyId).toBe(pinned.keyId);
  });

  it('derives the same key id as the vault and verifies what signText signs', () => {
    const { key, publicPem } = testKey();
    const fk = importFeedKey({ publicKey: publicPem, keyId: key.keyId });
    expect(fk.keyId).toBe(key.keyId);
    const sig = signText(key.privateKey!, 'memgar-feed/1', 'hello');
    expect(verifyFeedSignature(fk, 'memgar-feed/1', 'hello', sig)).toBe(true);
    expect(verifyFeedSignature(fk, 'memgar-feed/1', 'hellO', sig)).toBe(false);
    // Another domain (a vault snapshot signature) does not verify as a feed signature.
    expect(verifyFeedSignature(fk, 'memgar-snapshot/1', 'hello', sig)).toBe(false);
    expect(verifyFeedSignature(fk, 'memgar-feed/1', 'hello', 'not base64!')).toBe(false);
  });

  it('refuses RSA keys, non-keys, private keys posing as public ones and a wrong key id', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ format: 'pem', type: 'spki' })
      .toString();
    expect(() => importFeedKey(rsa)).toThrow(/Ed25519/);
    expect(() => importFeedKey('not a key')).toThrow(InvalidOptionError);
    const { key, publicPem } = testKey();
    expect(() => importFeedKey({ publicKey: publicPem, keyId: '0'.repeat(32) })).toThrow(/not the id/);
    const priv = exportVaultKey(key, { includePrivate: true }).privateKey!;
    // A private PEM yields its public half; the id is the same.
    expect(importFeedKey(priv).keyId).toBe(key.keyId);
    expect(() => importFeedKey(42 as unknown as string)).toThrow(InvalidOptionError);
  });
});
