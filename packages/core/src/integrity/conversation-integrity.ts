/**
 * Conversation integrity: an HMAC-SHA256 chain over the messages of a conversation, so a history
 * stored outside the trusted process (a client, a cache, a database) cannot be edited, reordered,
 * spliced or cut without the next verification saying where.
 *
 * `mac[i] = HMAC(key, mac[i-1] ‖ canonicalJson(message[i] without mac))`, with
 * `mac[-1] = HMAC(key, "memgar/conversation/v1" ‖ 0x00 ‖ context)`. MACs are 64 lower-case hex
 * digits, compared in constant time. Web Crypto only (`crypto.subtle`): runs in Node, browsers,
 * Deno, Bun and edge workers, and throws `CryptoUnavailableError` where there is none.
 */
import { IntegrityError } from '../errors/integrity-error.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import { canonicalJson } from './canonical-json.js';
import { constantTimeEqual } from './constant-time-equal.js';
import { randomBytes, subtleHmac } from './web-crypto.js';

/** Shortest HMAC key accepted, in bytes (the output size of SHA-256). */
export const MIN_CONVERSATION_KEY_BYTES = 32;

/** Domain separation: a MAC of this scheme is never valid for another use of the same key. */
const DOMAIN = 'memgar/conversation/v1';

/**
 * A message of a conversation: a role, its content, and any other JSON fields (`name`,
 * `tool_calls`, `tool_call_id`, metadata…), which are all signed too. Any message type of a chat
 * API fits, as long as it is plain JSON data.
 */
export interface ChainMessage {
  /** Who wrote it: `system`, `user`, `assistant`, `tool`… */
  role: string;
  /** What it says: a string, or JSON (content parts; `null` or absent for a bare tool call). */
  content?: unknown;
}

/** A message with its MAC. Every field but `mac` is covered. */
export type SignedMessage<M extends ChainMessage = ChainMessage> = M & {
  /** HMAC-SHA256 of the previous MAC and this message's canonical JSON, as 64 lower-case hex digits. */
  mac: string;
};

export interface ConversationSignerOptions {
  /**
   * The HMAC-SHA256 key: at least 32 random bytes (`generateConversationKey()`), kept on the
   * trusted side only. Shorter keys throw `InvalidOptionError`. Copied: changing the array later
   * has no effect.
   */
  key: Uint8Array | ArrayBuffer;
  /**
   * What the chain belongs to, e.g. a conversation or session id. Bound into every MAC: a chain
   * signed for one context does not verify for another, so whole histories cannot be swapped
   * between conversations that share a key.
   * @default ''
   */
  context?: string;
}

export interface VerifyChainOptions {
  /**
   * The MAC of the last message the chain must end with (what this side last signed or verified).
   * Without it, a chain cut short at the end (its last messages dropped) still verifies: nothing in
   * a prefix says more was signed after it.
   * @default undefined
   */
  head?: string;
}

/**
 * Why a chain failed:
 * - `mac`: the message at `index`, or the chain before it, is not what was signed (edited,
 *   reordered, inserted, deleted, signed with another key or for another context);
 * - `malformed`: the entry at `index` is not a signed message (not an object, no `role`, a `mac`
 *   that is not 64 hex digits, a value JSON cannot carry);
 * - `truncated`: every MAC verifies but the chain ends before `head` (`index` is the first missing
 *   message, `chain.length`);
 * - `extended`: `head` is the MAC at `index - 1`, and messages follow it.
 */
export type ChainFailure = 'mac' | 'malformed' | 'truncated' | 'extended';

/** What `verify` found. */
export type ChainVerification =
  | {
      valid: true;
      /** -1: no message is bad. */
      index: -1;
      /** The last message's MAC (`undefined` for an empty chain): pass it as `head` next time. */
      head: string | undefined;
    }
  | {
      valid: false;
      /** Index of the first bad message (`chain.length` when messages are missing at the end). */
      index: number;
      reason: ChainFailure;
    };

const HEX = '0123456789abcdef';

function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += (HEX[b >> 4] ?? '0') + (HEX[b & 15] ?? '0');
  return s;
}

