import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memgarVitest } from '@memgar/vitest-config';
import { mergeConfig } from 'vitest/config';

// mem0ai reads MEM0_TELEMETRY when it is imported (off: no posthog calls) and writes its
// config.json under MEM0_DIR (a temp dir, not ~/.mem0).
export default mergeConfig(memgarVitest(), {
  test: { env: { MEM0_TELEMETRY: 'false', MEM0_DIR: join(tmpdir(), 'memgar-mem0-home') } },
});
