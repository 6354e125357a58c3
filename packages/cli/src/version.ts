import { createRequire } from 'node:module';

/**
 * The package version, read from package.json at run time. This module sits one level below the
 * package root both as source (`src/`) and when built (`dist/`), so `../package.json` resolves in both.
 */
export function packageVersion(): string {
  const require = createRequire(import.meta.url);
  const pkg = require('../package.json') as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
}
