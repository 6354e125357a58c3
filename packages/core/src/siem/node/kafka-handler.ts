import { InvalidOptionError } from '../../errors/index.js';
import { BATCHING_KEYS, BatchingHandler, type BatchingOptions, pickBatching } from '../batching-handler.js';
import { checkKnownKeys, checkString, errorMessage } from '../check-options.js';
import { eventTimeMs } from '../event-time.js';
import { SiemDeliveryError } from '../siem-delivery-error.js';
import type { SiemHandler } from '../siem-handler.js';
import { summarizeForSyslog } from '../syslog-format.js';

/** One message as kafkajs takes it. */
export interface KafkaMessageLike {
  key?: string | null;
  value: string;
  timestamp?: string;
  headers?: Record<string, string>;
}

/** The part of a kafkajs `Producer` the handler uses (structural: any compatible client works). */
export interface KafkaProducerLike {
  connect(): Promise<void>;
  send(record: { topic: string; messages: KafkaMessageLike[]; acks?: number }): Promise<unknown>;
  disconnect(): Promise<void>;
}

export interface KafkaHandlerOptions<T extends object = object> extends BatchingOptions {
  /** The topic to produce to. */
  topic: string;
  /** Bootstrap brokers (`host:port`), when the handler builds its own kafkajs client. Required unless `producer` is given. */
  brokers?: readonly string[];
  /** The kafkajs client id. @default 'memgar' */
  clientId?: string;
  /**
   * Extra kafkajs `Kafka` config (ssl, sasl, connectionTimeout, retry, logLevel…).
   * @default `{ logLevel: 0 }` (kafkajs logs nothing)
   */
  kafkaConfig?: Record<string, unknown>;
  /**
   * A producer you built (e.g. `kafka.producer()`). The handler calls `connect()` before its
   * first batch but leaves `disconnect()` to you. @default a kafkajs producer built from `brokers`
   */
  producer?: KafkaProducerLike;
  /** Required acknowledgements: -1 all in-sync replicas, 1 leader, 0 none. @default -1 */
  acks?: -1 | 0 | 1;
  /** The message key. @default the tenant id, else the agent id, else none (round robin) */
  key?: (event: T) => string | undefined;
}

const KEYS = [...BATCHING_KEYS, 'topic', 'brokers', 'clientId', 'kafkaConfig', 'producer', 'acks', 'key'];

interface KafkaModule {
  Kafka: new (
    config: Record<string, unknown>,
  ) => { producer(options?: Record<string, unknown>): KafkaProducerLike };
}

async function loadKafkajs(): Promise<KafkaModule> {
  let mod: Partial<KafkaModule> & { default?: Partial<KafkaModule> };
  try {
    mod = (await import('kafkajs')) as unknown as typeof mod;
  } catch (cause) {
    throw new SiemDeliveryError(
      'kafka: the optional peer dependency kafkajs is not installed (npm i kafkajs)',
      {
        cause,
        retryable: false,
      },
    );
  }
  const Kafka = mod.Kafka ?? mod.default?.Kafka;
  if (typeof Kafka !== 'function') {
    throw new SiemDeliveryError('kafka: kafkajs has no Kafka export', { retryable: false });
  }
  return { Kafka };
}

/**
 * Kafka through kafkajs (an optional peer, imported on the first batch). Each batch is one
 * `producer.send` of JSON messages (value: the event; key: tenant or agent; headers
 * `content-type: application/json`, `memgar-decision`). A failed connect or send is retried by
 * the shared machinery (on top of kafkajs' own retries).
 */
export function createKafkaHandler<T extends object = object>(
  options: KafkaHandlerOptions<T>,
): SiemHandler<T> {
  checkKnownKeys(options, KEYS);
  checkString('topic', options.topic);
  if (options.producer === undefined) {
    if (!Array.isArray(options.brokers) || options.brokers.length === 0) {
      throw new InvalidOptionError('brokers', 'brokers: give at least one broker, or a producer');
    }
  } else if (typeof options.producer.send !== 'function' || typeof options.producer.connect !== 'function') {
    throw new InvalidOptionError('producer', 'producer: needs connect() and send()');
  }
  if (options.acks !== undefined && ![-1, 0, 1].includes(options.acks)) {
    throw new InvalidOptionError('acks', `acks: must be -1, 0 or 1, got ${String(options.acks)}`);
  }
  const topic = options.topic;
  const acks = options.acks ?? -1;
  const keyOf =
    options.key ??
    ((event: T): string | undefined => {
      const s = summarizeForSyslog(event);
      return s.tenantId ?? s.agentId;
    });
  const own = options.producer === undefined;
  let producer: KafkaProducerLike | undefined;
  let connected: Promise<KafkaProducerLike> | undefined;

  const ready = (): Promise<KafkaProducerLike> => {
    connected ??= (async () => {
      if (!producer) {
        if (options.producer) producer = options.producer;
        else {
          const { Kafka } = await loadKafkajs();
          const kafka = new Kafka({
            logLevel: 0,
            ...options.kafkaConfig,
            clientId: options.clientId ?? 'memgar',
            brokers: [...(options.brokers ?? [])],
          });
          producer = kafka.producer();
        }
      }
      try {
        await producer.connect();
      } catch (cause) {
        throw new SiemDeliveryError(`kafka: connect failed: ${errorMessage(cause)}`, { cause });
      }
      return producer;
    })().catch((e) => {
      connected = undefined;
      throw e;
    });
    return connected;
  };

  return new BatchingHandler<T>({
    ...pickBatching(options),
    name: 'kafka',
    deliver: async (batch) => {
      const p = await ready();
      const messages = batch.map((event): KafkaMessageLike => {
        const m: KafkaMessageLike = {
          value: JSON.stringify(event),
          timestamp: String(eventTimeMs(event)),
          headers: { 'content-type': 'application/json' },
        };
        const decision = summarizeForSyslog(event).decision;
        if (decision !== undefined) m.headers!['memgar-decision'] = decision;
        const key = keyOf(event);
        if (key !== undefined) m.key = key;
        return m;
      });
      try {
        await p.send({ topic, messages, acks });
      } catch (cause) {
        throw new SiemDeliveryError(`kafka: send to ${topic} failed: ${errorMessage(cause)}`, { cause });
      }
    },
    dispose: async () => {
      if (own && producer && connected) await producer.disconnect();
    },
  });
}
