import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../errors/index.js';
import { analysisToOcsf } from '../ocsf.js';
import { analysisEvent } from '../siem-test-kit.js';
import { createKafkaHandler, type KafkaMessageLike, type KafkaProducerLike } from './kafka-handler.js';

/** A stand-in for a kafkajs producer (the real protocol is covered by kafka-handler.int.test.ts). */
function producer(failures = 0) {
  const sent: { topic: string; messages: KafkaMessageLike[]; acks?: number }[] = [];
  let connects = 0;
  let left = failures;
  const p: KafkaProducerLike = {
    connect: async () => {
      connects++;
      if (left-- > 0) throw new Error('broker down');
    },
    send: async (r) => {
      sent.push(r);
    },
    disconnect: async () => {},
  };
  return { p, sent, connects: () => connects };
}

describe('createKafkaHandler', () => {
  it('produces JSON messages keyed by tenant with content-type and decision headers', async () => {
    const { p, sent } = producer();
    const h = createKafkaHandler({ topic: 'siem', producer: p, batchSize: 2 });
    h.send(analysisToOcsf(analysisEvent('block'), { now: () => 1234 }));
    h.send(analysisToOcsf(analysisEvent('quarantine', { tenantId: undefined })));
    h.send({ decision: 'block' });
    await h.close();
    expect(sent.map((s) => s.messages.length)).toEqual([2, 1]);
    expect(sent[0]).toMatchObject({ topic: 'siem', acks: -1 });
    const [m0, m1] = sent[0]!.messages;
    expect(m0).toMatchObject({
      key: 'acme',
      timestamp: '1234',
      headers: { 'content-type': 'application/json', 'memgar-decision': 'block' },
    });
    expect(JSON.parse(m0!.value).class_uid).toBe(2004);
    expect(m1!.key).toBe('agent-7');
    expect(sent[1]!.messages[0]!.key).toBeUndefined();
  });

  it('retries a failed connect through the shared retry machinery', async () => {
    const { p, sent, connects } = producer(2);
    const h = createKafkaHandler({ topic: 'siem', producer: p, retry: { retries: 3, initialDelayMs: 1 } });
    h.send({ decision: 'block' });
    await h.flush();
    expect(connects()).toBe(3);
    expect(sent).toHaveLength(1);
    expect(h.stats()).toMatchObject({ sent: 1, retries: 2 });
  });

  it('rejects bad options', () => {
    expect(() => createKafkaHandler({ topic: 'siem' })).toThrow(InvalidOptionError);
    expect(() => createKafkaHandler({ topic: '', brokers: ['b:9092'] })).toThrow(/topic/);
    expect(() => createKafkaHandler({ topic: 't', brokers: ['b:9092'], acks: 2 as never })).toThrow(/acks/);
  });
});
