import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../errors/index.js';
import { analysisToOcsf } from './ocsf.js';
import { analysisEvent, auditEvent, parseSyslog5424, splitOctetCounted } from './siem-test-kit.js';
import { checkSyslogFormat, formatSyslog, frameOctetCounting, summarizeForSyslog } from './syslog-format.js';

describe('formatSyslog', () => {
  it('writes an RFC 5424 message: PRI from facility and OCSF severity, MSGID the decision, SD and JSON MSG', () => {
    const event = analysisToOcsf(analysisEvent('block'), { now: () => Date.UTC(2026, 0, 2, 3, 4, 5, 6) });
    const line = formatSyslog(event, { hostname: 'host a', procId: '42' });
    const p = parseSyslog5424(line);
    expect(p).toMatchObject({
      facility: 10,
      severity: 2, // Critical
      version: 1,
      timestamp: '2026-01-02T03:04:05.006Z',
      hostname: 'host_a',
      appName: 'memgar',
      procId: '42',
      msgId: 'block',
      sdId: 'memgar@32473',
      params: {
        decision: 'block',
        risk: '92',
        rules: 'MG-OVERRIDE-001,MG-EXFIL-002',
        kind: 'analysis',
        tenant: 'acme',
        agent: 'agent-7',
        source: 'https://evil.example/page',
      },
    });
    expect(JSON.parse(p.msg)).toEqual(JSON.parse(JSON.stringify(event)));
  });

  it('escapes SD param values and uses NILVALUE for missing header fields', () => {
    const line = formatSyslog({
      decision: 'quarantine',
      sourceId: 'a"b]c\\d',
      timestamp: '2026-01-01T00:00:00.000Z',
    });
    const p = parseSyslog5424(line);
    expect(line).toContain('source="a\\"b\\]c\\\\d"');
    expect(p.params.source).toBe('a"b]c\\d');
    expect(p).toMatchObject({ hostname: '-', procId: '-', severity: 4, facility: 10 });
  });

  it('reads audit records and derives severity from the decision', () => {
    expect(summarizeForSyslog({ ...auditEvent(), decision: 'block' })).toMatchObject({
      decision: 'block',
      severity: 3,
      riskScore: 70,
      ruleIds: ['MG-OVERRIDE-001'],
      tenantId: 'acme',
    });
    expect(formatSyslog({ decision: 'allow' }, { facility: 13, bom: true })).toMatch(/^<110>1 .* \ufeff\{/);
  });

  it('frames with octet counting in UTF-8 bytes', () => {
    const framed = frameOctetCounting('é ok') + frameOctetCounting('second');
    expect(framed.startsWith('5 é ok6 second')).toBe(true);
    expect(splitOctetCounted(Buffer.from(framed)).messages).toEqual(['é ok', 'second']);
  });

  it('rejects bad options', () => {
    expect(() => checkSyslogFormat({ facility: 24 })).toThrow(InvalidOptionError);
    expect(() => checkSyslogFormat({ appname: 'x' } as never)).toThrow(/appname/);
  });
});
