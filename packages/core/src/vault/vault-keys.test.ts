import { generateKeyPairSync, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../errors/index.js';
import {
  checkVaultKey,
  exportVaultKey,
  generateLedgerKey,
  generateVaultKeys,
  importVaultKey,
  signText,
  vaultKeyId,
  verifyText,
} from './vault-keys.js';

describe('vault keys', () => {
  it('generates an Ed25519 key whose id is derived from the public key', () => {
    const k = generateVaultKeys();
    expect(k.publicKey.asymmetricKeyType).toBe('ed25519');
    expect(k.privateKey?.asymmetricKeyType).toBe('ed25519');
    expect(k.keyId).toMatch(/^[0-9a-f]{32}$/);
    expect(k.keyId).toBe(vaultKeyId(k.publicKey));
    expect(generateVaultKeys().keyId).not.toBe(k.keyId);
  });

  it('round-trips through PEM: private gives a signing key, public a verify-only key', () => {
    const k = generateVaultKeys();
    const pub = exportVaultKey(k);
    expect(pub.privateKey).toBeUndefined();
    expect(pub.publicKey).toContain('BEGIN PUBLIC KEY');
    const full = exportVaultKey(k, { includePrivate: true });
    expect(full.privateKey).toContain('BEGIN PRIVATE KEY');
    const signer = importVaultKey(full.privateKey!);
    const verifier = importVaultKey(Buffer.from(pub.publicKey));
    expect(signer.keyId).toBe(k.keyId);
    expect(verifier.keyId).toBe(k.keyId);
    expect(verifier.privateKey).toBeUndefined();
    const sig = signText(signer.privateKey!, 'domain', 'message');
    expect(verifyText(verifier.publicKey, 'domain', 'message', sig)).toBe(true);
    expect(verify(null, Buffer.from('domain\nmessage'), k.publicKey, Buffer.from(sig, 'base64'))).toBe(true);
    expect(verifyText(verifier.publicKey, 'other', 'message', sig)).toBe(false);
    expect(verifyText(verifier.publicKey, 'domain', 'message!', sig)).toBe(false);
    expect(verifyText(verifier.publicKey, 'domain', 'message', `${sig}AA`)).toBe(false);
    expect(verifyText(verifier.publicKey, 'domain', 'message', '')).toBe(false);
  });

  it('rejects what is not an Ed25519 key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
    for (const pem of [
      'not a key',
      rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      rsa.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    ]) {
      expect(() => importVaultKey(pem)).toThrow(InvalidOptionError);
    }
    expect(() => checkVaultKey({ keyId: 'x', publicKey: rsa.publicKey }, 'signingKey', false)).toThrow(
      /Ed25519/,
    );
    const a = generateVaultKeys();
    const b = generateVaultKeys();
    expect(() => checkVaultKey({ ...a, privateKey: b.privateKey }, 'signingKey', true)).toThrow(
      /does not match/,
    );
    expect(() => checkVaultKey({ keyId: a.keyId, publicKey: a.publicKey }, 'signingKey', true)).toThrow(
      /private key/,
    );
    expect(() => checkVaultKey('pem text', 'signingKey', false)).toThrow(InvalidOptionError);
    // A claimed key id is ignored: the id is recomputed from the public key.
    expect(checkVaultKey({ ...a, keyId: b.keyId }, 'signingKey', true).keyId).toBe(a.keyId);
  });

  it('generates 32 random bytes for a ledger key', () => {
    const a = generateLedgerKey();
    expect(a).toHaveLength(32);
    expect(a.equals(generateLedgerKey())).toBe(false);
  });
});
