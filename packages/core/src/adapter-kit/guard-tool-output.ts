import { type AdapterGuardOptions, contextIds, type EnforcerLike, idField } from './guard-options.js';
import { type MemgarMetadata, memgarMetadata } from './memgar-metadata.js';

/** What the model sees instead of a refused tool output. */
export function defaultToolRefusal(toolName: string, rule: string): string {
  return `[memgar] The output of tool "${toolName}" was withheld: it looked like an injection (${rule}). Do not retry it blindly.`;
}

export type ToolOutputOutcome =
  | { allowed: true; output: unknown; changed: boolean; memgar: MemgarMetadata }
  | { allowed: false; output: string; changed: true; memgar: MemgarMetadata };

/**
 * Decides a tool's output before the model sees it (`onToolResult`; objects field by field). An
 * allowed output comes back as the safe copy (`changed` when sanitized or redacted); a refused one
 * as the refusal text (`refusal(toolName, rule)`, default `defaultToolRefusal`).
 */
export async function guardToolOutput(
  enforcer: EnforcerLike,
  options: AdapterGuardOptions & { refusal?: (toolName: string, rule: string) => string },
  toolName: string,
  output: unknown,
  id?: string,
): Promise<ToolOutputOutcome> {
  const v = await enforcer.onToolResult(toolName, output, contextIds(options));
  const { decision, allowed, reason, rule, riskScore } = v;
  options.onDecision?.({
    boundary: 'tool_result',
    decision,
    allowed,
    reason,
    rule,
    riskScore,
    ...idField(id),
  });
  const memgar = memgarMetadata(v);
  if (allowed) {
    // An object output comes back as a rebuilt copy; keep the original when nothing was edited.
    const changed =
      typeof output === 'string' ? v.safeContent !== output : decision !== 'allow' || v.dlp.length > 0;
    const safe = !changed ? output : typeof output === 'string' ? v.safeContent : v.safeOutput;
    return { allowed: true, output: safe, changed, memgar };
  }
  return {
    allowed: false,
    output: (options.refusal ?? defaultToolRefusal)(toolName, rule),
    changed: true,
    memgar,
  };
}
