import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { renderTable } from '../output/text.js';
import { makeAnalyzer } from './shared.js';

/** Flags of `memgar health`. */
export interface HealthFlags {
  json?: boolean;
  failClose?: boolean;
}

/** `memgar health`: the status of each subsystem; exits 0 when ok, 1 when degraded. */
export async function healthCommand(flags: HealthFlags, io: CliIO): Promise<number> {
  const report = makeAnalyzer(io, { failClose: flags.failClose === true }).healthCheck();
  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    io.stdout.write(`status: ${report.status}${report.failClose ? ' (fail-close)' : ''}\n`);
    const rows = Object.entries(report.subsystems).map(([name, s]) => [name, s.status, s.detail]);
    if (rows.length > 0) io.stdout.write(`\n${renderTable(['subsystem', 'status', 'detail'], rows)}\n`);
  }
  return report.status === 'ok' ? EXIT.OK : EXIT.FAIL;
}
