import { ToolMessage } from '@langchain/core/messages';
import type { ToolCall } from '@langchain/core/messages/tool';
import type { Command, LangGraphRunnableConfig } from '@langchain/langgraph';
import { ToolNode, type ToolNodeOptions } from '@langchain/langgraph/prebuilt';
import * as kit from '@memgar/core/adapter-kit';

type Tools = ConstructorParameters<typeof ToolNode>[0];

/** The kit's tool-guard options (`refusal`: what the model sees instead of a refused result) and `ToolNode`'s. */
export interface MemgarToolNodeOptions extends kit.ToolGuardOptions, ToolNodeOptions {}

/**
 * A `ToolNode` that decides every tool result (`onToolResult`) before the model sees it: allowed results
 * pass unchanged, sanitized ones are rewritten, refused ones become a refusal with `status: 'error'`.
 * A `Command` returned by a tool passes through.
 */
export class MemgarToolNode<T = Record<string, unknown>> extends ToolNode<T> {
  readonly #enforcer: kit.EnforcerLike;
  readonly #o: MemgarToolNodeOptions;

  constructor(tools: Tools, options: MemgarToolNodeOptions = {}) {
    super(tools, { name: options.name, tags: options.tags, handleToolErrors: options.handleToolErrors });
    this.#o = options;
    this.#enforcer = kit.resolveEnforcer(options);
  }

  protected override async runTool(call: ToolCall, config: LangGraphRunnableConfig, state: unknown) {
    const out: ToolMessage | Command = await super.runTool(call, config, state);
    if (!ToolMessage.isInstance(out)) return out;
    const g = await kit.guardToolOutput(this.#enforcer, this.#o, call.name, out.text, out.tool_call_id);
    if (!g.changed) return out;
    // A new message: the original's artifact (raw output kept beside the content) is not carried over.
    const { tool_call_id, name, id } = out;
    const status = g.allowed ? (out.status ?? 'success') : 'error';
    return new ToolMessage({ content: String(g.output), tool_call_id, name, id, status });
  }
}

/** A `ToolNode` over `tools` whose results memgar decides before the model sees them. */
export function memgarToolNode(tools: Tools, options: MemgarToolNodeOptions = {}): MemgarToolNode {
  return new MemgarToolNode(tools, options);
}
