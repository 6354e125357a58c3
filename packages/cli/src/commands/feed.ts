import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { MemgarError } from '@memgar/core';
import {
  exportVaultKey,
  type FeedFailureReason,
  type FeedVerification,
  feedFailureReason,
  generateVaultKeys,
  importFeedKey,
  importVaultKey,
  inspectFeed,
  signFeed,
  syncFeed,
} from '@memgar/core/node';
import type { Command } from 'commander';
import { errnoCode, UsageError } from '../errors.js';
import type { CliIO } from '../io.js';
import { readInputFile } from './vault.js';

/** Exit codes of `memgar feed …`. */
export const FEED_EXIT = {
  /** Done: keys written, feed signed, feed verifies, feed synced. */
  OK: 0,
  /** An unexpected internal error. */
  INTERNAL: 1,
  /** Usage or input error: unknown option, missing file, unreadable or wrong key file, bad --at. */
  USAGE: 2,
  /** `feed sync`: the source is unreachable (connection refused, timeout, HTTP error, missing file). */
  UNREACHABLE: 3,
  /** The feed is refused: malformed, unknown key, bad signature, expired, stale, rolled back, or an invalid, colliding or unsafe (ReDoS) rule. */
  REFUSED: 4,
} as const;

/** Exit-code documentation shown by `memgar feed --help`. */
export const FEED_EXIT_HELP = `
Exit codes:
  0  ok (keygen: keys written; sign: signed; verify: verifies; sync: cached)
  1  unexpected internal error
  2  usage or input error (missing file, unreadable or wrong key file, bad --at)
  3  sync: the source is unreachable (refused, timeout, HTTP error, missing file)
  4  the feed is refused: malformed, unknown key, bad signature, expired, stale,
     rolled back, or an invalid, colliding or unsafe (ReDoS) rule
`;

/** Why a feed is refused, in words. */
const REASONS: Record<FeedFailureReason, string> = {
  missing: 'there is no feed',
  malformed: 'it is not a memgar-feed/1 document',
  'unknown-key': 'it is signed by a key that is neither pinned nor passed with --key',
  'bad-signature': 'the signature does not match the content (edited body, version, dates or signature)',
  'not-yet-valid': 'it is issued in the future',
  expired: 'it has expired',
  stale: 'it was issued longer ago than --max-age-days',
  'rolled-back': 'its version is older than one already accepted',
  'rule-collision': 'a rule or signal id is already used by the built-in catalog',
  'invalid-rule': 'a rule or signal record is invalid',
  'unsafe-pattern': 'a regex could backtrack catastrophically (ReDoS)',
  unreachable: 'the source could not be read',
  'crypto-unavailable': 'this runtime cannot verify Ed25519 signatures',
};

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function printJson(io: CliIO, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

async function readPublicKeys(io: CliIO, files: readonly string[]): Promise<string[]> {
  const keys: string[] = [];
  for (const f of files) {
    const text = (await readInputFile(io, f, 'key file')).toString('utf8');
    try {
      keys.push(importFeedKey(text, '--key').publicKey);
    } catch (error) {
      throw new UsageError(`--key '${f}' is not an Ed25519 key (${(error as Error).message})`);
    }
  }
  return keys;
}

function parseAt(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t))
    throw new UsageError(`--at '${value}' is not a date (use ISO 8601, e.g. 2026-11-23T00:00:00Z)`);
  return t;
}

function parseMaxAge(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n > 0)) throw new UsageError(`--max-age-days '${value}' must be a number > 0`);
  return n;
}

/** Flags of `memgar feed keygen`. */
export interface FeedKeygenFlags {
  force?: boolean;
  json?: boolean;
}

/** `memgar feed keygen <dir>`: writes feed.key (private, 0600) and feed.pub. */
export async function feedKeygenCommand(dir: string, flags: FeedKeygenFlags, io: CliIO): Promise<number> {
  const target = resolve(io.cwd, dir);
  const files = { privateKey: join(target, 'feed.key'), publicKey: join(target, 'feed.pub') };
  if (flags.force !== true) {
    const present = Object.values(files).filter((f) => existsSync(f));
    if (present.length > 0) throw new UsageError(`${present.join(', ')} already exist (--force overwrites)`);
  }
  const key = exportVaultKey(generateVaultKeys(), { includePrivate: true });
  const flag = flags.force === true ? 'w' : 'wx';
  try {
    await mkdir(target, { recursive: true });
    await writeFile(files.privateKey, key.privateKey ?? '', { mode: 0o600, flag });
    await writeFile(files.publicKey, key.publicKey, { mode: 0o644, flag });
  } catch (error) {
    throw new UsageError(`cannot write keys to '${dir}' (${errnoCode(error) ?? String(error)})`);
  }
  if (flags.json === true) printJson(io, { keyId: key.keyId, ...files });
  else {
    io.stdout.write(
      `key id ${key.keyId}\n` +
        `  ${files.privateKey}  Ed25519 private key: signs feeds (keep secret)\n` +
        `  ${files.publicKey}  public key: trust it with feed.trustedKeys or --key\n`,
    );
  }
  return FEED_EXIT.OK;
}