/** 64 lower-case hex digits → 32 bytes; `null` when `s` is anything else. */
function macBytes(s: unknown): Uint8Array | null {
  if (typeof s !== 'string' || s.length !== 64) return null;
  const out = new Uint8Array(32);
  let bad = 0;
  for (let i = 0; i < 32; i++) {
    const hi = HEX.indexOf(s.charAt(2 * i));
    const lo = HEX.indexOf(s.charAt(2 * i + 1));
    bad |= (hi | lo) & ~15; // -1 when not a hex digit
    out[i] = ((hi & 15) << 4) | (lo & 15);
  }
  return bad === 0 ? out : null;
}

const encoder = new TextEncoder();

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Makes a new 32-byte key from Web Crypto (`CryptoUnavailableError` without it). */
export function generateConversationKey(): Uint8Array {
  return randomBytes(new Uint8Array(MIN_CONVERSATION_KEY_BYTES));
}

/**
 * Signs and verifies conversation histories as HMAC chains.
 *
 * ```ts
 * const signer = new ConversationSigner({ key, context: sessionId });
 * let chain = await signer.sign([{ role: 'system', content: prompt }]);
 * chain = [...chain, await signer.append(chain, { role: 'user', content: input })];
 * // …the chain goes to the client or a store and comes back:
 * const check = await signer.verify(returned, { head });
 * if (!check.valid) throw new Error(`message ${check.index} was tampered with`);
 * ```
 *
 * Throws `InvalidOptionError` for a key under 32 bytes and `CryptoUnavailableError` when the
 * runtime has no Web Crypto (there is no fallback).
 */
export class ConversationSigner {
  private readonly key: Uint8Array;
  private readonly context: string;
  private imported: Promise<unknown> | null = null;
  private genesisMac: Promise<Uint8Array> | null = null;

