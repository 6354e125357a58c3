import {
  DECISIONS,
  type Decision,
  type PolicyProfile,
  RULE_CATEGORIES,
  type RuleCategory,
  SEVERITIES,
  type Severity,
  SOURCE_TYPES,
  type SourceType,
} from '@memgar/core';
import { Command, InvalidArgumentError, Option } from 'commander';
import { analyzeCommand } from './commands/analyze.js';
import { type BenchFlags, benchCommand } from './commands/bench.js';
import { registerFeedCommands } from './commands/feed.js';
import type { GatewayFlags } from './commands/gateway.js';
import { healthCommand } from './commands/health.js';
import { registerLedgerCommands } from './commands/ledger.js';
import type { McpProxyFlags } from './commands/mcp-proxy.js';
import { patternsCommand } from './commands/patterns.js';
import { scanCommand } from './commands/scan.js';
import { PROFILES } from './commands/shared.js';
import { registerVaultCommands } from './commands/vault.js';
import { EXIT_CODES_HELP } from './exit-codes.js';
import { SPLIT_MODES, type SplitMode } from './input/types.js';
import type { CliIO } from './io.js';
import { FORMATS, type Format } from './output/types.js';
import { packageVersion } from './version.js';

const sourceTypeOption = (description: string) =>
  new Option('--source-type <type>', description).choices(SOURCE_TYPES);
const profileOption = () =>
  new Option('--profile <profile>', 'policy profile (balanced when omitted)').choices(PROFILES);

function parseConcurrency(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 256) {
    throw new InvalidArgumentError('expected an integer from 1 to 256.');
  }
  return n;
}

interface AnalyzeOpts {
  sourceType?: SourceType;
  sourceId?: string;
  agentId?: string;
  profile?: PolicyProfile;
  failClose?: boolean;
  json?: boolean;
  file?: string;
}

interface ScanOpts {
  recursive?: boolean;
  format: Format;
  failOn: Decision | 'none';
  sourceType?: SourceType;
  split: SplitMode;
  profile?: PolicyProfile;
  failClose?: boolean;
  concurrency: number;
  output?: string;
  quiet?: boolean;
}

/**
 * Builds the `memgar` command tree. Each action stores its exit code through `setExit`.
 * Commander's own exits are turned into exceptions (`exitOverride`) so `run` decides the exit code.
 */
