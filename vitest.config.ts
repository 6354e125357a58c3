import { defineConfig } from 'vitest/config';

// One root config for running every package's tests from the repository root (`pnpm vitest`);
// turbo runs each package's own config in CI. Each project's config comes from @memgar/vitest-config.
export default defineConfig({
  test: {
    projects: ['packages/*/vitest.config.ts', 'examples/*/vitest.config.ts'],
  },
});
