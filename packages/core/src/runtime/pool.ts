/**
 * @internal Maps `items` through `fn` with at most `limit` calls in flight (analyses are
 * CPU-bound, but a configured LLM judge is not: a top-k of 1000 must not fire 1000 judge calls at
 * once). Results keep the input order.
 */
export async function mapPool<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(Math.max(1, limit), items.length) }, worker));
  return out;
}
