import type { Readable, Writable } from 'node:stream';
import type { PolicyProfile } from '@memgar/core';
import { createMcpStdioProxy } from '@memgar/gateway';
import { UsageError } from '../errors.js';
import type { CliIO } from '../io.js';

/** Flags of `memgar mcp-proxy`. */
export interface McpProxyFlags {
  profile?: PolicyProfile;
  quiet?: boolean;
}

/**
 * `memgar mcp-proxy -- <server command…>`: starts the MCP server and relays stdio through memgar's
 * filter (the logic is `createMcpStdioProxy` of @memgar/gateway). Stdout carries only the protocol;
 * refusals are noted on stderr. Exits with the server's exit code.
 */
export async function mcpProxyCommand(
  server: readonly string[],
  flags: McpProxyFlags,
  io: CliIO,
): Promise<number> {
  const [command, ...args] = server;
  if (command === undefined || command === '') {
    throw new UsageError('give the MCP server command after --, e.g. memgar mcp-proxy -- node server.js');
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const note = (line: string) => void io.stderr.write(`${line}\n`);
  const proxy = createMcpStdioProxy({
    command,
    args,
    env: { ...io.env },
    cwd: io.cwd,
    signal: stop.signal,
    ...(flags.profile ? { profile: flags.profile } : {}),
    onNotice: note,
    onDecision: (e) => {
      if (!flags.quiet && !e.allowed)
        note(`memgar mcp-proxy: refused ${e.route} ${e.where} (${e.decision}, ${e.rule})`);
    },
  });
  try {
    return await proxy.run(io.stdin as Readable, io.stdout as unknown as Writable);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
