import { ToolMessage } from '@langchain/core/messages';
import { createMiddleware } from 'langchain';
import { messageText } from './chat-history.js';
import { type EnforcerLike, idOf, ids, type MemgarGuardOptions, resolveEnforcer } from './guard.js';

export interface MemgarToolMiddlewareOptions extends MemgarGuardOptions {
  /** What the model sees instead of a refused tool output. @default a one-line refusal naming the tool and rule */
  refusal?: (toolName: string, rule: string) => string;
  /** The middleware's name in the agent. @default 'MemgarToolMiddleware' */
  name?: string;
}

const defaultRefusal = (tool: string, rule: string) =>
  `[memgar] The output of tool "${tool}" was withheld: it looked like an injection (${rule}). Do not retry it blindly.`;

/** Scans one tool output; returns the message the model should see. */
export async function guardToolMessage(
  enforcer: EnforcerLike,
  o: MemgarToolMiddlewareOptions,
  toolName: string,
  message: ToolMessage,
): Promise<ToolMessage> {
  const text = messageText(message);
  const v = await enforcer.onToolResult(toolName, text, ids(o));
  const { decision, allowed, reason, rule, riskScore } = v;
  o.onDecision?.({
    boundary: 'tool_result',
    decision,
    allowed,
    reason,
    rule,
    riskScore,
    ...idOf(message.tool_call_id),
  });
  if (allowed && v.safeContent !== undefined) {
    if (v.safeContent === text) return message;
    return new ToolMessage({
      content: v.safeContent,
      tool_call_id: message.tool_call_id,
      ...(message.name !== undefined ? { name: message.name } : {}),
      ...(message.id !== undefined ? { id: message.id } : {}),
      ...(message.status !== undefined ? { status: message.status } : {}),
    });
  }
  return new ToolMessage({
    content: (o.refusal ?? defaultRefusal)(toolName, rule),
    tool_call_id: message.tool_call_id,
    ...(message.name !== undefined ? { name: message.name } : {}),
    status: 'error',
  });
}

/**
 * An agent middleware (`createAgent({ middleware: [memgarToolMiddleware()] })`) that scans every
 * tool output before the model sees it: sanitized outputs are rewritten, refused ones replaced by
 * a short refusal message. Commands (state updates) returned by tools pass through unchanged.
 */
export function memgarToolMiddleware(options: MemgarToolMiddlewareOptions = {}) {
  const enforcer = resolveEnforcer(options);
  return createMiddleware({
    name: options.name ?? 'MemgarToolMiddleware',
    wrapToolCall: async (request, handler) => {
      const result = await handler(request);
      if (!ToolMessage.isInstance(result)) return result;
      return guardToolMessage(enforcer, options, request.toolCall.name, result);
    },
  });
}
