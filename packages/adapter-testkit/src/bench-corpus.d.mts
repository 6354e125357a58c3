/** `count` memory texts: every 50th (index 49, 99, …) an attack, the rest benign. */
export function texts(count: number): string[];
/** A deterministic, unit-length bag-of-words embedding of `text` with `dims` dimensions. */
export function embedding(text: string, dims?: number): number[];
/** Median of `runs` timings of `fn` (ms), after one warm-up run. */
export function median(runs: number, fn: () => unknown): Promise<number>;
/** Prints `rows` (`[name, unit, raw, guarded]`) as a Markdown table under `title`. */
export function printTable(title: string, rows: [string, string, number, number][]): void;
/** Imports the built package a benchmark measures (`defaultUrl`, or MEMGAR_BENCH_DIST); exits 2 when it cannot. */
export function loadDist(defaultUrl: URL | string): Promise<{ url: string; mod: Record<string, unknown> }>;
