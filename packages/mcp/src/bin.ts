#!/usr/bin/env node
// `memgar-mcp`: the memgar MCP server (memgar_analyze, memgar_scan) over stdio.
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createMemgarMcpServer } from './memgar-mcp-server.js';

const server = createMemgarMcpServer();
await server.connect(new StdioServerTransport());
