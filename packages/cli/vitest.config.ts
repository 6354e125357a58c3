import { memgarVitest } from '@memgar/vitest-config';
import { defineConfig, mergeConfig } from 'vitest/config';

export default mergeConfig(
  memgarVitest({ testTimeout: 60_000 }),
  defineConfig({ test: { globalSetup: ['./test/global-setup.ts'] } }),
);
