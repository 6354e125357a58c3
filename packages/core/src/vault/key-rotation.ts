import { createPublicKey, type KeyObject } from 'node:crypto';
import { canonicalJson } from '../integrity/canonical-json.js';
import { signText, type VaultKey, vaultKeyId, verifyText } from './vault-keys.js';

/** Domain prefix of key-rotation signatures. */
export const ROTATION_SIGNATURE_DOMAIN = 'memgar-vault-key-rotation-v1';

/**
 * What the new key signs when it replaces the old one: "snapshots signed by `oldKeyId` (whose public
 * key is this) are still ours". A verifier that trusts the new key thereby trusts the old one.
 */
export interface KeyRotationStatement {
  /** Always `memgar.vault.key-rotation`. */
  format: 'memgar.vault.key-rotation';
  /** Format version. */
  version: 1;
  /** The vault it applies to. */
  vaultId: string;
  /** The replaced key's id. */
  oldKeyId: string;
  /** The old public key, SPKI DER in base64. */
  oldPublicKey: string;
  /** The new key's id (the signer). */
  newKeyId: string;
  /** ISO 8601, UTC. */
  rotatedAt: string;
}

/** A stored rotation: the statement text and the new key's signature over it. */
export interface StoredRotation {
  statement: string;
  signature: string;
}

/** @internal Builds and signs a rotation statement with the new key. */
export function signRotation(vaultId: string, oldKey: VaultKey, newKey: VaultKey): StoredRotation {
  const statement: KeyRotationStatement = {
    format: 'memgar.vault.key-rotation',
    version: 1,
    vaultId,
    oldKeyId: oldKey.keyId,
    oldPublicKey: oldKey.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    newKeyId: newKey.keyId,
    rotatedAt: new Date().toISOString(),
  };
  const text = canonicalJson(statement, 'rotation', { strict: true });
  // checkVaultKey guarantees the private key for a signing key.
  return { statement: text, signature: signText(newKey.privateKey!, ROTATION_SIGNATURE_DOMAIN, text) };
}

function parseStatement(text: string): KeyRotationStatement | undefined {
  try {
    const s = JSON.parse(text) as Partial<KeyRotationStatement>;
    return s.format === 'memgar.vault.key-rotation' &&
      s.version === 1 &&
      typeof s.vaultId === 'string' &&
      typeof s.oldKeyId === 'string' &&
      typeof s.oldPublicKey === 'string' &&
      typeof s.newKeyId === 'string'
      ? (s as KeyRotationStatement)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * @internal The keys a verifier trusts: the anchors it was given, then, repeatedly, every old key
 * that a trusted key vouched for in a rotation statement of this vault with a valid signature.
 * Keys stored in the vault never vouch for themselves: without a trusted anchor nothing is trusted.
 */
export function trustedKeys(
  anchors: readonly VaultKey[],
  rotations: readonly StoredRotation[],
  vaultId: string,
): Map<string, KeyObject> {
  const trusted = new Map<string, KeyObject>();
  for (const a of anchors) trusted.set(a.keyId, a.publicKey);
  const parsed = rotations.flatMap((r) => {
    const s = parseStatement(r.statement);
    return s === undefined || s.vaultId !== vaultId ? [] : [{ s, r }];
  });
  let grew = true;
  while (grew) {
    grew = false;
    for (const { s, r } of parsed) {
      if (trusted.has(s.oldKeyId)) continue;
      const signer = trusted.get(s.newKeyId);
      if (signer === undefined) continue;
      if (!verifyText(signer, ROTATION_SIGNATURE_DOMAIN, r.statement, r.signature)) continue;
      let old: KeyObject;
      try {
        old = createPublicKey({ key: Buffer.from(s.oldPublicKey, 'base64'), format: 'der', type: 'spki' });
      } catch {
        continue;
      }
      if (old.asymmetricKeyType !== 'ed25519' || vaultKeyId(old) !== s.oldKeyId) continue;
      trusted.set(s.oldKeyId, old);
      grew = true;
    }
  }
  return trusted;
}
