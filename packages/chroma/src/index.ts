export { NO_TEXT_RULE } from '@memgar/core/adapter-kit';
export {
  type ChromaCollectionLike,
  type ChromaRecordSet,
  type GuardCollectionOptions,
  type GuardedCollection,
  guardCollection,
  type HeldChromaWrite,
} from './guard-collection.js';
