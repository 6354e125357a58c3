import { defineConfig } from 'tsdown';

/**
 * The shared build: ESM only, Node 20 target, declarations, source maps.
 * @param {import('tsdown').UserConfig} [overrides]
 */
export function memgarBuild(overrides = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    dts: true,
    sourcemap: true,
    clean: true,
    fixedExtension: false,
    ...overrides,
  });
}
