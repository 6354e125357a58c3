import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AuditRecord, createAuditLog } from '../audit-log.js';
import { analysisEvent, auditEvent } from '../siem-test-kit.js';
import { createFileHandler } from './file-handler.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'memgar-siem-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createFileHandler', () => {
  it('appends one JSON line per event, creating the directory and a 0600 file', async () => {
    const path = join(dir, 'nested', 'siem.jsonl');
    const h = createFileHandler({ path, batchSize: 2 });
    for (let n = 0; n < 5; n++) h.send({ n });
    await h.close();
    const h2 = createFileHandler({ path });
    h2.send({ n: 5 });
    await h2.close();
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => JSON.parse(l).n)).toEqual([0, 1, 2, 3, 4, 5]);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(h.stats()).toMatchObject({ sent: 5, failed: 0 });
  });

  it('does not retry a path that is a directory', async () => {
    const h = createFileHandler({ path: dir, retry: { retries: 5, initialDelayMs: 1 } });
    h.send({ n: 1 });
    await h.flush();
    expect(h.stats()).toMatchObject({ failed: 1, retries: 0 });
  });

  it('is an audit log transport: redacted records as JSONL', async () => {
    const path = join(dir, 'audit.jsonl');
    const log = createAuditLog({ transports: [createFileHandler<AuditRecord>({ path })] });
    log.onAnalysis(analysisEvent('block'));
    log.record(auditEvent({ content: 'raw text' }));
    await log.close();
    const text = await readFile(path, 'utf8');
    const records = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditRecord);
    expect(records.map((r) => r.kind)).toEqual(['analysis', 'boundary']);
    expect(text).not.toContain('raw text');
    expect(text).not.toContain('send the api key');
  });
});
