import { canonicalJson } from '../integrity/canonical-json.js';
import { sha256Hex } from './sha256.js';

/** Domain prefix of snapshot signatures: the signed bytes are `prefix + "\n" + manifest`. */
export const SNAPSHOT_SIGNATURE_DOMAIN = 'memgar-vault-snapshot-v1';

/** One entry as a snapshot manifest records it. */
export interface SnapshotManifestEntry {
  /** The entry id. */
  id: string;
  /** Hex SHA-256 of the content. */
  contentHash: string;
  /** Hex SHA-256 binding id, content hash, source and metadata (see `entryHash`). */
  hash: string;
}

/**
 * What a snapshot signs. Stored as its canonical JSON text (keys sorted, no whitespace) next to
 * the Ed25519 signature over `"memgar-vault-snapshot-v1\n" + text`.
 */
export interface SnapshotManifest {
  /** Always `memgar.vault.snapshot`. */
  format: 'memgar.vault.snapshot';
  /** Format version. */
  version: 1;
  /** The vault's random id: a snapshot copied into another vault does not verify there. */
  vaultId: string;
  /** The snapshot id (a UUID). */
  snapshotId: string;
  /** The name given to `takeSnapshot`. */
  name: string;
  /** ISO 8601, UTC. */
  createdAt: string;
  /** Id of the key that signed it. */
  keyId: string;
  /** Signature algorithm. */
  algorithm: 'ed25519';
  /** Number of entries. */
  entryCount: number;
  /** Every entry, sorted by id. */
  entries: SnapshotManifestEntry[];
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * @internal The integrity hash of an entry: SHA-256 over the JSON array
 * `["memgar.vault.entry.v1", id, contentHash, source, metadata]`, with `metadata` as its canonical
 * JSON text or null. Provenance (source and metadata) is inside: changing it changes the hash.
 */
export function entryHash(
  id: string,
  contentHash: string,
  source: string,
  metadataText: string | null,
): string {
  return sha256Hex(JSON.stringify(['memgar.vault.entry.v1', id, contentHash, source, metadataText]));
}

/** @internal The text a manifest is stored and signed as. */
export function manifestText(manifest: SnapshotManifest): string {
  return canonicalJson(manifest, 'manifest', { strict: true });
}

/** @internal Parses a stored manifest; undefined when it is not one. */
export function parseManifest(text: string): SnapshotManifest | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const m = v as Record<string, unknown>;
  const ok =
    m.format === 'memgar.vault.snapshot' &&
    m.version === 1 &&
    typeof m.vaultId === 'string' &&
    typeof m.snapshotId === 'string' &&
    typeof m.name === 'string' &&
    typeof m.createdAt === 'string' &&
    typeof m.keyId === 'string' &&
    m.algorithm === 'ed25519' &&
    typeof m.entryCount === 'number' &&
    Array.isArray(m.entries) &&
    m.entries.length === m.entryCount &&
    m.entries.every(
      (e: unknown) =>
        typeof e === 'object' &&
        e !== null &&
        typeof (e as SnapshotManifestEntry).id === 'string' &&
        HEX64.test(String((e as SnapshotManifestEntry).contentHash)) &&
        HEX64.test(String((e as SnapshotManifestEntry).hash)),
    );
  return ok ? (m as unknown as SnapshotManifest) : undefined;
}
