import { type LedgerHead, MemoryLedger } from '@memgar/core/node';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import type { CliIO } from '../io.js';
import { guarded, INTEGRITY_EXIT, INTEGRITY_EXIT_HELP, readInputFile, requireFile } from './vault.js';

/** Flags of `memgar ledger verify`. */
export interface LedgerVerifyFlags {
  /** The key file: the HMAC key as hex (ledger.key from `memgar vault keygen`). */
  key: string;
  /** `<seq>:<hash>` of a head recorded earlier. */
  expectHead?: string;
  json?: boolean;
}

/** Reads a ledger key file: the key as hex digits (surrounding whitespace ignored). */
async function readLedgerKey(io: CliIO, path: string): Promise<Buffer> {
  const text = (await readInputFile(io, path, 'key file')).toString('utf8').trim();
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(text)) {
    throw new UsageError(
      `key file '${path}' must hold the key as hex digits (memgar vault keygen writes ledger.key)`,
    );
  }
  return Buffer.from(text, 'hex');
}

function parseHead(value: string): LedgerHead {
  const m = /^(\d+):([0-9a-f]{64})$/.exec(value);
  if (m === null) throw new UsageError(`--expect-head must be <seq>:<64 hex digits>, got '${value}'`);
  return { seq: Number(m[1]), hash: m[2]! };
}

/** `memgar ledger verify <file>`: checks every record's chain link, hash and MAC. */
export async function ledgerVerifyCommand(
  file: string,
  flags: LedgerVerifyFlags,
  io: CliIO,
): Promise<number> {
  return guarded(io, async () => {
    const path = requireFile(io, file, 'ledger');
    const key = await readLedgerKey(io, flags.key);
    const expectHead = flags.expectHead === undefined ? undefined : parseHead(flags.expectHead);
    const r = await MemoryLedger.verify(expectHead === undefined ? { path, key } : { path, key, expectHead });
    const code = r.ok ? INTEGRITY_EXIT.OK : INTEGRITY_EXIT.INTEGRITY;
    if (flags.json === true) {
      io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      return code;
    }
    if (r.ok) {
      const head = r.head === undefined ? 'empty' : `head seq ${r.head.seq} hash ${r.head.hash}`;
      io.stdout.write(`ok: ${r.records} record${r.records === 1 ? '' : 's'} verify; ${head}\n`);
      return code;
    }
    const bad = r.firstBad!;
    io.stdout.write(
      `FAILED: first bad record: seq ${bad.seq} (line ${bad.line}): ${bad.reason}: ${bad.message}\n` +
        `${r.records} record${r.records === 1 ? '' : 's'} before it verify\n`,
    );
    if (bad.reason === 'truncated') {
      io.stdout.write('the last line was cut off mid-write; `memgar ledger repair` removes it\n');
    }
    return code;
  });
}

/** `memgar ledger repair <file>`: truncates a torn last line (and nothing else). */
export async function ledgerRepairCommand(
  file: string,
  flags: { key: string; json?: boolean },
  io: CliIO,
): Promise<number> {
  return guarded(io, async () => {
    const path = requireFile(io, file, 'ledger');
    const key = await readLedgerKey(io, flags.key);
    const ledger = await MemoryLedger.open({ path, key, create: false });
    try {
      const r = await ledger.repair();
      if (flags.json === true) io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else if (r.removed === undefined) io.stdout.write(`nothing to repair: ${r.records} records verify\n`);
      else {
        io.stdout.write(
          `removed the torn line ${r.removed.line} (${r.removed.bytes} bytes); ${r.records} records verify\n`,
        );
      }
      return INTEGRITY_EXIT.OK;
    } finally {
      await ledger.close();
    }
  });
}

/** Adds `memgar ledger verify|repair` to the program. */
export function registerLedgerCommands(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const ledger = program
    .command('ledger')
    .description('check a hash-chained, HMAC-keyed memory ledger (JSONL)')
    .addHelpText('after', INTEGRITY_EXIT_HELP);

  ledger
    .command('verify')
    .description('verify every record and name the first bad one')
    .argument('<file>', 'the ledger file')
    .requiredOption('--key <keyfile>', 'the HMAC key as hex (ledger.key)')
    .option(
      '--expect-head <seq:hash>',
      'a head recorded earlier that must still be there (detects cut-off records)',
    )
    .option('--json', 'print the result as JSON')
    .addHelpText('after', INTEGRITY_EXIT_HELP)
    .action(async (file: string, opts: LedgerVerifyFlags) => {
      setExit(await ledgerVerifyCommand(file, opts, io));
    });

  ledger
    .command('repair')
    .description('remove a torn last line left by a crash mid-write (refuses a tampered ledger)')
    .argument('<file>', 'the ledger file')
    .requiredOption('--key <keyfile>', 'the HMAC key as hex (ledger.key)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', INTEGRITY_EXIT_HELP)
    .action(async (file: string, opts: { key: string; json?: boolean }) => {
      setExit(await ledgerRepairCommand(file, opts, io));
    });
}
