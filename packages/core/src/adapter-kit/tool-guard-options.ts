import type { AdapterGuardOptions } from './guard-options.js';

/** Options of adapters that guard tool outputs before the model sees them (`guardToolOutput`). */
export interface ToolGuardOptions extends AdapterGuardOptions {
  /** What the model sees instead of a refused tool output. @default `defaultToolRefusal` (names the tool and the rule) */
  refusal?: (toolName: string, rule: string) => string;
}
