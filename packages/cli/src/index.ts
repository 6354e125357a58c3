/**
 * The `memgar` command line, usable in-process: `await run(['node', 'memgar', 'scan', 'x.jsonl'])`.
 * @packageDocumentation
 */
import { CommanderError } from 'commander';
import { describeError, exitCodeFor } from './errors.js';
import { EXIT } from './exit-codes.js';
import { type CliIO, processIO } from './io.js';
import { buildProgram } from './program.js';

export {
  ablationConfigs,
  type BenchConfig,
  type BenchConfigResult,
  type BenchGroup,
  type BenchOptions,
  type BenchReport,
  type BenchRow,
  isDetected,
  isFalsePositive,
  NEUTRAL_TRUST,
  runBench,
} from './bench/measure.js';
export { formatRate, renderAblation, renderBenchTables } from './bench/render.js';
export { type AnalyzeFlags, analyzeCommand } from './commands/analyze.js';
export { type BenchFlags, benchCommand, benchConfigs } from './commands/bench.js';
export { type HealthFlags, healthCommand } from './commands/health.js';
export { registerLedgerCommands } from './commands/ledger.js';
export { type PatternsFlags, patternsCommand } from './commands/patterns.js';
export { reaches, type ScanFlags, scanCommand } from './commands/scan.js';
export { INTEGRITY_EXIT, registerVaultCommands } from './commands/vault.js';
export { describeError, exitCodeFor, isInputError, UsageError } from './errors.js';
export { DECISION_EXIT, EXIT, EXIT_CODES_HELP } from './exit-codes.js';
export { toEntry } from './input/fields.js';
export { arrayElementLines } from './input/json.js';
export { readEntries, resolveTargets } from './input/read-entries.js';
export type { EntryLocation, InputWarning, ScanItem, SplitMode } from './input/types.js';
export type { AnalyzerLike, CliIO, OutStream } from './io.js';
export { processIO } from './io.js';
export { buildSarif } from './output/sarif.js';
export type { Format, ScanRecord, ScanSummary } from './output/types.js';
export { buildProgram } from './program.js';
export { packageVersion } from './version.js';

/** Commander errors that are not errors: help and version were printed. */
const CLEAN_EXITS = new Set(['commander.helpDisplayed', 'commander.version']);

/**
 * Runs the CLI and resolves to the process exit code (it never calls `process.exit`).
 * @param argv - Like `process.argv`: the first two items (node, script) are ignored.
 * @param io - Streams, environment and working directory; defaults to the real process.
 */
export async function run(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let exitCode: number = EXIT.OK;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'node' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander already printed its message (or the help) to stderr/stdout.
      return CLEAN_EXITS.has(error.code) ? EXIT.OK : EXIT.USAGE;
    }
    io.stderr.write(`${describeError(error)}\n`);
    if (io.env.MEMGAR_DEBUG && error instanceof Error && error.stack) io.stderr.write(`${error.stack}\n`);
    return exitCodeFor(error);
  }
}
