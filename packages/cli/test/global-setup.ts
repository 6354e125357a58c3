import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, d.name);
    const t = d.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

/** The process tests run `node dist/bin.js`: fail early and clearly when it has not been built. */
export default function setup(): void {
  const override = process.env.MEMGAR_CLI_BIN;
  if (override !== undefined) {
    if (!existsSync(override)) throw new Error(`MEMGAR_CLI_BIN points to a missing file: ${override}`);
    return;
  }
  const bin = join(root, 'dist', 'bin.js');
  if (!existsSync(bin)) {
    throw new Error(
      'packages/cli/dist/bin.js is missing: build first (`pnpm -C packages/core build && pnpm -C packages/cli build`, or `pnpm turbo run test --filter memgar`).',
    );
  }
  const require = createRequire(join(root, 'package.json'));
  const coreDist = join(dirname(require.resolve('@memgar/core/package.json')), 'dist', 'index.js');
  if (!existsSync(coreDist)) {
    throw new Error(`@memgar/core is not built (${coreDist} missing): run \`pnpm -C packages/core build\`.`);
  }
  if (newestMtime(join(root, 'src')) > statSync(bin).mtimeMs) {
    process.stderr.write(
      '[memgar cli tests] warning: src/ is newer than dist/bin.js; rebuild to test the current code.\n',
    );
  }
}
