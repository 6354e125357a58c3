/** The outcome of one task. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * Runs `fn` over `source` with at most `concurrency` tasks in flight, pulling items lazily (so a
 * streamed source is never read far ahead), and calls `emit` in source order.
 */
export async function mapPool<T, R>(
  source: AsyncIterable<T>,
  concurrency: number,
  fn: (item: T) => Promise<R>,
  emit: (item: T, settled: Settled<R>) => void,
): Promise<void> {
  const iterator = source[Symbol.asyncIterator]();
  const pending = new Map<number, { item: T; settled: Settled<R> }>();
  let taken = 0;
  let emitted = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return;
      const seq = taken++;
      let settled: Settled<R>;
      try {
        settled = { ok: true, value: await fn(next.value) };
      } catch (error) {
        settled = { ok: false, error };
      }
      pending.set(seq, { item: next.value, settled });
      for (let ready = pending.get(emitted); ready !== undefined; ready = pending.get(emitted)) {
        pending.delete(emitted);
        emitted++;
        emit(ready.item, ready.settled);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}
