import { describe, expect, it } from 'vitest';
import { analysisToOcsf, auditEventToOcsf, toOcsfAttack } from './ocsf.js';
import { analysisEvent, auditEvent, SECRET_TEXT } from './siem-test-kit.js';

describe('analysisToOcsf', () => {
  it('maps an analysis to an OCSF 1.4 Detection Finding (2004 / 200401) with MITRE attacks and rule analytics', () => {
    const e = analysisToOcsf(analysisEvent('block'), {
      now: () => 1_700_000_000_000,
      productVersion: '1.2.3',
    });
    expect(e).toMatchObject({
      class_uid: 2004,
      category_uid: 2,
      activity_id: 1,
      type_uid: 200401,
      time: 1_700_000_000_000,
      severity_id: 5,
      severity: 'Critical',
      action_id: 2,
      disposition_id: 2,
      disposition: 'Blocked',
      is_alert: true,
      risk_score: 92,
      risk_level_id: 4,
      metadata: {
        version: '1.4.0',
        product: { name: 'memgar', vendor_name: 'memgar', version: '1.2.3' },
        tenant_uid: 'acme',
        profiles: ['security_control'],
      },
    });
    expect(e.finding_info.uid).toBe(e.metadata.uid);
    expect(e.finding_info.title).toBe('memgar block: Secret exfiltration');
    expect(e.finding_info.types).toEqual(['instruction_override', 'exfiltration']);
    expect(e.finding_info.attacks).toEqual([
      { technique: { uid: 'AML.T0051' }, sub_technique: { uid: 'AML.T0051.001' }, version: 'MITRE ATLAS' },
      { technique: { uid: 'AML.T0057' }, version: 'MITRE ATLAS' },
      { technique: { uid: 'T1567' }, sub_technique: { uid: 'T1567.002' }, version: 'MITRE ATT&CK' },
      { technique: { uid: 'T1041' }, version: 'MITRE ATT&CK' },
    ]);
    expect(e.finding_info.related_analytics?.map((a) => a.uid)).toEqual(['MG-OVERRIDE-001', 'MG-EXFIL-002']);
    expect(e.unmapped).toMatchObject({
      kind: 'analysis',
      decision: 'block',
      risk_score: 92,
      rule_ids: ['MG-OVERRIDE-001', 'MG-EXFIL-002'],
      mitre_atlas: ['AML.T0051.001', 'AML.T0057'],
      mitre_attack: ['T1567.002', 'T1041'],
      source_type: 'web',
      source_id: 'https://evil.example/page',
      agent_id: 'agent-7',
      tenant_id: 'acme',
      content_length: SECRET_TEXT.length,
    });
    expect(e.observables?.map((o) => [o.name, o.value])).toEqual([
      ['unmapped.source_id', 'https://evil.example/page'],
      ['unmapped.agent_id', 'agent-7'],
      ['unmapped.tenant_id', 'acme'],
    ]);
  });

  it('carries no raw content (not even the explanation) unless includeContent is set', () => {
    const plain = JSON.stringify(analysisToOcsf(analysisEvent('block')));
    expect(plain).not.toContain('ignore all previous');
    expect(plain).not.toContain('send the api key');
    const withContent = analysisToOcsf(analysisEvent('block'), { includeContent: true });
    expect(withContent.unmapped.evidence?.map((x) => x.text)).toEqual([
      SECRET_TEXT.slice(0, 31),
      'send the api key',
    ]);
  });

  it('maps each decision to action and disposition; allow is not an alert', () => {
    const map = (d: 'allow' | 'sanitize' | 'human_review' | 'quarantine' | 'block') => {
      const e = analysisToOcsf(analysisEvent(d));
      return [e.action, e.disposition, e.is_alert];
    };
    expect(map('allow')).toEqual(['Allowed', 'Allowed', false]);
    expect(map('sanitize')).toEqual(['Modified', 'Corrected', true]);
    expect(map('human_review')).toEqual(['Denied', 'Delayed', true]);
    expect(map('quarantine')).toEqual(['Denied', 'Quarantined', true]);
    const allow = analysisToOcsf(analysisEvent('allow'));
    expect(allow.severity_id).toBe(1);
    expect(allow.finding_info.attacks).toBeUndefined();
  });
});

describe('auditEventToOcsf', () => {
  it('maps a memory-boundary audit event, looking up MITRE ids by rule id', () => {
    const e = auditEventToOcsf(auditEvent(), {}, (id) =>
      id === 'MG-OVERRIDE-001' ? { atlas: ['AML.T0051'], attack: [] } : undefined,
    );
    expect(e.time).toBe(Date.parse('2026-01-02T03:04:05.678Z'));
    expect(e.metadata.uid).toBe('aud-1');
    expect(e.severity_id).toBe(3);
    expect(e.disposition).toBe('Quarantined');
    expect(e.finding_info.attacks).toEqual([{ technique: { uid: 'AML.T0051' }, version: 'MITRE ATLAS' }]);
    expect(e.unmapped).toMatchObject({
      kind: 'boundary',
      boundary: 'memory_write',
      allowed: false,
      policy_rule: 'analyzer',
      content_hash: 'ab'.repeat(32),
      mitre_atlas: ['AML.T0051'],
    });
    expect(e.observables?.find((o) => o.type_id === 8)?.value).toBe('ab'.repeat(32));
  });

  it('drops the raw content a boundary event carries unless includeContent is set', () => {
    expect(auditEventToOcsf(auditEvent({ content: 'secret' })).unmapped.content).toBeUndefined();
    expect(
      auditEventToOcsf(auditEvent({ content: 'secret' }), { includeContent: true }).unmapped.content,
    ).toBe('secret');
  });
});

describe('toOcsfAttack', () => {
  it('splits sub-techniques of ATLAS and ATT&CK ids', () => {
    expect(toOcsfAttack('AML.T0051', 'MITRE ATLAS')).toEqual({
      technique: { uid: 'AML.T0051' },
      version: 'MITRE ATLAS',
    });
    expect(toOcsfAttack('T1059.006', 'MITRE ATT&CK').sub_technique).toEqual({ uid: 'T1059.006' });
  });
});