  constructor(options: ConversationSignerOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new InvalidOptionError('key', 'options must be an object with a key');
    }
    const { key } = options;
    let bytes: Uint8Array;
    if (key instanceof Uint8Array) bytes = new Uint8Array(key);
    else if (key instanceof ArrayBuffer) bytes = new Uint8Array(key.slice(0));
    else throw new InvalidOptionError('key', 'key must be a Uint8Array or an ArrayBuffer');
    if (bytes.length < MIN_CONVERSATION_KEY_BYTES) {
      throw new InvalidOptionError(
        'key',
        `key must be at least ${MIN_CONVERSATION_KEY_BYTES} bytes (got ${bytes.length}); use generateConversationKey()`,
      );
    }
    const context = options.context ?? '';
    if (typeof context !== 'string') throw new InvalidOptionError('context', 'context must be a string');
    subtleHmac(); // fail now, not at the first message, when there is no Web Crypto
    this.key = bytes;
    this.context = context;
  }

  /** Signs `messages` as a new chain. `InvalidInputError` for a message that cannot be signed. */
  async sign<M extends ChainMessage>(messages: readonly M[]): Promise<SignedMessage<M>[]> {
    if (!Array.isArray(messages)) throw new InvalidInputError('messages', 'messages must be an array');
    const out: SignedMessage<M>[] = [];
    let prev = await this.genesis();
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i] as M;
      const mac = await this.mac(prev, this.canonical(message, `messages[${i}]`));
      out.push({ ...message, mac: toHex(mac) });
      prev = mac;
    }
    return out;
  }

  /**
   * Signs `message` as the next one after `chain` (which is not verified here: an edit earlier in
   * the chain still fails the next `verify`). Returns the signed message; the caller appends it.
   */
  async append<M extends ChainMessage>(
    chain: readonly SignedMessage[],
    message: M,
  ): Promise<SignedMessage<M>> {
    if (!Array.isArray(chain)) throw new InvalidInputError('chain', 'chain must be an array');
    let prev: Uint8Array;
    if (chain.length === 0) {
      prev = await this.genesis();
    } else {
      const last = macBytes((chain[chain.length - 1] as { mac?: unknown } | undefined)?.mac);
      if (last === null) {
        throw new InvalidInputError('chain', 'the last message of chain has no valid mac (64 hex digits)');
      }
      prev = last;
    }
    const mac = await this.mac(prev, this.canonical(message, 'message'));
    return { ...message, mac: toHex(mac) };
  }

  /**
   * Verifies a chain and returns the index of the first bad message (or `-1`). Never throws for
   * a tampered or malformed chain: that is a result (`reason`); throws only without Web Crypto.
   */
  async verify(chain: readonly unknown[], options: VerifyChainOptions = {}): Promise<ChainVerification> {
    if (!Array.isArray(chain)) return { valid: false, index: 0, reason: 'malformed' };
    let expected = await this.genesis();
    for (let i = 0; i < chain.length; i++) {
      const entry = chain[i] as { mac?: unknown } | null;
      if (typeof entry !== 'object' || entry === null) return { valid: false, index: i, reason: 'malformed' };
      const stored = macBytes(entry.mac);
      let canonical: Uint8Array;
      try {
        if (stored === null) throw new Error('mac');
        const { mac: _mac, ...message } = entry;
        canonical = this.canonical(message as ChainMessage, `chain[${i}]`);
      } catch {
        return { valid: false, index: i, reason: 'malformed' };
      }
      expected = await this.mac(expected, canonical);
      if (!constantTimeEqual(expected, stored)) return { valid: false, index: i, reason: 'mac' };
    }
    if (options.head !== undefined) {
      const head = macBytes(options.head);
      if (head === null)
        throw new InvalidOptionError('head', 'head must be a mac (64 lower-case hex digits)');
      if (chain.length === 0 || !constantTimeEqual(head, expected)) {
        // Where the chain went past the head, if it did; otherwise it ends before it.
        for (let i = 0; i < chain.length - 1; i++) {
          const mac = macBytes((chain[i] as { mac: unknown }).mac);
          if (mac !== null && constantTimeEqual(mac, head)) {
            return { valid: false, index: i + 1, reason: 'extended' };
          }
        }
        return { valid: false, index: chain.length, reason: 'truncated' };
      }
    }
    return {
      valid: true,
      index: -1,
      head: chain.length === 0 ? undefined : toHex(expected),
    };
  }

  /** Like `verify`, but throws `IntegrityError` (`what: 'conversation'`) for a bad chain. */
  async assertValid(chain: readonly unknown[], options: VerifyChainOptions = {}): Promise<void> {
    const result = await this.verify(chain, options);
    if (!result.valid) {
      throw new IntegrityError(
        `conversation chain does not verify: message ${result.index} (${result.reason})`,
        { what: 'conversation' },
      );
    }
  }

  private canonical(message: ChainMessage, field: string): Uint8Array {
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      throw new InvalidInputError(field, `${field} must be a message object`);
    }
    if (typeof message.role !== 'string')
      throw new InvalidInputError(field, `${field}.role must be a string`);
    if ('mac' in message) {
      throw new InvalidInputError(field, `${field} already has a mac: sign the message without it`);
    }
    return encoder.encode(canonicalJson(message, field));
  }

  private cryptoKey(): Promise<unknown> {
    this.imported ??= subtleHmac().importKey('raw', this.key, { name: 'HMAC', hash: 'SHA-256' }, false, [
      'sign',
    ]);
    return this.imported;
  }

  private async mac(prev: Uint8Array, canonical: Uint8Array): Promise<Uint8Array> {
    const subtle = subtleHmac();
    const key = await this.cryptoKey();
    return new Uint8Array(await subtle.sign('HMAC', key, concat(prev, canonical)));
  }

  private genesis(): Promise<Uint8Array> {
    this.genesisMac ??= (async () => {
      const subtle = subtleHmac();
      const key = await this.cryptoKey();
      const data = concat(encoder.encode(`${DOMAIN}\u0000`), encoder.encode(this.context));
      return new Uint8Array(await subtle.sign('HMAC', key, data));
    })();
    // A failed attempt (no Web Crypto) is not cached.
    this.genesisMac.catch(() => {
      this.genesisMac = null;
      this.imported = null;
    });
    return this.genesisMac;
  }
}
