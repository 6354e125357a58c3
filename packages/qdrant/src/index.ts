export {
  type GuardedQdrant,
  type GuardQdrantOptions,
  guardQdrant,
  type HeldQdrantWrite,
  NO_TEXT_RULE,
  type QdrantClientLike,
  type QdrantHit,
  type QdrantPoint,
} from './guard-qdrant.js';
