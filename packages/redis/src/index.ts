export {
  type GuardedRedis,
  type GuardRedisOptions,
  guardRedis,
  type HeldRedisWrite,
  type RedisClientLike,
  type RedisMultiLike,
  UNGUARDED_COMMANDS,
  UNVERIFIED_RULE,
  valueDigest,
} from './guard-redis.js';
