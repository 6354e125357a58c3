import { ToolMessage } from '@langchain/core/messages';
import type { ToolCall } from '@langchain/core/messages/tool';
import type { Command, LangGraphRunnableConfig } from '@langchain/langgraph';
import { ToolNode, type ToolNodeOptions } from '@langchain/langgraph/prebuilt';
import {
  type AdapterGuardOptions,
  type EnforcerLike,
  guardToolOutput,
  resolveEnforcer,
} from '@memgar/core/adapter-kit';

export interface MemgarToolNodeOptions extends AdapterGuardOptions, ToolNodeOptions {
  /** What the model sees instead of a refused tool output. @default `defaultToolRefusal` of the adapter kit */
  refusal?: (toolName: string, rule: string) => string;
}

/**
 * A `ToolNode` that decides every tool result (`onToolResult`) before the model sees it: allowed
 * results pass unchanged, sanitized ones are rewritten, refused ones become a refusal
 * `ToolMessage` with `status: 'error'`. A `Command` returned by a tool passes through.
 */
export class MemgarToolNode<T = unknown> extends ToolNode<T> {
  readonly #enforcer: EnforcerLike;
  readonly #options: MemgarToolNodeOptions;

  constructor(tools: ConstructorParameters<typeof ToolNode>[0], options: MemgarToolNodeOptions = {}) {
    const { name, tags, handleToolErrors } = options;
    super(tools, { name, tags, handleToolErrors });
    this.#options = options;
    this.#enforcer = resolveEnforcer(options);
  }

  protected override async runTool(
    call: ToolCall,
    config: LangGraphRunnableConfig,
    state: unknown,
  ): Promise<ToolMessage | Command> {
    const out = await super.runTool(call, config, state);
    if (!ToolMessage.isInstance(out)) return out;
    const g = await guardToolOutput(this.#enforcer, this.#options, call.name, out.text, out.tool_call_id);
    if (!g.changed) return out;
    // A new message: the original's artifact (raw output kept beside the content) is not carried over.
    return new ToolMessage({
      content: String(g.output),
      tool_call_id: out.tool_call_id,
      ...(out.name !== undefined ? { name: out.name } : {}),
      ...(out.id !== undefined ? { id: out.id } : {}),
      status: g.allowed ? (out.status ?? 'success') : 'error',
    });
  }
}

/** A `ToolNode` over `tools` whose results memgar decides before the model sees them. */
export function memgarToolNode(
  tools: ConstructorParameters<typeof ToolNode>[0],
  options: MemgarToolNodeOptions = {},
): MemgarToolNode {
  return new MemgarToolNode(tools, options);
}
