import type { AnalyzerOptions, PolicyProfile } from '@memgar/core';
import { ablationConfigs, type BenchConfig, runBench } from '../bench/measure.js';
import { renderAblation, renderBenchTables } from '../bench/render.js';
import { EXIT } from '../exit-codes.js';
import { formatWarning } from '../input/types.js';
import type { CliIO } from '../io.js';

/** Flags of `memgar bench`. */
export interface BenchFlags {
  corpus: string[];
  json?: boolean;
  ablate?: boolean;
  learned?: boolean;
  profile?: PolicyProfile;
}

/** The configurations `memgar bench` measures for its flags. */
export function benchConfigs(flags: Pick<BenchFlags, 'ablate' | 'learned' | 'profile'>): BenchConfig[] {
  const base: AnalyzerOptions = flags.profile === undefined ? {} : { profile: flags.profile };
  if (flags.ablate === true) return ablationConfigs(base);
  return flags.learned === true
    ? [{ name: 'learned', options: { ...base, learned: true } }]
    : [{ name: 'default', options: base }];
}

/**
 * `memgar bench`: recall, false-positive rate and median latency over labelled JSONL corpora. It is a
 * measurement: exit 0 whatever the figures, 2 on usage or input errors (a missing file).
 */
export async function benchCommand(flags: BenchFlags, io: CliIO): Promise<number> {
  const options: Parameters<typeof runBench>[1] = {
    configs: benchConfigs(flags),
    cwd: io.cwd,
    warn: (w) => void io.stderr.write(`warning: ${formatWarning(w)}\n`),
  };
  if (io.createAnalyzer !== undefined) options.createAnalyzer = io.createAnalyzer;
  const report = await runBench(flags.corpus, options);
  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    io.stdout.write(flags.ablate === true ? renderAblation(report) : renderBenchTables(report));
    if (report.badLines.length > 0) io.stdout.write(`\n${report.badLines.length} broken lines skipped\n`);
  }
  return EXIT.OK;
}
