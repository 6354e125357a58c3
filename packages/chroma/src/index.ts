export {
  type ChromaCollectionLike,
  type ChromaRecordSet,
  type GuardCollectionOptions,
  type GuardedCollection,
  guardCollection,
  type HeldChromaWrite,
  NO_TEXT_RULE,
} from './guard-collection.js';
