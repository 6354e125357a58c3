export type { AnalyzerLike } from './analyzer-like.js';
export {
  type AuditEvent,
  type AuditEventFilter,
  type AuditSink,
  InMemoryAuditSink,
  type InMemoryAuditSinkOptions,
} from './audit.js';
export type { AuditContentMode } from './audit-recorder.js';
export type { JsonSnapshotLimits, JsonSnapshotProblem } from './json-snapshot.js';
export {
  type BoundaryVerdict,
  MemoryRuntimeEnforcer,
  type MemoryRuntimeEnforcerOptions,
  type MemoryWriteContext,
  type MemoryWriteVerdict,
  type ToolFieldVerdict,
  type ToolFinding,
  type ToolResultContext,
  type ToolResultOptions,
  type ToolResultVerdict,
} from './memory-runtime-enforcer.js';
export {
  estimateJaccard,
  type MinHashOptions,
  minHashSignature,
  type NearDuplicateCluster,
  nearDuplicateClusters,
} from './near-duplicates.js';
export {
  MIRROR_PAYLOAD,
  measureQueryMirroring,
  type QueryMirroring,
  type QueryMirroringOptions,
} from './query-mirroring.js';
export {
  type ChunkVerdict,
  type GuardRetrievalOptions,
  type NearDuplicateSignalOptions,
  type QueryMirroringSignalOptions,
  type RetrievalChunk,
  RetrievalGuard,
  type RetrievalGuardOptions,
  type RetrievalSignal,
  type RetrievalVerdict,
} from './retrieval-guard.js';
