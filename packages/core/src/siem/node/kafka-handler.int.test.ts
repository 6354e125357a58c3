/**
 * The Kafka handler over the real Kafka protocol, against librdkafka's mock cluster started by
 * kcat (`apt-get install kcat`): produce through the handler, consume back with kafkajs.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisToOcsf, type OcsfDetectionFinding } from '../ocsf.js';
import { analysisEvent } from '../siem-test-kit.js';
import { createKafkaHandler } from './kafka-handler.js';

const TOPIC = 'memgar-siem';
let kcat: ChildProcess;
let broker: string;

beforeAll(async () => {
  kcat = spawn(
    'kcat',
    ['-b', '127.0.0.1:1', '-X', 'test.mock.num.brokers=1', '-X', 'debug=mock', '-P', '-t', TOPIC],
    { stdio: ['pipe', 'ignore', 'pipe'] },
  );
  broker = await new Promise<string>((resolve, reject) => {
    let log = '';
    const timer = setTimeout(() => reject(new Error(`no mock cluster port from kcat:\n${log}`)), 20_000);
    kcat.once('error', (e) => {
      clearTimeout(timer);
      reject(new Error(`kcat did not start (apt-get install -y kcat): ${e.message}`));
    });
    kcat.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
      const m = /bootstrap\.servers=(127\.0\.0\.1:\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
  });
});

afterAll(() => {
  kcat?.stdin?.end();
  kcat?.kill();
});

describe('createKafkaHandler against a Kafka mock cluster', () => {
  it('produces OCSF events that a kafkajs consumer reads back, keyed by tenant, with headers', async () => {
    const errors: unknown[] = [];
    const handler = createKafkaHandler<OcsfDetectionFinding>({
      topic: TOPIC,
      brokers: [broker],
      batchSize: 2,
      onError: (e) => errors.push(e),
    });
    const sent = [
      analysisToOcsf(analysisEvent('block')),
      analysisToOcsf(analysisEvent('quarantine', { tenantId: 'globex' })),
      analysisToOcsf(analysisEvent('sanitize')),
    ];
    for (const e of sent) handler.send(e);
    await handler.close();
    expect(errors).toEqual([]);
    expect(handler.stats()).toMatchObject({ sent: 3, failed: 0, dropped: 0 });

    const kafka = new Kafka({ clientId: 'memgar-int-test', brokers: [broker], logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `memgar-int-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
    const received: { key: string | undefined; decision: string | undefined; event: OcsfDetectionFinding }[] =
      [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            received.push({
              key: message.key?.toString(),
              decision: message.headers?.['memgar-decision']?.toString(),
              event: JSON.parse(message.value!.toString()) as OcsfDetectionFinding,
            });
            if (received.length === sent.length) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();

    const byUid = new Map(received.map((r) => [r.event.metadata.uid, r]));
    for (const e of sent) {
      const r = byUid.get(e.metadata.uid);
      expect(r?.event).toEqual(JSON.parse(JSON.stringify(e)));
      expect(r?.key).toBe(e.unmapped.tenant_id);
      expect(r?.decision).toBe(e.unmapped.decision);
    }
  });

  it('counts a batch as failed, without blocking, when no broker answers', async () => {
    const handler = createKafkaHandler({
      topic: TOPIC,
      brokers: ['127.0.0.1:1'],
      kafkaConfig: { connectionTimeout: 200, retry: { retries: 0 } },
      retry: { retries: 1, initialDelayMs: 1 },
    });
    handler.send({ decision: 'block' });
    await handler.close();
    expect(handler.stats()).toMatchObject({ sent: 0, failed: 1, retries: 1 });
  });
});
