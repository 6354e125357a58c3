/**
 * `@memgar/core/adapter-kit`: what every framework and store adapter shares (DESIGN §3), so an
 * adapter stays a thin translation between its framework's shapes and the memory boundary.
 */

export { type FailInput, inputFailure, isPlainRecord } from './adapter-input.js';
export { type AdmittedWrite, admitWrites, type WriteEnforcer } from './admit-writes.js';
export {
  type CanaryRegistryLike,
  type ContentDecisionEvent,
  type ContentGuard,
  type ContentGuardNames,
  type ContentGuardOptions,
  type ContentTextCheck,
  type ContextEnforcer,
  createContentGuard,
} from './content-guard.js';
export { checkVector, type EmbedText, embedChecked } from './embed.js';
export { guardAndHold, type HeldOutcome, type HoldOptions } from './guard-and-hold.js';
export { type GroupOutcome, guardGroups } from './guard-groups.js';
export {
  type AdapterBoundary,
  type AdapterDecisionEvent,
  type AdapterGuardOptions,
  type AdapterWriteOptions,
  contextIds,
  type EnforcerLike,
  idField,
  resolveEnforcer,
} from './guard-options.js';
export {
  type GuardRecordsOptions,
  guardRecords,
  type KeptRecord,
  type RecordFields,
} from './guard-records.js';
export { guardRetrieved, type KeptItem, type RetrievedItem } from './guard-retrieved.js';
export { guardRetrievedGroups, type RetrievedGroup } from './guard-retrieved-groups.js';
export { guardToolJson, type ToolResultEnforcer } from './guard-tool-json.js';
export { defaultToolRefusal, guardToolOutput, type ToolOutputOutcome } from './guard-tool-output.js';
export { guardWrites, MemoryRefusedError, type WriteItem, type WriteOutcome } from './guard-writes.js';
export type { HeldGuarded, HeldStoreOptions } from './held-store-options.js';
export { type HeldWriteContext, HeldWrites, isHeldDecision } from './held-writes.js';
export { HoldBack, type HoldBackCheck, type HoldBackChecker } from './hold-back.js';
export { checkConcurrency, mapPool } from './map-pool.js';
export { MemgarBlockedError } from './memgar-blocked-error.js';
export {
  flatMemgarMetadata,
  type MemgarMetadata,
  memgarMetadata,
  withoutMemgarKeys,
} from './memgar-metadata.js';
export { flatMemgarStamp, type MemgarStamp, memgarStamp, storedProvenance } from './memgar-stamp.js';
export { mostSevere } from './most-severe.js';
export { originalMethods } from './original-methods.js';
export {
  acceptProvenance,
  NO_TEXT_RULE,
  reportFiltered,
  UNVERIFIED_RULE,
} from './report-filtered.js';
export type { RetrievalGuardOptions } from './retrieval-guard-options.js';
export {
  buildSqlInsert,
  isSqlWrite,
  parseSqlInsert,
  rebuildSqlInsert,
  renumberSql,
  type SqlCell,
  type SqlInsert,
  type SqlItem,
  type SqlStatement,
  sqlCode,
  sqlIdent,
  sqlMentions,
  sqlPlaceholder,
} from './sql-insert.js';
export {
  guardStampedWrites,
  type StampedWrite,
  type StampedWriteOptions,
} from './stamped-writes.js';
export { storageCall } from './storage-call.js';
export { type TextLeaves, type TextLeavesOptions, textLeaves } from './text-leaves.js';
export type { ToolGuardOptions } from './tool-guard-options.js';
export { withOverrides } from './with-overrides.js';
export { WriteMemo } from './write-memo.js';
