export { MemoryRefusedError } from '@memgar/core/adapter-kit';
export {
  addMemgarColumns,
  type GuardedLanceTable,
  type GuardLanceTableOptions,
  guardLanceTable,
  type LanceTableLike,
  MEMGAR_COLUMNS,
} from './guard-lance-table.js';
