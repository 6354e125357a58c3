// The built package the benchmark measures: ../dist/index.js, or the build MEMGAR_BENCH_DIST points
// at. Exits 2 with a hint when it cannot be imported.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export async function loadDist() {
  const url = process.env.MEMGAR_BENCH_DIST
    ? pathToFileURL(path.resolve(process.env.MEMGAR_BENCH_DIST)).href
    : new URL('../dist/index.js', import.meta.url).href;
  try {
    return { url, mod: await import(url) };
  } catch (err) {
    console.error(`Could not import ${url}: build the package first (pnpm build).`);
    console.error(String(err?.message ?? err));
    process.exit(2);
  }
}
