export type { KeyRotationStatement } from './key-rotation.js';
export {
  GENESIS_HASH,
  type LedgerFailure,
  type LedgerFailureReason,
  type LedgerRecord,
} from './ledger-record.js';
export {
  type LedgerEvent,
  type LedgerHead,
  type LedgerRepairResult,
  type LedgerVerifyOptions,
  type LedgerVerifyResult,
  MemoryLedger,
  type MemoryLedgerOptions,
  MIN_LEDGER_KEY_BYTES,
  type TornTail,
} from './memory-ledger.js';
export {
  type ApplyRollbackOptions,
  type CurrentVerification,
  MemoryVault,
  type MemoryVaultOptions,
  type RollbackPlan,
  type RotateKeyOptions,
  type SnapshotFailureReason,
  type SnapshotSummary,
  type SnapshotVerification,
  type VaultEntry,
  type VaultEntryInput,
} from './memory-vault.js';
export type { JsonValue as VaultJsonValue } from './sha256.js';
export {
  SNAPSHOT_SIGNATURE_DOMAIN,
  type SnapshotManifest,
  type SnapshotManifestEntry,
} from './snapshot-manifest.js';
export {
  type ExportedVaultKey,
  type ExportVaultKeyOptions,
  exportVaultKey,
  generateLedgerKey,
  generateVaultKeys,
  importVaultKey,
  type VaultKey,
  vaultKeyId,
} from './vault-keys.js';
