import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CorruptDataError, IntegrityError, NotFoundError } from '@memgar/core';
import {
  exportVaultKey,
  generateLedgerKey,
  generateVaultKeys,
  importVaultKey,
  MemoryVault,
  type RollbackPlan,
  type SnapshotFailureReason,
  type VaultKey,
} from '@memgar/core/node';
import type { Command } from 'commander';
import { errnoCode, UsageError } from '../errors.js';
import type { CliIO } from '../io.js';

/** Exit codes of `memgar vault …` and `memgar ledger …`. */
export const INTEGRITY_EXIT = {
  /** Verified; a rollback was planned or applied; keys were written. */
  OK: 0,
  /** An unexpected internal error. */
  INTERNAL: 1,
  /** Usage or input error: unknown option, missing file, unreadable or wrong key file, unknown snapshot id. */
  USAGE: 2,
  /** `vault verify`: the snapshot verifies but the live entries differ from it. */
  DRIFT: 3,
  /** Integrity failure: the snapshot does not verify, the ledger is tampered or truncated, the file is corrupt. */
  INTEGRITY: 4,
} as const;

/** Exit-code documentation shown by `memgar vault --help` and `memgar ledger --help`. */
export const INTEGRITY_EXIT_HELP = `
Exit codes:
  0  verified (rollback: planned or applied; keygen: keys written)
  1  unexpected internal error (or the ledger is locked by a running writer)
  2  usage or input error (missing file, unreadable or wrong key file,
     unknown snapshot id)
  3  vault verify: the snapshot verifies but the live entries differ from it
  4  integrity failure: the snapshot does not verify, the ledger is tampered
     or truncated, the file is corrupt
`;

/** Why a snapshot does not verify, in words. */
const REASONS: Record<SnapshotFailureReason, string> = {
  unsigned: 'it carries no signature',
  malformed: 'its stored manifest is not a manifest',
  mismatch: 'its manifest names another snapshot, vault or key than its row (copied or edited)',
  'unknown-key': 'it is signed by a key you did not pass with --key (nor one vouched for by it)',
  'bad-signature': 'the signature does not match the manifest (edited or swapped)',
  'data-mismatch': 'the stored copies of its entries differ from the signed manifest',
};

/** @internal Reads a file named on the command line; a missing or unreadable one is a usage error. */
export async function readInputFile(io: CliIO, path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(resolve(io.cwd, path));
  } catch (error) {
    throw new UsageError(`cannot read ${what} '${path}' (${errnoCode(error) ?? String(error)})`);
  }
}

/** @internal Requires an existing file (the stores would otherwise create one). */
export function requireFile(io: CliIO, path: string, what: string): string {
  const full = resolve(io.cwd, path);
  if (!existsSync(full)) throw new UsageError(`${what} '${path}' does not exist`);
  return full;
}

/**
 * @internal Runs a command body; integrity and corruption errors print and exit 4, an unknown
 * snapshot id exits 2, anything else goes to the top level.
 */
export async function guarded(io: CliIO, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (IntegrityError.isInstance(error) || CorruptDataError.isInstance(error)) {
      io.stderr.write(`error [${error.code}]: ${error.message}\n`);
      return INTEGRITY_EXIT.INTEGRITY;
    }
    if (NotFoundError.isInstance(error)) throw new UsageError(error.message);
    throw error;
  }
}

