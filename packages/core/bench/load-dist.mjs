// The built package the benchmarks measure: ../dist, or the build MEMGAR_BENCH_DIST points at (its
// index.js; sibling entries such as node.js are taken from the same folder). Exits 2 with a hint
// when it cannot be imported.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Imports `file` (e.g. `index.js`, `node.js`) of the build under test. */
export async function loadDist(file = 'index.js') {
  const url = process.env.MEMGAR_BENCH_DIST
    ? pathToFileURL(path.join(path.dirname(path.resolve(process.env.MEMGAR_BENCH_DIST)), file)).href
    : new URL(`../dist/${file}`, import.meta.url).href;
  try {
    return { url, mod: await import(url) };
  } catch (err) {
    console.error(`Could not import ${url}: build @memgar/core first (pnpm -C packages/core build).`);
    console.error(String(err?.message ?? err));
    process.exit(2);
  }
}
