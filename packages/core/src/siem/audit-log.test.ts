import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../runtime/content-hash.js';
import { type AuditRecord, createAuditLog } from './audit-log.js';
import { createConsoleHandler } from './console-handler.js';
import { analysisEvent, auditEvent, SECRET_TEXT } from './siem-test-kit.js';

function consoleLines() {
  const lines: string[] = [];
  return { lines, handler: createConsoleHandler<AuditRecord>({ write: (l) => lines.push(l) }) };
}

describe('createAuditLog', () => {
  it('records every decision, allow included, with hashes and no raw content by default', async () => {
    const { lines, handler } = consoleLines();
    const log = createAuditLog({ transports: [handler], now: () => Date.UTC(2026, 0, 1) });
    log.onAnalysis(analysisEvent('allow'));
    log.onAnalysis(analysisEvent('block'));
    log.record(auditEvent({ content: 'raw memory text' }));
    await log.flush();
    expect(log.recorded).toBe(3);
    const records = lines.map((l) => JSON.parse(l) as AuditRecord);
    expect(records.map((r) => [r.kind, r.decision])).toEqual([
      ['analysis', 'allow'],
      ['analysis', 'block'],
      ['boundary', 'quarantine'],
    ]);
    const block = records[1]!;
    expect(block).toMatchObject({
      type: 'memgar.audit',
      timestamp: '2026-01-01T00:00:00.000Z',
      riskScore: 92,
      ruleIds: ['MG-OVERRIDE-001', 'MG-EXFIL-002'],
      sourceId: 'https://evil.example/page',
      agentId: 'agent-7',
      tenantId: 'acme',
      contentLength: SECRET_TEXT.length,
    });
    expect(block.findings?.[1]?.evidence).toEqual({
      view: 'text',
      start: 36,
      end: 52,
      sha256: sha256Hex('send the api key'),
    });
    expect(block.findings?.[1]?.mitre.attack).toEqual(['T1567.002', 'T1041']);
    expect(records[2]).toMatchObject({
      boundary: 'memory_write',
      contentHash: 'ab'.repeat(32),
      allowed: false,
    });
    const all = lines.join('\n');
    expect(all).not.toContain('send the api key');
    expect(all).not.toContain('raw memory text');
  });

  it("keeps text with redact: 'none' and lets a function redact or skip", async () => {
    const none = consoleLines();
    const log = createAuditLog({ transports: [none.handler], redact: 'none' });
    log.onAnalysis(analysisEvent('block'));
    log.record(auditEvent({ content: 'raw memory text' }));
    await log.close();
    expect(none.lines[0]).toContain('send the api key');
    expect(none.lines[1]).toContain('raw memory text');

    const custom = consoleLines();
    const log2 = createAuditLog({
      transports: [custom.handler],
      decisions: ['block', 'quarantine'],
      redact: (r) => (r.tenantId === 'skip' ? null : { ...r, sourceId: 'redacted' }),
    });
    log2.onAnalysis(analysisEvent('block'));
    log2.onAnalysis(analysisEvent('block', { tenantId: 'skip' }));
    log2.onAnalysis(analysisEvent('allow'));
    await log2.flush();
    expect(custom.lines.map((l) => JSON.parse(l).sourceId)).toEqual(['redacted']);
    expect(log2.recorded).toBe(1);
  });

  it('survives throwing transports and rejects bad options', async () => {
    const errors: unknown[] = [];
    const log = createAuditLog({
      transports: [
        {
          name: 'x',
          send: () => {
            throw new Error('nope');
          },
          flush: async () => {},
          close: async () => {},
          stats: () => ({ sent: 0, failed: 0, dropped: 0, retries: 0, queued: 0, inFlight: 0 }),
        },
      ],
      onError: (e) => errors.push(e),
    });
    expect(() => log.onAnalysis(analysisEvent())).not.toThrow();
    expect(errors).toHaveLength(1);
    expect(log.stats()).toEqual({ x: expect.objectContaining({ sent: 0 }) });
    expect(() => createAuditLog({ transports: [], redact: 'partial' as never })).toThrow(/redact/);
    expect(() => createAuditLog({ transports: {} as never })).toThrow(/transports/);
  });
});
