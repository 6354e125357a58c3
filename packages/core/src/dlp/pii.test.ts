import { describe, expect, it } from 'vitest';
import { ibanValid, luhnValid, shannonEntropy, ssnValid } from './checksums.js';
import { detectSensitiveData } from './detect.js';
import type { DlpType } from './types.js';

function found(text: string): { type: DlpType; value: string }[] {
  return detectSensitiveData(text).map((f) => ({ type: f.type, value: text.slice(f.start, f.end) }));
}

describe('DLP checksums', () => {
  it('Luhn, IBAN mod-97, SSN rules and entropy', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(ibanValid('DE89370400440532013000')).toBe(true);
    expect(ibanValid('DE89370400440532013001')).toBe(false);
    // Right checksum, wrong length for the country.
    expect(ibanValid('DE8937040044053201300')).toBe(false);
    expect(ssnValid('536', '90', '4399')).toBe(true);
    for (const [a, g, s] of [
      ['000', '12', '3456'],
      ['666', '12', '3456'],
      ['912', '12', '3456'],
      ['536', '00', '4399'],
      ['536', '90', '0000'],
      ['078', '05', '1120'],
    ] as const) {
      expect(ssnValid(a, g, s), `${a}-${g}-${s}`).toBe(false);
    }
    expect(shannonEntropy('aaaa')).toBe(0);
    expect(shannonEntropy('abcd')).toBe(2);
  });
});

describe('DLP PII: positives with exact spans', () => {
  it('e-mail addresses', () => {
    expect(found('Write to jane.doe+news@mail.example.co.uk, thanks.')).toEqual([
      { type: 'email', value: 'jane.doe+news@mail.example.co.uk' },
    ]);
  });

  it('phone numbers: international, North American, national with context', () => {
    const cases = [
      ['Call me at +44 20 7946 0958 tomorrow.', '+44 20 7946 0958'],
      ['US office: +1 (415) 555-0132.', '+1 (415) 555-0132'],
      ['Support line (415) 555-0132, weekdays.', '(415) 555-0132'],
      ['Her number is 415-555-0132.', '415-555-0132'],
      ['Phone: 030 1234 5678', '030 1234 5678'],
      ['Reach him on +4915112345678 via WhatsApp.', '+4915112345678'],
    ];
    for (const [text, value] of cases) expect(found(text!), text).toEqual([{ type: 'phone', value }]);
  });

  it('IBANs with a valid checksum and the country’s length, grouped or compact', () => {
    expect(found('Pay to DE89 3704 0044 0532 0130 00 THE END')).toEqual([
      { type: 'iban', value: 'DE89 3704 0044 0532 0130 00' },
    ]);
    expect(found('IBAN: GB82WEST12345698765432.')).toEqual([
      { type: 'iban', value: 'GB82WEST12345698765432' },
    ]);
    expect(found('FR14 2004 1010 0505 0001 3M02 606')).toEqual([
      { type: 'iban', value: 'FR14 2004 1010 0505 0001 3M02 606' },
    ]);
  });

  it('payment cards that pass Luhn and match a brand’s prefix and length', () => {
    expect(found('Card: 4111 1111 1111 1111, exp 12/29')).toEqual([
      { type: 'credit_card', value: '4111 1111 1111 1111' },
    ]);
    expect(found('mastercard 5500-0000-0000-0004')).toEqual([
      { type: 'credit_card', value: '5500-0000-0000-0004' },
    ]);
    expect(found('amex 378282246310005')).toEqual([{ type: 'credit_card', value: '378282246310005' }]);
  });

  it('US SSNs: dashed, or bare with an SSN word before them', () => {
    expect(found('Employee SSN 536-90-4399 on file.')).toEqual([{ type: 'us_ssn', value: '536-90-4399' }]);
    expect(found('social security number: 536904399')).toEqual([{ type: 'us_ssn', value: '536904399' }]);
    expect(found('her number 536-90-4399')).toEqual([{ type: 'us_ssn', value: '536-90-4399' }]);
  });
});

describe('DLP PII: benign look-alikes are not reported', () => {
  it('asset names, package versions and scoped packages are not e-mails', () => {
    for (const text of [
      'Use icon@2x.png and logo@3x.webp for retina screens.',
      'Pin lodash@4.17.21 and install @memgar/core.',
      'Mention @jane in the channel.',
      'email me at jane..doe@example.com is invalid',
    ]) {
      expect(found(text), text).toEqual([]);
    }
  });

  it('dates, times, versions, IPs, ISBNs, order and short numbers are not phones', () => {
    for (const text of [
      'Released 2024-01-15 at 10:30:45 UTC.',
      'Due 15.01.2024, reminder 01/02/2025.',
      'Upgrade to version 1.22.3.4 now.',
      'The server listens on 192.168.100.200 port 8080.',
      'ISBN 978-3-16-148410-0',
      'Order #123456789 shipped; tracking 1Z 999 AA1 01 2345 6784.',
      'Call 555-0199 for the front desk.',
      'SKU 1234-5678-90 is out of stock.',
      'Revenue grew from 1,234,567 to 2,345,678 dollars.',
      'invoice no. 0301 2345 6789',
    ]) {
      expect(found(text), text).toEqual([]);
    }
  });

  it('a bad checksum or an unknown country is not an IBAN', () => {
    expect(found('DE89 3704 0044 0532 0130 01')).toEqual([]);
    expect(found('Reference AB12 3456 7890 1234 5678')).toEqual([]);
    expect(found('Part number GB82WEST123456987654321X')).toEqual([]);
  });

  it('numbers that fail Luhn, have no brand, or are ids are not cards', () => {
    expect(found('4111 1111 1111 1112')).toEqual([]);
    expect(found('Timestamp 1700000000000 ms')).toEqual([]);
    expect(found('Account 9999 8888 7777 6666')).toEqual([]);
    // A Luhn-valid number after "order" is an order number.
    expect(found('order 4111111111111111')).toEqual([]);
  });

  it('invalid SSNs, sample SSNs and bare nine-digit numbers without context are not SSNs', () => {
    for (const text of [
      'ssn 666-12-3456',
      'ssn 912-12-3456',
      'ssn 536-00-4399',
      'The example SSN 078-05-1120 was printed on wallets.',
      'Tracking number 536904399',
      'ZIP+4 94105-1234',
    ]) {
      expect(found(text), text).toEqual([]);
    }
  });

  it('ordinary prose and code produce no finding at all', () => {
    const prose = `Dear team, the quarterly review moved to 2024-03-14 at 09:30. Please bring the figures for
order 100045 and the v3.2.1 release notes. Our build 4.0.0-rc.2 passed 1,532 tests in 12.4 seconds; the
flaky test (issue #8812) is fixed in commit 9fceb02d0ae598e95dc970b74767f19372d61af8. Room 204, floor 3.`;
    const code = `export function total(items: Item[]): number {
  const id = '550e8400-e29b-41d4-a716-446655440000';
  const version = '2.14.3'; // released 2023-11-02
  return items.reduce((sum, i) => sum + i.price * 1.0825, 0); // tax 8.25 %
}
const password = process.env.DB_PASSWORD;
const hash = createHash('sha256').update(body).digest('hex');`;
    expect(found(prose)).toEqual([]);
    expect(found(code)).toEqual([]);
  });
});
