import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from '../integrity/canonical-json.js';

/** Format version written in every ledger record. */
export const LEDGER_VERSION = 1;

/** `prevHash` of the first record: 64 zeros. */
export const GENESIS_HASH = '0'.repeat(64);

/** One line of a ledger file. */
export interface LedgerRecord {
  /** Format version (1). */
  v: number;
  /** Position in the ledger, from 1, without gaps. */
  seq: number;
  /** When the record was appended (ISO 8601, UTC). */
  ts: string;
  /** The event type, e.g. `register`, `remove`, `snapshot`, `rollback`. */
  type: string;
  /** The memory entry the event is about. */
  entryId: string;
  /** Hex SHA-256 of the entry's content, or null (e.g. for a removal). */
  contentHash: string | null;
  /** Key id: the first 16 hex digits of HMAC-SHA256(key, "memgar-ledger-key-id"). */
  kid: string;
  /** `hash` of the previous record; 64 zeros for the first. */
  prevHash: string;
  /** Hex SHA-256 of `prevHash + "\n" + canonical JSON of the fields above` (keys sorted). */
  hash: string;
  /** Hex HMAC-SHA256(key, the 32 bytes of `hash`). */
  mac: string;
}

/** Why a record fails verification. */
export type LedgerFailureReason =
  /** The line is not a JSON object with exactly the record fields of the right types. */
  | 'malformed'
  /** The last line has no terminating newline: a write was cut off (crash) or the file was truncated. */
  | 'truncated'
  /** The record's key id is not the key's: wrong key (or an edited `kid`). */
  | 'key'
  /** `seq` is not the next number: a record was deleted, reordered, duplicated or inserted. */
  | 'sequence'
  /** `prevHash` is not the previous record's `hash`: the chain is broken. */
  | 'chain'
  /** `hash` does not match the record's fields: the record was edited. */
  | 'hash'
  /** The MAC does not verify: the record was forged or re-hashed without the key. */
  | 'mac'
  /** The ledger ends before, or differs at, the head the caller expected. */
  | 'head';

const HEX64 = /^[0-9a-f]{64}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const FIELDS = ['v', 'seq', 'ts', 'type', 'entryId', 'contentHash', 'kid', 'prevHash', 'hash', 'mac'];

/** @internal The key id of an HMAC key. */
export function ledgerKeyId(key: Uint8Array): string {
  return createHmac('sha256', key).update('memgar-ledger-key-id').digest('hex').slice(0, 16);
}

/** @internal The hash of a record's fields chained to `prevHash`. */
export function recordHash(r: Omit<LedgerRecord, 'hash' | 'mac'>): string {
  const body = canonicalJson(
    {
      v: r.v,
      seq: r.seq,
      ts: r.ts,
      type: r.type,
      entryId: r.entryId,
      contentHash: r.contentHash,
      kid: r.kid,
      prevHash: r.prevHash,
    },
    'record',
    { strict: true },
  );
  return createHash('sha256').update(`${r.prevHash}\n${body}`).digest('hex');
}

/** @internal HMAC-SHA256 of the raw bytes of a record hash. */
export function recordMac(key: Uint8Array, hash: string): string {
  return createHmac('sha256', key).update(Buffer.from(hash, 'hex')).digest('hex');
}

/** @internal Serializes a record as one line (with its newline). */
export function serializeRecord(r: LedgerRecord): string {
  const ordered: LedgerRecord = {
    v: r.v,
    seq: r.seq,
    ts: r.ts,
    type: r.type,
    entryId: r.entryId,
    contentHash: r.contentHash,
    kid: r.kid,
    prevHash: r.prevHash,
    hash: r.hash,
    mac: r.mac,
  };
  return `${JSON.stringify(ordered)}\n`;
}

/** @internal Parses one line; `undefined` when it is not a well-formed record. */
export function parseRecord(text: string): LedgerRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length !== FIELDS.length || !FIELDS.every((f) => f in o)) return undefined;
  const ok =
    o.v === LEDGER_VERSION &&
    typeof o.seq === 'number' &&
    Number.isSafeInteger(o.seq) &&
    o.seq >= 1 &&
    typeof o.ts === 'string' &&
    typeof o.type === 'string' &&
    typeof o.entryId === 'string' &&
    (o.contentHash === null || (typeof o.contentHash === 'string' && HEX64.test(o.contentHash))) &&
    typeof o.kid === 'string' &&
    HEX16.test(o.kid) &&
    typeof o.prevHash === 'string' &&
    HEX64.test(o.prevHash) &&
    typeof o.hash === 'string' &&
    HEX64.test(o.hash) &&
    typeof o.mac === 'string' &&
    HEX64.test(o.mac);
  return ok ? (o as unknown as LedgerRecord) : undefined;
}

/** The first record that fails verification. */
export interface LedgerFailure {
  /** The seq expected at that position (records before it + 1). */
  seq: number;
  /** The 1-based line in the file. */
  line: number;
  /** What failed. */
  reason: LedgerFailureReason;
  /** A sentence for humans. */
  message: string;
}

/**
 * @internal Checks records one by one against the chain so far. `push` returns the failure of
 * the line, or undefined when it verifies (and advances the head).
 */
export class ChainVerifier {
  /** Records verified so far. */
  records = 0;
  /** Hash of the last verified record. */
  head = GENESIS_HASH;
  private readonly kid: string;

  constructor(private readonly key: Uint8Array) {
    this.kid = ledgerKeyId(key);
  }

  push(text: string, line: number, terminated: boolean): LedgerFailure | undefined {
    const seq = this.records + 1;
    const fail = (reason: LedgerFailureReason, message: string): LedgerFailure => ({
      seq,
      line,
      reason,
      message,
    });
    if (!terminated) {
      return fail('truncated', `line ${line} has no newline: a write was cut off (${text.length} bytes)`);
    }
    const r = parseRecord(text);
    if (r === undefined) return fail('malformed', `line ${line} is not a ledger record`);
    if (r.kid !== this.kid) {
      return fail('key', `record key id ${r.kid} is not this key's (${this.kid}): wrong key or edited`);
    }
    if (r.seq !== seq) return fail('sequence', `expected seq ${seq}, found ${r.seq}`);
    if (r.prevHash !== this.head) return fail('chain', `prevHash does not link to record ${seq - 1}`);
    if (recordHash(r) !== r.hash) return fail('hash', `record ${seq} does not match its hash: edited`);
    const mac = Buffer.from(recordMac(this.key, r.hash), 'hex');
    if (!timingSafeEqual(mac, Buffer.from(r.mac, 'hex'))) {
      return fail('mac', `record ${seq} has an invalid MAC: forged or re-hashed without the key`);
    }
    this.records = seq;
    this.head = r.hash;
    return undefined;
  }
}
