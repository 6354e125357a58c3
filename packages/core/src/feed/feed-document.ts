/**
 * The signed threat feed document (`memgar-feed/1`): rule records in the shape of the built-in
 * catalog, a monotonic version, a validity window and the id of the key that signed it.
 */
import { CorruptDataError } from '../errors/index.js';
import { canonicalJson } from '../integrity/canonical-json.js';
import type { Rule, Signal } from '../rules/types.js';

/** The format tag of this version of the feed document. */
export const FEED_FORMAT = 'memgar-feed/1';

/**
 * The domain prefix signed in front of the canonical payload (`<domain>\n<canonical JSON>`), so a
 * feed signature can never be replayed as a vault snapshot signature or the other way round.
 */
export const FEED_SIGNATURE_DOMAIN = 'memgar-feed/1';

/** A feed document without its signature: everything here is covered by the signature. */
export interface UnsignedFeed {
  format: typeof FEED_FORMAT;
  /** Monotonic integer ≥ 1; a feed older than the last one accepted is refused (rollback). */
  version: number;
  /** ISO 8601 UTC time the feed was issued. */
  issuedAt: string;
  /** ISO 8601 UTC time after which the feed is refused. */
  expiresAt: string;
  /** Id of the Ed25519 key that signs the feed (32 hex digits, as `vaultKeyId`). */
  keyId: string;
  /** Pattern and composite rule records, in the shape of the built-in catalog. */
  rules: Rule[];
  /** Signals the feed's composite rules need beyond the built-in ones. @default [] */
  signals?: Signal[];
}

/** A feed document as published: the unsigned part plus its Ed25519 signature (base64). */
export interface FeedDocument extends UnsignedFeed {
  signature: string;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?Z$/;
const KNOWN_FIELDS = new Set([
  'format',
  'version',
  'issuedAt',
  'expiresAt',
  'keyId',
  'rules',
  'signals',
  'signature',
]);

function malformed(message: string, file: string | undefined, cause?: unknown): CorruptDataError {
  return new CorruptDataError(
    `feed${file === undefined ? '' : ` ${file}`}: ${message}`,
    file === undefined ? {} : { file },
    cause === undefined ? {} : { cause },
  );
}

/** The time of an ISO 8601 UTC field, in ms since the epoch. */
export function feedTime(value: string): number {
  return Date.parse(value);
}

/**
 * Checks the shape of a feed document (JSON text or a parsed value): the fields, their types and
 * the format tag. Rule records are checked later, against the rule validation of the engine.
 * @throws CorruptDataError when the value is not a `memgar-feed/1` document.
 */
export function parseFeedDocument(input: unknown, file?: string): FeedDocument {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (cause) {
      throw malformed('is not JSON', file, cause);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed('must be a JSON object', file);
  }
  const d = value as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (!KNOWN_FIELDS.has(key)) throw malformed(`unknown field "${key}"`, file);
  }
  if (d.format !== FEED_FORMAT) {
    throw malformed(`format must be "${FEED_FORMAT}", got ${JSON.stringify(d.format)}`, file);
  }
  if (typeof d.version !== 'number' || !Number.isSafeInteger(d.version) || d.version < 1) {
    throw malformed('version must be an integer ≥ 1', file);
  }
  for (const key of ['issuedAt', 'expiresAt'] as const) {
    const v = d[key];
    if (typeof v !== 'string' || !ISO_UTC.test(v) || Number.isNaN(Date.parse(v))) {
      throw malformed(`${key} must be an ISO 8601 UTC time (YYYY-MM-DDTHH:MM:SSZ)`, file);
    }
  }
  if (feedTime(d.expiresAt as string) <= feedTime(d.issuedAt as string)) {
    throw malformed('expiresAt must be after issuedAt', file);
  }
  if (typeof d.keyId !== 'string' || !/^[0-9a-f]{32}$/.test(d.keyId)) {
    throw malformed('keyId must be 32 lower-case hex digits', file);
  }
  if (!Array.isArray(d.rules)) throw malformed('rules must be an array', file);
  for (const [i, r] of d.rules.entries()) {
    if (typeof r !== 'object' || r === null || Array.isArray(r)) {
      throw malformed(`rules[${i}] must be an object`, file);
    }
  }
  if (d.signals !== undefined) {
    if (!Array.isArray(d.signals)) throw malformed('signals must be an array', file);
    for (const [i, s] of d.signals.entries()) {
      if (typeof s !== 'object' || s === null || Array.isArray(s)) {
        throw malformed(`signals[${i}] must be an object`, file);
      }
    }
  }
  if (typeof d.signature !== 'string' || d.signature.length === 0) {
    throw malformed('signature must be a base64 string', file);
  }
  return d as unknown as FeedDocument;
}

/**
 * The exact text the signature covers: the canonical JSON (sorted keys, no white space, strict:
 * nothing JSON cannot carry) of every field of the document except `signature`.
 * @throws InvalidInputError when the document holds something JSON cannot carry faithfully.
 */
export function feedSigningPayload(feed: UnsignedFeed | FeedDocument): string {
  const { signature: _signature, ...unsigned } = feed as FeedDocument;
  return canonicalJson(unsigned, 'feed', { strict: true });
}
