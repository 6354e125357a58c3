import type { AdapterGuardOptions, EnforcerLike } from './guard-options.js';
import { guardToolOutput, type ToolOutputOutcome } from './guard-tool-output.js';

/** The enforcer method a tool-output guard calls (a `MemoryRuntimeEnforcer` has it). */
export type ToolResultEnforcer = Pick<EnforcerLike, 'onToolResult'>;

/** The JSON object or array a text holds, else undefined (the text is then decided as one string). */
function parseJsonText(text: string): object | undefined {
  if (!/^\s*[[{]/.test(text)) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `guardToolOutput` for outputs that may be JSON text (MCP text items, OpenAI tool messages): a
 * string holding a JSON object or array is decided field by field (findings carry JSON paths) and
 * comes back as text — the original string when nothing changed, the safe copy re-serialized when
 * something was sanitized or redacted. Any other output is decided as `guardToolOutput` decides it.
 */
export async function guardToolJson(
  enforcer: ToolResultEnforcer,
  options: AdapterGuardOptions & { refusal?: (toolName: string, rule: string) => string },
  toolName: string,
  output: unknown,
  id?: string,
): Promise<ToolOutputOutcome> {
  // `guardToolOutput` calls only `onToolResult`.
  const full = enforcer as EnforcerLike;
  const parsed = typeof output === 'string' ? parseJsonText(output) : undefined;
  if (parsed === undefined) return guardToolOutput(full, options, toolName, output, id);
  const r = await guardToolOutput(full, options, toolName, parsed, id);
  if (!r.allowed) return r;
  return { ...r, output: r.changed ? JSON.stringify(r.output) : output };
}
