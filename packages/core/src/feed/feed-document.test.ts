import { describe, expect, it } from 'vitest';
import { CorruptDataError } from '../errors/index.js';
import { FEED_FORMAT, feedSigningPayload, parseFeedDocument } from './feed-document.js';
import { sampleFeed } from './fixtures/feed-fixtures.js';

describe('parseFeedDocument', () => {
  it('accepts the sample feed, as text and as a value', () => {
    const doc = sampleFeed();
    expect(parseFeedDocument(JSON.stringify(doc)).version).toBe(doc.version);
    expect(parseFeedDocument(doc).format).toBe(FEED_FORMAT);
  });

  const cases: [string, (d: Record<string, unknown>) => unknown][] = [
    ['not JSON', () => '{"format":'],
    ['an array', () => []],
    ['an unknown field', (d) => ({ ...d, extra: 1 })],
    ['another format', (d) => ({ ...d, format: 'memgar-feed/2' })],
    ['a fractional version', (d) => ({ ...d, version: 1.5 })],
    ['version 0', (d) => ({ ...d, version: 0 })],
    ['a local-time date', (d) => ({ ...d, issuedAt: '2026-11-22T00:00:00+01:00' })],
    ['expiry before issue', (d) => ({ ...d, expiresAt: '2026-01-01T00:00:00Z' })],
    ['a bad key id', (d) => ({ ...d, keyId: 'KEY' })],
    ['rules not an array', (d) => ({ ...d, rules: {} })],
    ['a rule that is not an object', (d) => ({ ...d, rules: ['x'] })],
    ['signals not an array', (d) => ({ ...d, signals: 'x' })],
    ['no signature', (d) => ({ ...d, signature: undefined })],
  ];
  for (const [name, edit] of cases) {
    it(`refuses ${name} with CorruptDataError`, () => {
      const input = edit(sampleFeed() as unknown as Record<string, unknown>);
      const value = typeof input === 'string' ? input : JSON.parse(JSON.stringify(input));
      expect(() => parseFeedDocument(value, 'x.json')).toThrow(CorruptDataError);
      try {
        parseFeedDocument(value, 'x.json');
      } catch (e) {
        expect(CorruptDataError.isInstance(e) && e.file).toBe('x.json');
      }
    });
  }
});

describe('feedSigningPayload', () => {
  it('covers every field but the signature, whatever the key order', () => {
    const doc = sampleFeed();
    const payload = feedSigningPayload(doc);
    expect(payload).not.toContain(doc.signature);
    for (const field of ['format', 'version', 'issuedAt', 'expiresAt', 'keyId', 'rules', 'signals']) {
      expect(payload).toContain(`"${field}":`);
    }
    const reordered = Object.fromEntries(Object.entries(doc).reverse()) as typeof doc;
    expect(feedSigningPayload(reordered)).toBe(payload);
    expect(feedSigningPayload({ ...doc, signature: 'other' })).toBe(payload);
    expect(feedSigningPayload({ ...doc, version: doc.version + 1 })).not.toBe(payload);
  });
});
