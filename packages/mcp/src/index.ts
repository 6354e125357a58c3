export type { ContextEnforcer as EnforcerLike } from '@memgar/core/adapter-kit';
export {
  type GuardMcpClientOptions,
  guardMcpClient,
  type McpClientLike,
  type MemgarMcpDecisionEvent,
} from './guard-mcp-client.js';
export {
  type AnalyzerLike,
  createMemgarMcpServer,
  type MemgarAnalysisSummary,
  type MemgarMcpServerOptions,
  summarize,
} from './memgar-mcp-server.js';
