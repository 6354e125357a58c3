import { defineConfig } from 'vitest/config';

/** Export condition that maps workspace packages to their TypeScript source. */
export const SOURCE_CONDITION = '@memgar/source';

/**
 * Unit tests: `*.test.ts`; integration tests (`*.int.test.ts`) only when `kind` is `'int'`.
 * @param {{ kind?: 'unit' | 'int', testTimeout?: number }} [options]
 */
export function memgarVitest(options = {}) {
  const kind = options.kind ?? 'unit';
  return defineConfig({
    resolve: { conditions: [SOURCE_CONDITION, 'node', 'default'] },
    ssr: { resolve: { conditions: [SOURCE_CONDITION, 'node', 'default'] } },
    test: {
      include:
        kind === 'int'
          ? ['src/**/*.int.test.ts', 'test/**/*.int.test.ts']
          : ['src/**/*.test.ts', 'test/**/*.test.ts'],
      exclude: kind === 'int' ? ['**/node_modules/**'] : ['**/node_modules/**', '**/*.int.test.ts'],
      testTimeout: options.testTimeout ?? 20_000,
      // A JSON report per package lets .ci/run print one closing 'N passed, N failed' line.
      reporters: ['default', ['json', { outputFile: `test-results/${kind}.json` }]],
      typecheck: { enabled: kind === 'unit', include: ['src/**/*.test-d.ts'] },
    },
  });
}
