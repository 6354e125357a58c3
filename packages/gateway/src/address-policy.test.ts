import { InvalidOptionError } from '@memgar/core';
import { describe, expect, it } from 'vitest';
import { AddressPolicy, addressBytes } from './address-policy.js';

const REFUSED = [
  '127.0.0.1',
  '127.255.255.254',
  '0.0.0.0',
  '10.1.2.3',
  '100.100.100.200',
  '169.254.169.254',
  '172.16.0.1',
  '172.31.255.255',
  '192.168.1.1',
  '198.18.0.1',
  '224.0.0.1',
  '255.255.255.255',
  '::',
  '::1',
  '[::1]',
  '::ffff:127.0.0.1',
  '::ffff:7f00:1',
  '[::ffff:a9fe:a9fe]',
  '::127.0.0.1',
  '64:ff9b::7f00:1',
  '2002:7f00:1::',
  '2001::1',
  'fc00::1',
  'fd00:ec2::254',
  'fe80::1%eth0',
  'fec0::1',
  'ff02::1',
  'not-an-ip',
  'localhost',
];
const ALLOWED = [
  '8.8.8.8',
  '104.18.6.192',
  '172.32.0.1',
  '100.128.0.1',
  '2606:4700::6810:7b',
  '::ffff:8.8.8.8',
  '64:ff9b::808:808',
  '2002:808:808::1',
];

describe('AddressPolicy', () => {
  it('refuses private, loopback, link-local, metadata and reserved addresses by default', () => {
    const p = new AddressPolicy();
    expect(REFUSED.filter((a) => p.allows(a))).toEqual([]);
  });

  it('allows public addresses, also inside IPv6 forms that carry an IPv4 address', () => {
    const p = new AddressPolicy();
    expect(ALLOWED.filter((a) => !p.allows(a))).toEqual([]);
  });

  it('opens every private range with true, or only the listed addresses and ranges', () => {
    expect(new AddressPolicy(true).allows('127.0.0.1')).toBe(true);
    const some = new AddressPolicy(['127.0.0.1', '10.0.0.0/8', 'fd00::/8']);
    expect(['127.0.0.1', '10.9.9.9', 'fd12::1', '::ffff:127.0.0.1'].every((a) => some.allows(a))).toBe(true);
    expect(['127.0.0.2', '192.168.0.1', '169.254.169.254', 'fe80::1'].some((a) => some.allows(a))).toBe(
      false,
    );
  });

  it('rejects a malformed allow-list with a typed error', () => {
    expect(() => new AddressPolicy(['10.0.0.0/33'])).toThrow(InvalidOptionError);
    expect(() => new AddressPolicy(['example.com'])).toThrow(InvalidOptionError);
    expect(() => new AddressPolicy('yes' as never)).toThrow(InvalidOptionError);
  });

  it('parses IPv6 with embedded dotted quads and compressed groups', () => {
    expect([...(addressBytes('::ffff:1.2.3.4') ?? [])].slice(10)).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect([...(addressBytes('1::2') ?? [])]).toEqual([0, 1, ...Array(12).fill(0), 0, 2]);
  });
});
