export {
  type GuardedIndex,
  type GuardIndexOptions,
  guardIndex,
  type HeldPineconeWrite,
  NO_TEXT_RULE,
  type PineconeIndexLike,
  type PineconeVector,
} from './guard-index.js';