async function readVaultKeys(io: CliIO, files: readonly string[]): Promise<VaultKey[]> {
  const keys: VaultKey[] = [];
  for (const f of files) keys.push(importVaultKey(await readInputFile(io, f, 'key file')));
  return keys;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function printJson(io: CliIO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Flags of `memgar vault keygen`. */
export interface VaultKeygenFlags {
  force?: boolean;
  json?: boolean;
}

/** `memgar vault keygen <dir>`: writes signing.key, signing.pub and ledger.key. */
export async function vaultKeygenCommand(dir: string, flags: VaultKeygenFlags, io: CliIO): Promise<number> {
  const target = resolve(io.cwd, dir);
  const files = {
    signingKey: join(target, 'signing.key'),
    publicKey: join(target, 'signing.pub'),
    ledgerKey: join(target, 'ledger.key'),
  };
  if (flags.force !== true) {
    const present = Object.values(files).filter((f) => existsSync(f));
    if (present.length > 0) throw new UsageError(`${present.join(', ')} already exist (--force overwrites)`);
  }
  const key = exportVaultKey(generateVaultKeys(), { includePrivate: true });
  const flag = flags.force === true ? 'w' : 'wx';
  try {
    await mkdir(target, { recursive: true });
    await writeFile(files.signingKey, key.privateKey!, { mode: 0o600, flag });
    await writeFile(files.publicKey, key.publicKey, { mode: 0o644, flag });
    await writeFile(files.ledgerKey, `${generateLedgerKey().toString('hex')}\n`, { mode: 0o600, flag });
  } catch (error) {
    throw new UsageError(`cannot write keys to '${dir}' (${errnoCode(error) ?? String(error)})`);
  }
  if (flags.json === true) {
    printJson(io, { keyId: key.keyId, ...files });
  } else {
    io.stdout.write(
      `key id ${key.keyId}\n` +
        `  ${files.signingKey}  Ed25519 private key: signs snapshots (keep secret)\n` +
        `  ${files.publicKey}  public key: verifies snapshots\n` +
        `  ${files.ledgerKey}  ledger HMAC key, hex (keep secret)\n`,
    );
  }
  return INTEGRITY_EXIT.OK;
}

/** Flags of `memgar vault snapshot`. */
export interface VaultSnapshotFlags {
  name: string;
  key: string;
  json?: boolean;
}

/** `memgar vault snapshot <db>`: signs a snapshot of every entry. */
export async function vaultSnapshotCommand(
  db: string,
  flags: VaultSnapshotFlags,
  io: CliIO,
): Promise<number> {
  return guarded(io, async () => {
    const path = requireFile(io, db, 'vault');
    const [key] = await readVaultKeys(io, [flags.key]);
    if (key?.privateKey === undefined) {
      throw new UsageError(
        `--key '${flags.key}' is a public key; snapshots are signed with the private key (signing.key)`,
      );
    }
    const vault = await MemoryVault.open({ path, create: false, signingKey: key });
    try {
      const m = await vault.takeSnapshot(flags.name);
      const summary = {
        snapshotId: m.snapshotId,
        name: m.name,
        createdAt: m.createdAt,
        keyId: m.keyId,
        entryCount: m.entryCount,
      };
      if (flags.json === true) printJson(io, summary);
      else {
        io.stdout.write(
          `snapshot ${m.snapshotId} "${m.name}": ${m.entryCount} entr${m.entryCount === 1 ? 'y' : 'ies'}, signed by key ${m.keyId}\n`,
        );
      }
      return INTEGRITY_EXIT.OK;
    } finally {
      await vault.close();
    }
  });
}

/** Flags of `memgar vault verify` and `memgar vault rollback`. */
export interface VaultTrustFlags {
  /** Trusted key files (public or private PEM). */
  key: string[];
  json?: boolean;
}

async function openForVerify(io: CliIO, db: string, flags: VaultTrustFlags): Promise<MemoryVault> {
  const path = requireFile(io, db, 'vault');
  if (flags.key.length === 0) {
    throw new UsageError(
      '--key <signing.pub> is required: a vault cannot vouch for its own keys, so the trusted public key comes from you',
    );
  }
  return MemoryVault.open({ path, create: false, trustedKeys: await readVaultKeys(io, flags.key) });
}

/** `memgar vault verify <db> <snapshotId>`: the snapshot's signature, then the live entries against it. */
export async function vaultVerifyCommand(
  db: string,
  snapshotId: string,
  flags: VaultTrustFlags,
  io: CliIO,
): Promise<number> {
  return guarded(io, async () => {
    const vault = await openForVerify(io, db, flags);
    try {
      const r = await vault.verifyCurrent(snapshotId);
      const code =
        r.reason !== undefined
          ? INTEGRITY_EXIT.INTEGRITY
          : r.valid
            ? INTEGRITY_EXIT.OK
            : INTEGRITY_EXIT.DRIFT;
      if (flags.json === true) {
        printJson(io, r);
        return code;
      }
      if (r.reason !== undefined) {
        io.stdout.write(`snapshot ${snapshotId}: DOES NOT VERIFY (${r.reason}): ${REASONS[r.reason]}\n`);
        return code;
      }
      io.stdout.write(`snapshot ${snapshotId}: signature valid (key ${r.keyId})\n`);
      if (r.valid) {
        io.stdout.write('live entries: match the snapshot\n');
        return code;
      }
      io.stdout.write(
        `live entries: differ from the snapshot (${r.added.length} added, ${r.removed.length} removed, ${r.modified.length} modified)\n`,
      );
      for (const id of r.added) io.stdout.write(`  + ${id}\n`);
      for (const id of r.removed) io.stdout.write(`  - ${id}\n`);
      for (const id of r.modified) io.stdout.write(`  ~ ${id}\n`);
      return code;
    } finally {
      await vault.close();
    }
  });
}

/** Flags of `memgar vault rollback`. */
export interface VaultRollbackFlags extends VaultTrustFlags {
  yes?: boolean;
}

function printPlan(io: CliIO, plan: RollbackPlan): void {
  io.stdout.write(
    `rollback to snapshot ${plan.snapshotId}: restore ${plan.restore.length}, remove ${plan.remove.length}, revert ${plan.revert.length}, unchanged ${plan.unchanged}\n`,
  );
  for (const id of plan.restore) io.stdout.write(`  restore ${id}\n`);
  for (const id of plan.remove) io.stdout.write(`  remove  ${id}\n`);
  for (const id of plan.revert) io.stdout.write(`  revert  ${id}\n`);
}

/** `memgar vault rollback <db> <snapshotId>`: prints the plan; applies it with --yes. */
export async function vaultRollbackCommand(
  db: string,
  snapshotId: string,
  flags: VaultRollbackFlags,
  io: CliIO,
): Promise<number> {
  return guarded(io, async () => {
    const vault = await openForVerify(io, db, flags);
    try {
      const plan = await vault.planRollback(snapshotId);
      if (!plan.verified) {
        const reason = plan.reason ?? 'data-mismatch';
        if (flags.json === true) printJson(io, { ...plan, applied: false });
        else
          io.stdout.write(
            `snapshot ${snapshotId}: DOES NOT VERIFY (${reason}): ${REASONS[reason]}; refusing to roll back\n`,
          );
        return INTEGRITY_EXIT.INTEGRITY;
      }
      const apply = flags.yes === true;
      const result = apply ? await vault.applyRollback(snapshotId, { confirmed: true }) : plan;
      if (flags.json === true) {
        printJson(io, { ...result, applied: apply });
        return INTEGRITY_EXIT.OK;
      }
      printPlan(io, result);
      io.stdout.write(apply ? 'applied\n' : 'dry run: nothing changed; pass --yes to apply\n');
      return INTEGRITY_EXIT.OK;
    } finally {
      await vault.close();
    }
  });
}

/** `memgar vault list <db>`: the stored snapshots, newest first. */
export async function vaultListCommand(db: string, flags: { json?: boolean }, io: CliIO): Promise<number> {
  return guarded(io, async () => {
    const vault = await MemoryVault.open({ path: requireFile(io, db, 'vault'), create: false });
    try {
      const list = await vault.listSnapshots();
      if (flags.json === true) printJson(io, list);
      else if (list.length === 0) io.stdout.write('no snapshots\n');
      else for (const s of list) io.stdout.write(`${s.id}  ${s.createdAt}  ${s.entryCount}  ${s.name}\n`);
      return INTEGRITY_EXIT.OK;
    } finally {
      await vault.close();
    }
  });
}

/** Adds `memgar vault keygen|snapshot|verify|rollback|list` to the program. */
export function registerVaultCommands(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const vault = program
    .command('vault')
    .description('signed snapshots of a memory vault (SQLite): take, verify, roll back')
    .addHelpText('after', INTEGRITY_EXIT_HELP);

  vault
    .command('keygen')
    .description('write a new Ed25519 signing key pair and a ledger HMAC key into a directory')
    .argument('<dir>', 'directory for signing.key, signing.pub and ledger.key (created if missing)')
    .option('--force', 'overwrite existing key files')
    .option('--json', 'print the key id and file paths as JSON')
    .addHelpText('after', INTEGRITY_EXIT_HELP)
    .action(async (dir: string, opts: VaultKeygenFlags) => {
      setExit(await vaultKeygenCommand(dir, opts, io));
    });

  vault
    .command('snapshot')
    .description('sign a snapshot of every entry in the vault')
    .argument('<db>', 'the vault file')
    .requiredOption('--name <name>', 'a name for the snapshot')
    .requiredOption('--key <keyfile>', 'the private signing key (signing.key)')
    .option('--json', 'print the snapshot summary as JSON')
    .addHelpText('after', INTEGRITY_EXIT_HELP)
    .action(async (db: string, opts: VaultSnapshotFlags) => {
      setExit(await vaultSnapshotCommand(db, opts, io));
    });

  vault
    .command('verify')
    .description("check a snapshot's signature, then compare it with the live entries")
    .argument('<db>', 'the vault file')
    .argument('<snapshotId>', 'the snapshot id')
    .option('--key <keyfile>', 'a trusted public key (signing.pub); repeatable; required', collect, [])
    .option('--json', 'print the verification as JSON')
    .addHelpText('after', INTEGRITY_EXIT_HELP)
    .action(async (db: string, snapshotId: string, opts: VaultTrustFlags) => {
      setExit(await vaultVerifyCommand(db, snapshotId, opts, io));
    });

  vault
    .command('rollback')
    .description('restore the entries of a verified snapshot (prints the plan only, unless --yes)')
    .argument('<db>', 'the vault file')
    .argument('<snapshotId>', 'the snapshot id')
    .option('--key <keyfile>', 'a trusted public key (signing.pub); repeatable; required', collect, [])
    .option('--yes', 'apply the rollback')
    .option('--json', 'print the plan as JSON')
    .addHelpText('after', INTEGRITY_EXIT_HELP)
    .action(async (db: string, snapshotId: string, opts: VaultRollbackFlags) => {
      setExit(await vaultRollbackCommand(db, snapshotId, opts, io));
    });

  vault
    .command('list')
    .description('list the snapshots in a vault (ids, times, entry counts, names)')
    .argument('<db>', 'the vault file')
    .option('--json', 'print the list as JSON')
    .action(async (db: string, opts: { json?: boolean }) => {
      setExit(await vaultListCommand(db, opts, io));
    });
}
