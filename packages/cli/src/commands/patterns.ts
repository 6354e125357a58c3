import type { RuleCategory, Severity } from '@memgar/core';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { renderTable } from '../output/text.js';
import { makeAnalyzer } from './shared.js';

/** Flags of `memgar patterns`. */
export interface PatternsFlags {
  severity?: Severity;
  category?: RuleCategory;
  json?: boolean;
}

/** `memgar patterns`: lists the built-in rules, optionally filtered. */
export async function patternsCommand(flags: PatternsFlags, io: CliIO): Promise<number> {
  const filter: { severity?: Severity; category?: RuleCategory } = {};
  if (flags.severity !== undefined) filter.severity = flags.severity;
  if (flags.category !== undefined) filter.category = flags.category;
  const rules = makeAnalyzer(io, {}).listRules(filter);
  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify(rules, null, 2)}\n`);
    return EXIT.OK;
  }
  if (rules.length === 0) {
    io.stdout.write('No rules match.\n');
    return EXIT.OK;
  }
  const rows = rules.map((r) => [
    r.id,
    r.severity,
    r.category,
    [...r.mitre.atlas, ...r.mitre.attack].join(', ') || '-',
    r.title,
  ]);
  io.stdout.write(`${renderTable(['id', 'severity', 'category', 'mitre', 'title'], rows)}\n`);
  io.stdout.write(`\n${rules.length} rule${rules.length === 1 ? '' : 's'}\n`);
  return EXIT.OK;
}
