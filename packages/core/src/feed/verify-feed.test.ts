import { describe, expect, it } from 'vitest';
import {
  CorruptDataError,
  IntegrityError,
  InvalidInputError,
  InvalidOptionError,
  InvalidPatternError,
} from '../errors/index.js';
import { normalize } from '../normalize/index.js';
import { BUILTIN_RULES, BUILTIN_SIGNALS, RuleEngine } from '../rules/index.js';
import type { FeedDocument } from './feed-document.js';
import { PINNED_FEED_KEYS } from './feed-keys.js';
import {
  makeFeed,
  patternRule,
  SAMPLE_NOW,
  sampleFeed,
  sampleRecords,
  testKey,
} from './fixtures/feed-fixtures.js';
import { inspectFeed, verifyFeed } from './verify-feed.js';

const DAY = 86_400_000;

function reason(input: unknown, options: Parameters<typeof inspectFeed>[1] = {}): string {
  const r = inspectFeed(input, options);
  return r.valid ? 'valid' : r.reason;
}

describe('verifyFeed: the sample feed and the pinned key', () => {
  it('verifies the sample feed, signed with the pinned key', () => {
    const feed = verifyFeed(sampleFeed(), { now: SAMPLE_NOW });
    expect(feed.keyId).toBe(PINNED_FEED_KEYS[0]!.keyId);
    expect(feed.pinnedKey).toBe(true);
    expect(feed.rules.map((r) => r.id)).toEqual(['MG-FEED-001', 'MG-FEED-002', 'MG-FEED-003']);
  });

  it("runs every sample rule's examples next to the built-in catalog", () => {
    const { rules, signals } = sampleRecords();
    const engine = new RuleEngine({
      rules: [...BUILTIN_RULES, ...rules],
      signals: [...BUILTIN_SIGNALS, ...signals],
    });
    for (const rule of rules) {
      expect(rule.examples.positive.length).toBeGreaterThanOrEqual(2);
      expect(rule.examples.negative.length).toBeGreaterThanOrEqual(2);
      for (const t of rule.examples.positive) {
        expect(
          engine.scan(normalize(t)).map((f) => f.ruleId),
          t,
        ).toContain(rule.id);
      }
      for (const t of rule.examples.negative) {
        expect(
          engine.scan(normalize(t)).map((f) => f.ruleId),
          t,
        ).not.toContain(rule.id);
      }
    }
  });

  it('refuses the sample feed once the pinned key is not trusted', () => {
    expect(reason(sampleFeed(), { now: SAMPLE_NOW, trustPinnedKey: false })).toBe('unknown-key');
  });
});

describe('verifyFeed: tampering', () => {
  const tampered: [string, (d: FeedDocument) => FeedDocument][] = [
    ['a rule body', (d) => ({ ...d, rules: d.rules.map((r, i) => (i === 0 ? { ...r, weight: 0.01 } : r)) })],
    ['a dropped rule', (d) => ({ ...d, rules: d.rules.slice(1) })],
    ['the version', (d) => ({ ...d, version: d.version + 1 })],
    ['issuedAt', (d) => ({ ...d, issuedAt: '2026-11-22T12:00:00Z' })],
    ['expiresAt', (d) => ({ ...d, expiresAt: '2030-01-01T00:00:00Z' })],
    ['the signals', (d) => ({ ...d, signals: [] })],
    [
      'the signature',
      (d) => ({ ...d, signature: `${d.signature[0] === 'A' ? 'B' : 'A'}${d.signature.slice(1)}` }),
    ],
  ];
  for (const [what, edit] of tampered) {
    it(`refuses an edited ${what} (bad-signature, IntegrityError)`, () => {
      const r = inspectFeed(edit(sampleFeed()), { now: SAMPLE_NOW });
      expect(r.valid).toBe(false);
      if (r.valid) return;
      expect(r.reason).toBe('bad-signature');
      expect(IntegrityError.isInstance(r.error)).toBe(true);
      expect(() => verifyFeed(edit(sampleFeed()), { now: SAMPLE_NOW })).toThrow(IntegrityError);
    });
  }

  it('refuses a feed re-signed by an unknown key, and a key id swapped to the pinned one', () => {
    const { key } = testKey();
    const foreign = makeFeed(key, {}, SAMPLE_NOW);
    expect(reason(foreign, { now: SAMPLE_NOW })).toBe('unknown-key');
    expect(reason({ ...foreign, keyId: PINNED_FEED_KEYS[0]!.keyId }, { now: SAMPLE_NOW })).toBe(
      'bad-signature',
    );
    expect(reason(JSON.stringify(foreign).slice(0, 50))).toBe('malformed');
  });
});

describe('verifyFeed: rotation through trusted keys', () => {
  it('accepts a feed signed by a configured key, PEM text or { publicKey, keyId }', () => {
    const { key, publicPem } = testKey();
    const feed = makeFeed(key);
    expect(verifyFeed(feed, { trustedKeys: [publicPem] }).pinnedKey).toBe(false);
    expect(verifyFeed(feed, { trustedKeys: [{ publicKey: publicPem, keyId: key.keyId }] }).keyId).toBe(
      key.keyId,
    );
    expect(reason(feed)).toBe('unknown-key');
    expect(() => verifyFeed(feed, { trustedKeys: ['nope'] })).toThrow(InvalidOptionError);
  });
});