/** Flags of `memgar feed sign`. */
export interface FeedSignFlags {
  key: string;
  out?: string;
}

/** `memgar feed sign <feed.json> --key <private>`: signs, after checking the rules as a verifier would. */
export async function feedSignCommand(file: string, flags: FeedSignFlags, io: CliIO): Promise<number> {
  const text = (await readInputFile(io, file, 'feed file')).toString('utf8');
  let content: unknown;
  try {
    content = JSON.parse(text);
  } catch (error) {
    io.stderr.write(`error [CORRUPT_DATA]: ${file} is not JSON (${(error as Error).message})\n`);
    return FEED_EXIT.REFUSED;
  }
  let key: ReturnType<typeof importVaultKey>;
  try {
    key = importVaultKey(await readInputFile(io, flags.key, 'key file'));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--key '${flags.key}' is not an Ed25519 key (${(error as Error).message})`);
  }
  if (key.privateKey === undefined) {
    throw new UsageError(
      `--key '${flags.key}' is a public key; feeds are signed with the private key (feed.key)`,
    );
  }
  let signed: ReturnType<typeof signFeed>;
  try {
    signed = signFeed(content as Parameters<typeof signFeed>[0], key);
  } catch (error) {
    if (MemgarError.isInstance(error)) {
      io.stderr.write(`error [${error.code}]: ${error.message}\n`);
      return FEED_EXIT.REFUSED;
    }
    throw error;
  }
  // Refuse to sign what every verifier would refuse (shape, rules, ReDoS); dates are not checked.
  const check = inspectFeed(signed, {
    trustedKeys: [exportVaultKey(key).publicKey],
    now: Date.parse(signed.issuedAt),
    maxAgeDays: Number.POSITIVE_INFINITY,
  });
  if (!check.valid) {
    io.stderr.write(`error [${check.error.code}]: not signed: ${check.error.message}\n`);
    return FEED_EXIT.REFUSED;
  }
  const out = `${JSON.stringify(signed, null, 2)}\n`;
  if (flags.out === undefined) io.stdout.write(out);
  else {
    try {
      await writeFile(resolve(io.cwd, flags.out), out);
    } catch (error) {
      throw new UsageError(`cannot write '${flags.out}' (${errnoCode(error) ?? String(error)})`);
    }
    io.stderr.write(
      `signed version ${signed.version} (${signed.rules.length} rule(s)) with key ${signed.keyId} → ${flags.out}\n`,
    );
  }
  return FEED_EXIT.OK;
}

/** Flags of `memgar feed verify`. */
export interface FeedVerifyFlags {
  key: string[];
  at?: string;
  maxAgeDays?: string;
  json?: boolean;
}

function report(io: CliIO, what: string, r: FeedVerification, json: boolean): number {
  if (json) {
    printJson(
      io,
      r.valid
        ? {
            valid: true,
            version: r.feed.version,
            keyId: r.feed.keyId,
            pinnedKey: r.feed.pinnedKey,
            issuedAt: r.feed.document.issuedAt,
            expiresAt: r.feed.document.expiresAt,
            rules: r.feed.rules.map((x) => x.id),
          }
        : { valid: false, reason: r.reason, code: r.error.code, message: r.error.message },
    );
  } else if (r.valid) {
    io.stdout.write(
      `${what}: valid: version ${r.feed.version}, ${r.feed.rules.length} rule(s), signed by key ${r.feed.keyId}${r.feed.pinnedKey ? ' (pinned)' : ''}, expires ${r.feed.document.expiresAt}\n`,
    );
  } else {
    io.stdout.write(`${what}: REFUSED (${r.reason}): ${REASONS[r.reason]}\n  ${r.error.message}\n`);
  }
  return r.valid ? FEED_EXIT.OK : FEED_EXIT.REFUSED;
}

/** `memgar feed verify <file>`: signature (pinned key or --key), dates, rules. */
export async function feedVerifyCommand(file: string, flags: FeedVerifyFlags, io: CliIO): Promise<number> {
  const text = (await readInputFile(io, file, 'feed file')).toString('utf8');
  const trustedKeys = await readPublicKeys(io, flags.key);
  const now = parseAt(flags.at);
  const maxAgeDays = parseMaxAge(flags.maxAgeDays);
  const r = inspectFeed(text, {
    trustedKeys,
    file,
    ...(now !== undefined ? { now } : {}),
    ...(maxAgeDays !== undefined ? { maxAgeDays } : {}),
  });
  return report(io, file, r, flags.json === true);
}

/** Flags of `memgar feed sync`. */
export interface FeedSyncFlags {
  from: string;
  cacheDir?: string;
  key: string[];
  timeout?: string;
  maxAgeDays?: string;
  json?: boolean;
}

/** `memgar feed sync --from <file|url>`: fetch, verify, refuse rollbacks, cache. */
export async function feedSyncCommand(flags: FeedSyncFlags, io: CliIO): Promise<number> {
  const trustedKeys = await readPublicKeys(io, flags.key);
  const maxAgeDays = parseMaxAge(flags.maxAgeDays);
  let timeoutMs: number | undefined;
  if (flags.timeout !== undefined) {
    timeoutMs = Number(flags.timeout);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 1) {
      throw new UsageError(`--timeout '${flags.timeout}' must be a positive integer (milliseconds)`);
    }
  }
  const from = /^[a-z][a-z0-9+.-]*:\/\//i.test(flags.from) ? flags.from : resolve(io.cwd, flags.from);
  try {
    const r = await syncFeed({
      from,
      trustedKeys,
      ...(flags.cacheDir !== undefined ? { cacheDir: resolve(io.cwd, flags.cacheDir) } : {}),
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(maxAgeDays !== undefined ? { maxAgeDays } : {}),
    });
    if (flags.json === true) {
      printJson(io, {
        synced: true,
        changed: r.changed,
        version: r.feed.version,
        previousVersion: r.previousVersion,
        keyId: r.feed.keyId,
        cacheDir: r.cacheDir,
        rules: r.feed.rules.map((x) => x.id),
      });
    } else {
      io.stdout.write(
        r.changed
          ? `cached feed version ${r.feed.version} (was ${r.previousVersion || 'none'}), ${r.feed.rules.length} rule(s), key ${r.feed.keyId}, in ${r.cacheDir}\n`
          : `feed version ${r.feed.version} is already cached in ${r.cacheDir}\n`,
      );
    }
    return FEED_EXIT.OK;
  } catch (error) {
    const reason = feedFailureReason(error);
    if (reason === undefined || !MemgarError.isInstance(error)) throw error;
    if (flags.json === true) {
      printJson(io, { synced: false, reason, code: error.code, message: error.message });
    } else {
      io.stderr.write(`error [${error.code}]: feed not synced (${reason}): ${error.message}\n`);
    }
    return reason === 'unreachable' ? FEED_EXIT.UNREACHABLE : FEED_EXIT.REFUSED;
  }
}

/** Adds `memgar feed keygen|sign|verify|sync` to the program. */
export function registerFeedCommands(program: Command, io: CliIO, setExit: (code: number) => void): void {
  const feed = program
    .command('feed')
    .description('the signed threat feed: make keys, sign, verify, sync into the cache the analyzer loads')
    .addHelpText('after', FEED_EXIT_HELP);

  feed
    .command('keygen')
    .description('write a new Ed25519 feed signing key pair (feed.key, feed.pub) into a directory')
    .argument('<dir>', 'directory for feed.key and feed.pub (created if missing)')
    .option('--force', 'overwrite existing key files')
    .option('--json', 'print the key id and file paths as JSON')
    .addHelpText('after', FEED_EXIT_HELP)
    .action(async (dir: string, opts: FeedKeygenFlags) => {
      setExit(await feedKeygenCommand(dir, opts, io));
    });

  feed
    .command('sign')
    .description('sign a feed (version, issuedAt, expiresAt, rules, signals) with a private key')
    .argument('<feed.json>', 'the feed content; format, keyId and any old signature are replaced')
    .requiredOption('--key <private.pem>', 'the Ed25519 private key (feed.key)')
    .option('-o, --out <file>', 'write the signed feed to a file instead of stdout')
    .addHelpText('after', FEED_EXIT_HELP)
    .action(async (file: string, opts: FeedSignFlags) => {
      setExit(await feedSignCommand(file, opts, io));
    });

  feed
    .command('verify')
    .description('verify a feed: signature (pinned key or --key), dates, version, rules and their regexes')
    .argument('<file>', 'the signed feed')
    .option('--key <public.pem>', 'also trust this public key (rotation); repeatable', collect, [])
    .option('--at <time>', 'verify as of this ISO 8601 time instead of now')
    .option('--max-age-days <n>', 'refuse a feed issued longer ago (default 7)')
    .option('--json', 'print the verification as JSON')
    .addHelpText('after', FEED_EXIT_HELP)
    .action(async (file: string, opts: FeedVerifyFlags) => {
      setExit(await feedVerifyCommand(file, opts, io));
    });

  feed
    .command('sync')
    .description('fetch (or read) a feed, verify it, refuse rollbacks and write it to the cache')
    .requiredOption('--from <file|url>', 'an http(s) URL or a file')
    .option('--cache-dir <dir>', 'the cache (default MEMGAR_FEED_CACHE_DIR, else ~/.cache/memgar/feeds)')
    .option('--key <public.pem>', 'also trust this public key (rotation); repeatable', collect, [])
    .option('--timeout <ms>', 'abort a fetch after this many milliseconds (default 10000)')
    .option('--max-age-days <n>', 'refuse a feed issued longer ago (default 7)')
    .option('--json', 'print the outcome as JSON')
    .addHelpText('after', FEED_EXIT_HELP)
    .action(async (opts: FeedSyncFlags) => {
      setExit(await feedSyncCommand(opts, io));
    });
}
