import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../errors/index.js';
import { type AuditEvent, InMemoryAuditSink } from './audit.js';
import { AuditRecorder } from './audit-recorder.js';
import { sha256Hex } from './content-hash.js';

function event(i: number, over: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: `e${i}`,
    timestamp: new Date(0).toISOString(),
    boundary: 'memory_write',
    decision: 'block',
    allowed: false,
    reason: 'r',
    rule: 'analyzer',
    ruleIds: [],
    contentHash: 'h',
    contentLength: 1,
    ...over,
  };
}

describe('InMemoryAuditSink', () => {
  it('keeps the last `capacity` events, oldest first, and counts what it overwrote', () => {
    const sink = new InMemoryAuditSink({ capacity: 3 });
    for (let i = 0; i < 5; i++) sink.record(event(i));
    expect(sink.size).toBe(3);
    expect(sink.dropped).toBe(2);
    expect(sink.events().map((e) => e.id)).toEqual(['e2', 'e3', 'e4']);
    sink.clear();
    expect(sink.events()).toEqual([]);
    sink.record(event(9));
    expect(sink.events().map((e) => e.id)).toEqual(['e9']);
  });

  it('filters by boundary, decision and allowed', () => {
    const sink = new InMemoryAuditSink();
    sink.record(event(1, { boundary: 'retrieval', decision: 'quarantine' }));
    sink.record(event(2, { boundary: 'tool_result', decision: 'sanitize', allowed: true }));
    sink.record(event(3, { boundary: 'retrieval', decision: 'block' }));
    expect(sink.events({ boundary: 'retrieval' }).map((e) => e.id)).toEqual(['e1', 'e3']);
    expect(sink.events({ decision: 'sanitize' }).map((e) => e.id)).toEqual(['e2']);
    expect(sink.events({ allowed: false }).map((e) => e.id)).toEqual(['e1', 'e3']);
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new InMemoryAuditSink({ capacity: 0 })).toThrow(InvalidOptionError);
    expect(() => new InMemoryAuditSink({ capacity: 1.5 })).toThrow(InvalidOptionError);
  });
});

describe('AuditRecorder', () => {
  const input = { boundary: 'memory_write' as const, reason: 'why', rule: 'r', ruleIds: ['MG-X-001'] };

  it('records id, time, hash and length, never the content by default', () => {
    const sink = new InMemoryAuditSink();
    const rec = new AuditRecorder({ sink, recordAllowed: false, content: 'never', onError: undefined });
    const id = rec.record(
      { ...input, decision: 'block', agentId: 'a1', sourceId: undefined },
      'secret attack text',
    );
    const [e] = sink.events();
    expect(e?.id).toBe(id);
    expect(e).toMatchObject({ decision: 'block', allowed: false, agentId: 'a1', contentLength: 18 });
    expect(e?.contentHash).toBe(sha256Hex('secret attack text'));
    expect(e && 'content' in e).toBe(false);
    expect(e && 'sourceId' in e).toBe(false);
    expect(Number.isNaN(Date.parse(e!.timestamp))).toBe(false);
    expect(Object.isFrozen(e)).toBe(true);
  });

  it('skips plain allows unless asked, and records content only as configured', () => {
    const sink = new InMemoryAuditSink();
    const quiet = new AuditRecorder({ sink, recordAllowed: false, content: 'allowed', onError: undefined });
    expect(quiet.record({ ...input, decision: 'allow' }, 'fine')).toBeUndefined();
    quiet.record({ ...input, decision: 'sanitize' }, 'rewritten');
    quiet.record({ ...input, decision: 'quarantine' }, 'attack');
    expect(sink.events().map((e) => [e.decision, e.content])).toEqual([
      ['sanitize', 'rewritten'],
      ['quarantine', undefined],
    ]);
    const loud = new AuditRecorder({ sink, recordAllowed: true, content: 'always', onError: undefined });
    loud.record({ ...input, decision: 'allow' }, 'fine');
    loud.record({ ...input, decision: 'block' }, 'attack');
    expect(
      sink
        .events()
        .slice(2)
        .map((e) => [e.decision, e.content]),
    ).toEqual([
      ['allow', 'fine'],
      ['block', 'attack'],
    ]);
  });

  it('a sink that throws or rejects is reported to onError and never throws', async () => {
    const errors: unknown[] = [];
    const throwing = new AuditRecorder({
      sink: {
        record() {
          throw new Error('disk full');
        },
      },
      recordAllowed: true,
      content: 'never',
      onError: (e) => errors.push(e),
    });
    expect(() => throwing.record({ ...input, decision: 'block' }, 'x')).not.toThrow();
    const rejecting = new AuditRecorder({
      sink: { record: async () => Promise.reject(new Error('network down')) },
      recordAllowed: true,
      content: 'never',
      onError: (e) => {
        errors.push(e);
        throw new Error('handler failed too');
      },
    });
    rejecting.record({ ...input, decision: 'block' }, 'x');
    await new Promise((r) => setTimeout(r, 0));
    expect(errors.map((e) => (e as Error).message)).toEqual(['disk full', 'network down']);
  });
});