describe('verifyFeed: dates and versions', () => {
  const { key, publicPem } = testKey();
  const trustedKeys = [publicPem];
  const now = Date.parse('2026-06-01T00:00:00Z');

  it('refuses an expired feed, a stale one, and one issued in the future', () => {
    const feed = makeFeed(key, {}, now);
    expect(reason(feed, { trustedKeys, now })).toBe('valid');
    expect(reason(feed, { trustedKeys, now: now + 31 * DAY, maxAgeDays: 60 })).toBe('expired');
    expect(reason(feed, { trustedKeys, now: now + 8 * DAY })).toBe('stale');
    expect(reason(feed, { trustedKeys, now: now + 8 * DAY, maxAgeDays: 10 })).toBe('valid');
    expect(reason(feed, { trustedKeys, now: now - DAY })).toBe('not-yet-valid');
  });

  it('refuses a version older than the last accepted one (rollback)', () => {
    const feed = makeFeed(key, { version: 3 }, now);
    expect(reason(feed, { trustedKeys, now, minVersion: 3 })).toBe('valid');
    const r = inspectFeed(feed, { trustedKeys, now, minVersion: 4 });
    expect(r.valid ? 'valid' : [r.reason, IntegrityError.isInstance(r.error)]).toEqual(['rolled-back', true]);
  });
});

describe('verifyFeed: rule records', () => {
  const { key, publicPem } = testKey();
  const trustedKeys = [publicPem];

  it('refuses rule and signal ids that collide with the built-in catalog or reserved ids', () => {
    const builtin = BUILTIN_RULES[0]!;
    const colliding = makeFeed(key, { rules: [{ ...sampleRecords().rules[0]!, id: builtin.id }] });
    const r = inspectFeed(colliding, { trustedKeys });
    expect(r.valid ? 'valid' : [r.reason, InvalidInputError.isInstance(r.error)]).toEqual([
      'rule-collision',
      true,
    ]);
    expect(r.valid || r.error.message).toContain(builtin.id);
    const signal = makeFeed(key, {
      signals: [...sampleRecords().signals, { ...sampleRecords().signals[0]!, id: BUILTIN_SIGNALS[0]!.id }],
    });
    expect(reason(signal, { trustedKeys })).toBe('rule-collision');
    expect(reason(makeFeed(key), { trustedKeys, reservedIds: ['MG-FEED-002'] })).toBe('rule-collision');
  });

  it('refuses invalid records with InvalidInputError', () => {
    const base = sampleRecords();
    const bad: [string, Partial<FeedDocument>][] = [
      ['unknown category', { rules: [{ ...base.rules[0]!, category: 'nope' as never }] }],
      ['weight above 1', { rules: [{ ...base.rules[0]!, weight: 2 }] }],
      ['upper-case keyword', { rules: [patternRule('MG-X-001', 'abc', ['ABC'])] }],
      ['pattern that does not compile', { rules: [patternRule('MG-X-002', '(abc')] }],
      ['composite with an unknown signal', { rules: [base.rules[2]!], signals: [] }],
      ['duplicate rule id', { rules: [base.rules[0]!, base.rules[0]!] }],
    ];
    for (const [what, o] of bad) {
      const r = inspectFeed(makeFeed(key, o), { trustedKeys });
      expect(r.valid ? 'valid' : [r.reason, InvalidInputError.isInstance(r.error)], what).toEqual([
        'invalid-rule',
        true,
      ]);
    }
  });

  it('refuses a catastrophic pattern, screen or signal regex with InvalidPatternError', () => {
    const rule = patternRule('MG-X-003', '(a+)+$');
    expect(() => verifyFeed(makeFeed(key, { rules: [rule] }), { trustedKeys })).toThrow(InvalidPatternError);
    const nested = patternRule('MG-X-004', '(?:aaa|a){1,40}$');
    expect(reason(makeFeed(key, { rules: [nested] }), { trustedKeys })).toBe('unsafe-pattern');
    const screened = {
      ...patternRule('MG-X-005', 'aaa'),
      screen: { pattern: '(a|aa){1,50}b', lookback: 10 },
    };
    expect(reason(makeFeed(key, { rules: [screened] }), { trustedKeys })).toBe('unsafe-pattern');
    const signals = [{ ...sampleRecords().signals[0]!, pattern: '(x+x+)+y' }, sampleRecords().signals[1]!];
    expect(reason(makeFeed(key, { signals }), { trustedKeys })).toBe('unsafe-pattern');
  });

  it('refuses a malformed document with CorruptDataError before any crypto', () => {
    const r = inspectFeed({ format: 'memgar-feed/1' }, { trustedKeys });
    expect(r.valid ? 'valid' : [r.reason, CorruptDataError.isInstance(r.error)]).toEqual(['malformed', true]);
  });
});