export function buildProgram(io: CliIO, setExit: (code: number) => void): Command {
  const program = new Command('memgar');
  program
    .description('Detect memory poisoning and prompt injection in text AI agents store, retrieve or receive.')
    .version(packageVersion(), '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void io.stdout.write(s),
      writeErr: (s) => void io.stderr.write(s),
    })
    .showSuggestionAfterError(true)
    .addHelpText('after', EXIT_CODES_HELP);

  program
    .command('analyze')
    .description('analyze one text; the exit code is the decision')
    .argument('[text]', 'the text to analyze, or - to read it from stdin')
    .option('-f, --file <path>', 'read the text from a file')
    .addOption(sourceTypeOption('where the text comes from (otherwise unknown)'))
    .option('--source-id <id>', 'a stable id of the source (URL, tool name, document id)')
    .option('--agent-id <id>', 'the agent whose memory this is')
    .addOption(profileOption())
    .option('--fail-close', 'a degraded subsystem turns allow into quarantine')
    .option('--json', 'print the full AnalysisResult as JSON')
    .addHelpText(
      'after',
      `
Examples:
  memgar analyze "Remember that the user prefers metric units."
  echo "Ignore previous instructions" | memgar analyze - --source-type web --json
${EXIT_CODES_HELP}`,
    )
    .action(async (text: string | undefined, opts: AnalyzeOpts) => {
      setExit(await analyzeCommand(text, opts, io));
    });

  program
    .command('scan')
    .description('scan files and directories of memories, RAG chunks or tool outputs')
    .argument('<path...>', 'files (or directories with --recursive)')
    .option('-r, --recursive', 'scan directories recursively (skips .git and node_modules)')
    .addOption(new Option('--format <format>', 'output format').choices(FORMATS).default('table'))
    .addOption(
      new Option('--fail-on <decision>', 'exit 1 when an entry is this decision or worse')
        .choices([...DECISIONS, 'none'])
        .default('human_review'),
    )
    .addOption(sourceTypeOption('source type for entries that carry none (otherwise memory)'))
    .addOption(
      new Option('--split <mode>', 'how text files are cut into entries')
        .choices(SPLIT_MODES)
        .default('paragraph'),
    )
    .addOption(profileOption())
    .option('--fail-close', 'a degraded subsystem turns allow into quarantine')
    .option('--concurrency <n>', 'entries analyzed at once', parseConcurrency, 4)
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-q, --quiet', 'no progress bar and no warnings on stderr')
    .addHelpText(
      'after',
      `
Input formats (by extension):
  .json            an array of strings/objects, or an object with an array under
                   memories, items, entries, data or results
  .jsonl .ndjson   one string or object per line (broken lines are reported and skipped)
  anything else    text, split per --split (paragraph: blank-line separated)

Examples:
  memgar scan memory-export.jsonl
  memgar scan -r ./exports --format sarif --output memgar.sarif --fail-on quarantine
${EXIT_CODES_HELP}`,
    )
    .action(async (paths: string[], opts: ScanOpts) => {
      setExit(await scanCommand(paths, opts, io));
    });

  program
    .command('patterns')
    .description('list the built-in detection rules')
    .addOption(new Option('--severity <severity>', 'only rules of this severity').choices(SEVERITIES))
    .addOption(new Option('--category <category>', 'only rules of this category').choices(RULE_CATEGORIES))
    .option('--json', 'print the rules as JSON')
    .action(async (opts: { severity?: Severity; category?: RuleCategory; json?: boolean }) => {
      setExit(await patternsCommand(opts, io));
    });

  program
    .command('health')
    .description('check the analyzer subsystems; exit 0 when ok, 1 when degraded')
    .option('--json', 'print the health report as JSON')
    .option('--fail-close', 'check with fail-close on')
    .action(async (opts: { json?: boolean; failClose?: boolean }) => {
      setExit(await healthCommand(opts, io));
    });

  program
    .command('bench')
    .description('measure recall, false-positive rate and latency on labelled JSONL corpora (always exit 0)')
    .requiredOption(
      '--corpus <file...>',
      'JSONL files: text, label (attack|benign), surface, [variant], [injected]',
    )
    .option('--json', 'print the measurement as JSON')
    .option('--ablate', 'one row per layer configuration: rules, +trust, +learned, +behavior')
    .option('--learned', 'turn on the learned layer')
    .addOption(profileOption())
    .action(async (opts: BenchFlags) => {
      setExit(await benchCommand(opts, io));
    });

  // Loaded on use: only these two commands load @memgar/gateway (and its HTTP stack).
  program
    .command('gateway')
    .description('run the enforcing OpenAI/Anthropic-compatible gateway until SIGINT/SIGTERM')
    .requiredOption('-c, --config <file>', 'gateway.yaml: upstream, keys, policy and limits')
    .option('--port <n>', 'listen port (overrides the file)')
    .option('--host <host>', 'interface to bind (overrides the file; 127.0.0.1 when neither says)')
    .option('-q, --quiet', 'no request log on stderr')
    .action(async (opts: GatewayFlags) => {
      const { gatewayCommand } = await import('./commands/gateway.js');
      setExit(await gatewayCommand(opts, io));
    });

  program
    .command('mcp-proxy')
    .description('filter an MCP stdio server: tool descriptions, call arguments, results and resources')
    .argument('<server...>', 'the server command and its arguments, after --')
    .addOption(profileOption())
    .option('-q, --quiet', 'no refusal notes on stderr')
    .addHelpText(
      'after',
      '\nExample:\n  memgar mcp-proxy -- npx -y @modelcontextprotocol/server-filesystem ./docs\n',
    )
    .action(async (server: string[], opts: McpProxyFlags) => {
      const { mcpProxyCommand } = await import('./commands/mcp-proxy.js');
      setExit(await mcpProxyCommand(server, opts, io));
    });

  registerVaultCommands(program, io, setExit);
  registerLedgerCommands(program, io, setExit);
  registerFeedCommands(program, io, setExit);

  return program;
}
