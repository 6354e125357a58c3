/**
 * Verification of a feed document: signature by a trusted key, validity window, version against
 * the last one accepted, and the rule records (shape, ids, ReDoS safety). Runtime-agnostic except
 * for the Ed25519 check, which needs node:crypto (see `feed-keys.ts`).
 */
import {
  CorruptDataError,
  CryptoUnavailableError,
  IntegrityError,
  InvalidInputError,
  InvalidPatternError,
  type MemgarError,
} from '../errors/index.js';
import { BUILTIN_RULES, BUILTIN_SIGNALS } from '../rules/catalog/index.js';
import { validateRules, validateSignals } from '../rules/rule-validation.js';
import type { Rule, Signal } from '../rules/types.js';
import {
  FEED_SIGNATURE_DOMAIN,
  type FeedDocument,
  feedSigningPayload,
  feedTime,
  parseFeedDocument,
} from './feed-document.js';
import { type FeedKey, importFeedKey, PINNED_FEED_KEYS, verifyFeedSignature } from './feed-keys.js';
import { checkFeedRegex } from './regex-safety.js';

const DAY_MS = 86_400_000;
/** Clock skew tolerated on `issuedAt` (a feed issued slightly in the future). */
const CLOCK_SKEW_MS = 5 * 60_000;

/** Why a feed was refused. */
export type FeedFailureReason =
  /** No feed where one was expected (nothing cached yet). */
  | 'missing'
  /** Not a `memgar-feed/1` document (bad JSON, wrong fields). */
  | 'malformed'
  /** Signed by a key that is neither pinned nor trusted by configuration. */
  | 'unknown-key'
  /** The signature does not match the content (edited body, version, dates or signature). */
  | 'bad-signature'
  /** `issuedAt` lies in the future. */
  | 'not-yet-valid'
  /** `expiresAt` has passed. */
  | 'expired'
  /** Issued longer ago than `maxAgeDays`. */
  | 'stale'
  /** The version is older than the last one accepted. */
  | 'rolled-back'
  /** A rule or signal id is already used by the built-in catalog (or a custom pattern). */
  | 'rule-collision'
  /** A rule or signal record is invalid (shape, category, unknown signal…). */
  | 'invalid-rule'
  /** A regex could backtrack catastrophically (ReDoS). */
  | 'unsafe-pattern'
  /** The source could not be read or fetched (network error, timeout, HTTP error, I/O error). */
  | 'unreachable'
  /** The runtime cannot verify Ed25519 signatures. */
  | 'crypto-unavailable';

/** Options of `verifyFeed` and `inspectFeed`. */
export interface VerifyFeedOptions {
  /**
   * Public keys trusted besides the pinned one (key rotation): SPKI PEM text or `{ publicKey }`.
   * @default []
   */
  trustedKeys?: readonly (string | { publicKey: string; keyId?: string })[];
  /** Trust the key pinned in the package. @default true */
  trustPinnedKey?: boolean;
  /** Refuse a feed issued longer ago than this many days. @default 7 */
  maxAgeDays?: number;
  /** Refuse a feed whose version is older than this (the last one accepted). @default 0 */
  minVersion?: number;
  /** Rule and signal ids the feed must not use, besides the built-in ones. @default [] */
  reservedIds?: readonly string[];
  /** The time to verify at, in ms since the epoch. @default Date.now() */
  now?: number;
  /** The file the document came from, for messages. */
  file?: string;
}

/** A feed that verified: its document, the key that signed it, and its records. */
export interface VerifiedFeed {
  document: FeedDocument;
  keyId: string;
  /** Whether the signing key is the pinned one (rather than one trusted by configuration). */
  pinnedKey: boolean;
  version: number;
  rules: readonly Rule[];
  signals: readonly Signal[];
}

/** The outcome of `inspectFeed`. */
export type FeedVerification =
  | { valid: true; feed: VerifiedFeed }
  | { valid: false; reason: FeedFailureReason; error: MemgarError };

/** The keys a verification trusts: the pinned ones (unless turned off) and the configured ones. */
export function trustedFeedKeys(
  options: Pick<VerifyFeedOptions, 'trustedKeys' | 'trustPinnedKey'>,
): FeedKey[] {
  const keys = options.trustPinnedKey === false ? [] : [...PINNED_FEED_KEYS];
  for (const k of options.trustedKeys ?? []) keys.push(importFeedKey(k));
  return keys;
}

function integrity(message: string): IntegrityError {
  return new IntegrityError(message, { what: 'feed' });
}

/**
 * Verifies a feed (JSON text or a parsed value) and reports why it is refused rather than throwing.
 * Checks, in order: shape, key, signature, dates, version, then the rule records.
 * @throws InvalidOptionError for an invalid trusted key (a configuration error, not a feed error).
 */
