import { isIP } from 'node:net';
import { InvalidOptionError } from '@memgar/core';

/** Ranges an upstream must not be in by default: private, loopback, link-local, metadata, reserved. */
const FORBIDDEN_V4 = [
  '0.0.0.0/8', // "this" network (0.0.0.0 reaches the local host on Linux)
  '10.0.0.0/8',
  '100.64.0.0/10', // carrier-grade NAT (Alibaba's metadata is 100.100.100.200)
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local, cloud metadata (169.254.169.254)
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, broadcast
];
const FORBIDDEN_V6 = [
  '::/96', // unspecified, loopback, IPv4-compatible
  '100::/64', // discard
  '2001::/32', // Teredo
  '2001:db8::/32',
  'fc00::/7', // unique local (AWS metadata fd00:ec2::254)
  'fe80::/10', // link-local
  'fec0::/10', // site-local
  'ff00::/8', // multicast
];

type Cidr = { bytes: Uint8Array; bits: number };

/** The bytes of an IPv4 or IPv6 address in canonical text form (zone ids dropped), or undefined. */
export function addressBytes(address: string): Uint8Array | undefined {
  const ip = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const kind = isIP(ip);
  if (kind === 4) return Uint8Array.from(ip.split('.').map(Number));
  if (kind !== 6) return undefined;
  const out = new Uint8Array(16);
  let text = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted !== undefined) {
    const [a, b, c, d] = dotted.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -dotted.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  for (const [i, g] of groups.entries()) {
    const n = Number.parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  }
  return out;
}

function parseCidr(text: string, option: string): Cidr {
  const [address = '', bitsText] = text.split('/');
  const bytes = addressBytes(address);
  const bits = bitsText === undefined ? (bytes?.length ?? 0) * 8 : Number(bitsText);
  if (bytes === undefined || !Number.isInteger(bits) || bits < 0 || bits > bytes.length * 8) {
    throw new InvalidOptionError(option, `${option}: "${text}" is not an IP address or CIDR range`);
  }
  return { bytes, bits };
}

function inCidr(bytes: Uint8Array, cidr: Cidr): boolean {
  if (bytes.length !== cidr.bytes.length) return false;
  for (let bit = 0; bit < cidr.bits; bit += 8) {
    const mask = cidr.bits - bit >= 8 ? 0xff : (0xff << (8 - (cidr.bits - bit))) & 0xff;
    if (((bytes[bit / 8] ?? 0) & mask) !== ((cidr.bytes[bit / 8] ?? 0) & mask)) return false;
  }
  return true;
}

/** The IPv4 address an IPv6 address carries (mapped `::ffff:0:0/96`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`). */
function embeddedV4(b: Uint8Array): Uint8Array | undefined {
  if (b.length !== 16) return undefined;
  const zeros = (from: number, to: number) => b.subarray(from, to).every((x) => x === 0);
  if (zeros(0, 10) && b[10] === 0xff && b[11] === 0xff) return b.subarray(12);
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return b.subarray(12);
  if (b[0] === 0x20 && b[1] === 0x02) return b.subarray(2, 6);
  return undefined;
}

const V4 = FORBIDDEN_V4.map((c) => parseCidr(c, 'internal'));
const V6 = FORBIDDEN_V6.map((c) => parseCidr(c, 'internal'));

/**
 * Which resolved addresses an upstream connection may use. By default every private, loopback,
 * link-local, metadata, multicast and reserved range is refused (IPv6 forms that carry an IPv4
 * address are judged by that address); `allowPrivate` opens all of them (`true`) or the listed
 * addresses and CIDR ranges.
 */
export class AddressPolicy {
  readonly #allowAll: boolean;
  readonly #allowed: Cidr[];

  constructor(allowPrivate: boolean | readonly string[] = false) {
    if (typeof allowPrivate !== 'boolean' && !Array.isArray(allowPrivate)) {
      throw new InvalidOptionError(
        'allowPrivateUpstreams',
        'allowPrivateUpstreams must be a boolean or a list of addresses / CIDR ranges',
      );
    }
    this.#allowAll = allowPrivate === true;
    this.#allowed = Array.isArray(allowPrivate)
      ? allowPrivate.map((c) => parseCidr(String(c), 'allowPrivateUpstreams'))
      : [];
  }

  /** Whether a connection to `address` (an IP literal) is allowed; anything not an IP is refused. */
  allows(address: string): boolean {
    const bytes = addressBytes(address);
    if (bytes === undefined) return false;
    const v4 = bytes.length === 4 ? bytes : embeddedV4(bytes);
    const listed = (c: Cidr) => inCidr(bytes, c) || (v4 !== undefined && inCidr(v4, c));
    if (this.#allowAll || this.#allowed.some(listed)) return true;
    if (v4 !== undefined && V4.some((c) => inCidr(v4, c))) return false;
    return bytes.length === 4 || !V6.some((c) => inCidr(bytes, c));
  }
}
