import { createRequire } from 'node:module';

/**
 * Test support, imported before prom-client. The shared vitest config runs workers with
 * `--conditions module`, under which prom-client's `require('@opentelemetry/api')` resolves to
 * that package's bundler-only ESM build and fails to load. This pre-loads its CommonJS build under
 * the path `require` resolves to. Outside vitest (no `module` condition) nothing changes.
 */
const require = createRequire(import.meta.url);
try {
  const resolved = require.resolve('@opentelemetry/api');
  if (resolved.includes('/build/esm/') && require.cache[resolved] === undefined) {
    const cjs = resolved.replace('/build/esm/', '/build/src/');
    require(cjs);
    const loaded = require.cache[cjs];
    if (loaded !== undefined) require.cache[resolved] = loaded;
  }
} catch {
  // Not installed: prom-client then loads without it.
}
