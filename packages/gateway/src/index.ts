/**
 * `@memgar/gateway`: an OpenAI- and Anthropic-compatible enforcing proxy, and an MCP stdio proxy.
 * @packageDocumentation
 */
export { AddressPolicy } from './address-policy.js';
export { createGatewayApp, type GatewayApp } from './app.js';
export { type GatewayFileOptions, loadGatewayConfig } from './config.js';
export type { CanaryRegistryLike, GatewayDecisionEvent } from './guard.js';
export {
  MemoryRateLimitStore,
  type RateLimit,
  type RateLimitResult,
  type RateLimitStore,
  type RedisEvalClient,
  redisRateLimitStore,
} from './limits.js';
export { createMcpStdioProxy, type McpStdioProxy, type McpStdioProxyOptions } from './mcp-proxy.js';
export { REFUSAL_REASONS, type RefusalReason } from './metrics.js';
export type {
  GatewayKey,
  GatewayLimits,
  GatewayLogEntry,
  GatewayOptions,
  GatewayScanOptions,
} from './options.js';
export type { SourceTypes } from './providers.js';
export { type GatewayHandle, type StartGatewayOptions, startGateway } from './server.js';
