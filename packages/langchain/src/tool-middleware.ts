import { ToolMessage } from '@langchain/core/messages';
import * as kit from '@memgar/core/adapter-kit';
import { createMiddleware } from 'langchain';
import { messageText } from './chat-history.js';

export interface MemgarToolMiddlewareOptions extends kit.AdapterGuardOptions {
  /** What the model sees instead of a refused tool output. @default a one-line refusal naming the tool and rule */
  refusal?: (toolName: string, rule: string) => string;
  /** The middleware's name in the agent. @default 'MemgarToolMiddleware' */
  name?: string;
}

/** Scans one tool output; returns the message the model should see. */
export async function guardToolMessage(
  enforcer: kit.EnforcerLike,
  o: MemgarToolMiddlewareOptions,
  toolName: string,
  message: ToolMessage,
): Promise<ToolMessage> {
  const r = await kit.guardToolOutput(enforcer, o, toolName, messageText(message), message.tool_call_id);
  if (r.allowed && !r.changed) return message;
  const { name, id, status, tool_call_id } = message;
  // A rewrite keeps the message's id and status; a refusal is a new error message.
  const kept = r.allowed ? { id, status } : { status: 'error' as const };
  return new ToolMessage({ content: String(r.output), tool_call_id, name, ...kept });
}

/**
 * An agent middleware (`createAgent({ middleware: [memgarToolMiddleware()] })`) that scans every
 * tool output before the model sees it: sanitized outputs are rewritten, refused ones replaced by
 * a short refusal message. Commands (state updates) returned by tools pass through unchanged.
 */
export function memgarToolMiddleware(options: MemgarToolMiddlewareOptions = {}) {
  const enforcer = kit.resolveEnforcer(options);
  return createMiddleware({
    name: options.name ?? 'MemgarToolMiddleware',
    wrapToolCall: async (request, handler) => {
      const result = await handler(request);
      if (!ToolMessage.isInstance(result)) return result;
      return guardToolMessage(enforcer, options, request.toolCall.name, result);
    },
  });
}
