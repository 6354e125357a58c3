export { MemoryRefusedError } from '@memgar/core/adapter-kit';
export { guardPgVector } from './guard-pg-vector.js';
export type {
  GuardedPgVector,
  GuardPgVectorOptions,
  PgHeldRecord,
  PgQueryable,
  PgVectorHelpers,
  PgVectorHit,
  PgVectorRow,
  PgWriteReport,
  SimilaritySearchOptions,
} from './types.js';