export function inspectFeed(input: unknown, options: VerifyFeedOptions = {}): FeedVerification {
  const keys = trustedFeedKeys(options);
  const fail = (reason: FeedFailureReason, error: MemgarError): FeedVerification => ({
    valid: false,
    reason,
    error,
  });
  let doc: FeedDocument;
  try {
    doc = parseFeedDocument(input, options.file);
  } catch (error) {
    if (CorruptDataError.isInstance(error)) return fail('malformed', error);
    throw error;
  }
  const where = options.file === undefined ? '' : ` (${options.file})`;
  const key = keys.find((k) => k.keyId === doc.keyId);
  if (key === undefined) {
    return fail('unknown-key', integrity(`feed${where} is signed by key ${doc.keyId}, which is not trusted`));
  }
  let payload: string;
  try {
    payload = feedSigningPayload(doc);
  } catch (error) {
    return fail(
      'malformed',
      new CorruptDataError(`feed${where}: ${(error as Error).message}`, {}, { cause: error }),
    );
  }
  let ok: boolean;
  try {
    ok = verifyFeedSignature(key, FEED_SIGNATURE_DOMAIN, payload, doc.signature);
  } catch (error) {
    if (CryptoUnavailableError.isInstance(error)) return fail('crypto-unavailable', error);
    throw error;
  }
  if (!ok) {
    return fail(
      'bad-signature',
      integrity(
        `feed${where}: the signature does not match the content (tampered or re-signed by another key)`,
      ),
    );
  }
  const now = options.now ?? Date.now();
  const issued = feedTime(doc.issuedAt);
  if (issued > now + CLOCK_SKEW_MS) {
    return fail(
      'not-yet-valid',
      integrity(`feed${where} version ${doc.version} is issued in the future (${doc.issuedAt})`),
    );
  }
  if (feedTime(doc.expiresAt) <= now) {
    return fail('expired', integrity(`feed${where} version ${doc.version} expired at ${doc.expiresAt}`));
  }
  const maxAgeDays = options.maxAgeDays ?? 7;
  if (now - issued > maxAgeDays * DAY_MS) {
    return fail(
      'stale',
      integrity(
        `feed${where} version ${doc.version} was issued at ${doc.issuedAt}, more than ${maxAgeDays} day(s) ago`,
      ),
    );
  }
  const minVersion = options.minVersion ?? 0;
  if (doc.version < minVersion) {
    return fail(
      'rolled-back',
      integrity(
        `feed${where} version ${doc.version} is older than version ${minVersion} already accepted (rollback)`,
      ),
    );
  }
  const rules = doc.rules;
  const signals = doc.signals ?? [];
  const reserved = new Set<string>([
    ...BUILTIN_RULES.map((r) => r.id),
    ...BUILTIN_SIGNALS.map((s) => s.id),
    ...(options.reservedIds ?? []),
  ]);
  for (const r of [...rules, ...signals]) {
    if (reserved.has(r.id)) {
      return fail(
        'rule-collision',
        new InvalidInputError(
          'rules',
          `feed${where}: id "${r.id}" is already used by a built-in rule, signal or custom pattern`,
        ),
      );
    }
  }
  try {
    validateSignals(signals);
    validateRules(rules, new Set([...BUILTIN_SIGNALS.map((s) => s.id), ...signals.map((s) => s.id)]));
  } catch (error) {
    return fail(
      'invalid-rule',
      new InvalidInputError('rules', `feed${where}: ${(error as Error).message}`, { cause: error }),
    );
  }
  try {
    for (const r of rules) {
      if (r.kind !== 'pattern') continue;
      checkFeedRegex(r.id, r.pattern);
      if (r.screen !== undefined) checkFeedRegex(`${r.id} (screen)`, r.screen.pattern);
    }
    for (const s of signals) if (s.pattern !== undefined) checkFeedRegex(`signal:${s.id}`, s.pattern);
  } catch (error) {
    if (InvalidPatternError.isInstance(error)) return fail('unsafe-pattern', error);
    throw error;
  }
  return {
    valid: true,
    feed: {
      document: doc,
      keyId: key.keyId,
      pinnedKey: PINNED_FEED_KEYS.some((k) => k.keyId === key.keyId),
      version: doc.version,
      rules,
      signals,
    },
  };
}

/**
 * Verifies a feed and returns it; see `inspectFeed` for the checks.
 * @throws CorruptDataError (malformed), IntegrityError (key, signature, dates, rollback),
 * InvalidInputError (colliding or invalid rules), InvalidPatternError (ReDoS),
 * CryptoUnavailableError (no Ed25519 in this runtime).
 */
export function verifyFeed(input: unknown, options: VerifyFeedOptions = {}): VerifiedFeed {
  const r = inspectFeed(input, options);
  if (!r.valid) throw r.error;
  return r.feed;
}
