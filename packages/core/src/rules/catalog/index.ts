import type { Rule } from '../types.js';
import { CREDENTIAL_HARVESTING_RULES } from './credential-harvesting.js';
import { DELAYED_ACTIVATION_RULES } from './delayed-activation.js';
import { EXFILTRATION_RULES } from './exfiltration.js';
import { FINANCIAL_FRAUD_RULES } from './financial-fraud.js';
import { HIDDEN_INSTRUCTION_RULES } from './hidden-instruction.js';
import { INSTRUCTION_OVERRIDE_RULES } from './instruction-override.js';
import { MEMORY_TAMPERING_RULES } from './memory-tampering.js';
import { PERSISTENCE_RULES } from './persistence.js';
import { PRIVILEGE_ESCALATION_RULES } from './privilege-escalation.js';
import { ROLE_MANIPULATION_RULES } from './role-manipulation.js';
import { SYSTEM_PROMPT_LEAK_RULES } from './system-prompt-leak.js';
import { TOOL_HIJACKING_RULES } from './tool-hijacking.js';

export { BUILTIN_SIGNALS } from './signals.js';

/** The built-in rule catalog (typed data; every record carries its own examples). */
export const BUILTIN_RULES: readonly Rule[] = [
  ...INSTRUCTION_OVERRIDE_RULES,
  ...PERSISTENCE_RULES,
  ...EXFILTRATION_RULES,
  ...CREDENTIAL_HARVESTING_RULES,
  ...PRIVILEGE_ESCALATION_RULES,
  ...FINANCIAL_FRAUD_RULES,
  ...TOOL_HIJACKING_RULES,
  ...SYSTEM_PROMPT_LEAK_RULES,
  ...MEMORY_TAMPERING_RULES,
  ...ROLE_MANIPULATION_RULES,
  ...HIDDEN_INSTRUCTION_RULES,
  ...DELAYED_ACTIVATION_RULES,
];
