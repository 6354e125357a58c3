/**
 * @internal Counts of events and of "hits" among them over a sliding time window, kept in a fixed
 * ring of time buckets: memory does not grow with traffic. Bucket width = window / buckets, so
 * the window is exact to one bucket.
 */
export class SlidingCounts {
  readonly #bucketMs: number;
  readonly #epochs: Float64Array;
  readonly #totals: Float64Array;
  readonly #hits: Float64Array;

  constructor(windowMs: number, buckets: number) {
    this.#bucketMs = Math.max(1, windowMs / buckets);
    this.#epochs = new Float64Array(buckets).fill(-1);
    this.#totals = new Float64Array(buckets);
    this.#hits = new Float64Array(buckets);
  }

  add(now: number, hit: boolean): void {
    const epoch = Math.floor(now / this.#bucketMs);
    const i = epoch % this.#epochs.length;
    if (this.#epochs[i] !== epoch) {
      this.#epochs[i] = epoch;
      this.#totals[i] = 0;
      this.#hits[i] = 0;
    }
    this.#totals[i] = (this.#totals[i] ?? 0) + 1;
    if (hit) this.#hits[i] = (this.#hits[i] ?? 0) + 1;
  }

  /** Events and hits of the buckets inside the window ending at `now`. */
  sum(now: number): { total: number; hits: number } {
    const current = Math.floor(now / this.#bucketMs);
    const oldest = current - this.#epochs.length + 1;
    let total = 0;
    let hits = 0;
    for (let i = 0; i < this.#epochs.length; i++) {
      const e = this.#epochs[i] ?? -1;
      if (e >= oldest && e <= current) {
        total += this.#totals[i] ?? 0;
        hits += this.#hits[i] ?? 0;
      }
    }
    return { total, hits };
  }
}
