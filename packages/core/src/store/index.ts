export { type MemoryBackend, type MemoryBackendEntry, toMemoryBackend } from './memory-backend.js';
export {
  type CorruptLine,
  MEMORY_RECORD_VERSION,
  type MemoryEntryInput,
  PersistentMemoryStore,
  type PersistentMemoryStoreOptions,
  type StoredMemoryEntry,
  type TornLine,
} from './persistent-memory-store.js';
