import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../errors/index.js';
import { createBatchingHandler } from './batching-handler.js';
import { SiemDeliveryError } from './siem-delivery-error.js';

interface Ev {
  n: number;
}

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const fast = { retries: 3, initialDelayMs: 1, maxDelayMs: 2 };

describe('BatchingHandler', () => {
  it('sends full batches at once and the rest on flush, in order', async () => {
    const batches: number[][] = [];
    const h = createBatchingHandler<Ev>({
      name: 't',
      batchSize: 3,
      flushIntervalMs: 60_000,
      deliver: (b) => {
        batches.push(b.map((e) => e.n));
      },
    });
    for (let n = 0; n < 7; n++) h.send({ n });
    await h.flush();
    expect(batches).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    expect(h.stats()).toMatchObject({ sent: 7, failed: 0, dropped: 0, queued: 0, inFlight: 0 });
  });

  it('sends a partial batch when the interval passes, without flush', async () => {
    const got = deferred<number[]>();
    const h = createBatchingHandler<Ev>({
      name: 't',
      batchSize: 100,
      flushIntervalMs: 5,
      deliver: (b) => got.resolve(b.map((e) => e.n)),
    });
    h.send({ n: 1 });
    h.send({ n: 2 });
    expect(await got.promise).toEqual([1, 2]);
    await h.close();
  });

  it('retries a failing batch with backoff, then succeeds', async () => {
    let calls = 0;
    const h = createBatchingHandler<Ev>({
      name: 't',
      retry: fast,
      deliver: () => {
        calls++;
        if (calls < 3) throw new Error('boom');
      },
    });
    h.send({ n: 1 });
    await h.flush();
    expect(calls).toBe(3);
    expect(h.stats()).toMatchObject({ sent: 1, failed: 0, retries: 2 });
  });

  it('gives up after the retries and reports the loss; a non-retryable error is not retried', async () => {
    const errors: [string, number][] = [];
    let calls = 0;
    const h = createBatchingHandler<Ev>({
      name: 't',
      retry: fast,
      onError: (e, lost) => errors.push([(e as Error).message, lost]),
      deliver: async (b) => {
        calls++;
        if (b[0]!.n === 1) throw new Error('down');
        throw new SiemDeliveryError('bad token', { retryable: false, status: 403 });
      },
    });
    h.send({ n: 1 });
    h.send({ n: 1 });
    await h.flush();
    expect(calls).toBe(4);
    h.send({ n: 2 });
    await h.flush();
    expect(calls).toBe(5);
    expect(errors).toEqual([
      ['down', 2],
      ['bad token', 1],
    ]);
    expect(h.stats()).toMatchObject({ sent: 0, failed: 3, retries: 3, lastError: 'bad token' });
  });

  it('drops and counts what does not fit in the queue while a batch is stuck', async () => {
    const gate = deferred();
    const started = deferred();
    const delivered: number[] = [];
    const h = createBatchingHandler<Ev>({
      name: 't',
      batchSize: 2,
      maxQueueSize: 3,
      deliver: async (b) => {
        started.resolve();
        await gate.promise;
        delivered.push(...b.map((e) => e.n));
      },
    });
    h.send({ n: 0 });
    h.send({ n: 1 }); // a full batch: in flight
    await started.promise;
    for (let n = 2; n < 10; n++) h.send({ n });
    expect(h.stats()).toMatchObject({ queued: 3, inFlight: 2, dropped: 5 });
    gate.resolve();
    await h.flush();
    expect(delivered).toEqual([0, 1, 2, 3, 4]);
    expect(h.stats()).toMatchObject({ sent: 5, dropped: 5, queued: 0 });
  });

  it('counts partial rejections from a DeliveryReport', async () => {
    const h = createBatchingHandler<Ev>({
      name: 't',
      deliver: () => ({ failed: 1, error: new Error('too big') }),
    });
    h.send({ n: 1 });
    h.send({ n: 2 });
    await h.flush();
    expect(h.stats()).toMatchObject({ sent: 1, failed: 1, lastError: 'too big' });
  });

  it('close flushes, disposes once, and drops later events', async () => {
    let disposed = 0;
    const seen: number[] = [];
    const h = createBatchingHandler<Ev>({
      name: 't',
      deliver: (b) => {
        seen.push(...b.map((e) => e.n));
      },
      dispose: () => {
        disposed++;
      },
    });
    h.send({ n: 1 });
    await Promise.all([h.close(), h.close()]);
    h.send({ n: 2 });
    expect(seen).toEqual([1]);
    expect(disposed).toBe(1);
    expect(h.stats().dropped).toBe(1);
  });

  it('never throws from send, even when onError throws', async () => {
    const h = createBatchingHandler<Ev>({
      name: 't',
      retry: { retries: 0 },
      onError: () => {
        throw new Error('x');
      },
      deliver: () => {
        throw new Error('y');
      },
    });
    expect(() => h.send({ n: 1 })).not.toThrow();
    await expect(h.flush()).resolves.toBeUndefined();
    expect(h.stats().failed).toBe(1);
  });

  it('rejects bad options', () => {
    expect(() => createBatchingHandler({ name: 't', deliver: () => {}, batchSize: 0 })).toThrow(
      InvalidOptionError,
    );
    expect(() => createBatchingHandler({ name: 't', deliver: () => {}, size: 1 } as never)).toThrow(/size/);
    expect(() => createBatchingHandler({ name: 't' } as never)).toThrow(/deliver/);
  });
});
