import { Analyzer, type AnalyzerOptions, type PolicyProfile } from '@memgar/core';
import type { AnalyzerLike, CliIO } from '../io.js';

/** Policy profiles accepted by `--profile`. */
export const PROFILES: readonly PolicyProfile[] = ['strict', 'balanced', 'permissive'];

/** Analyzer options shared by the commands. */
export interface AnalyzerFlags {
  profile?: PolicyProfile;
  failClose?: boolean;
}

/** Builds the analyzer from the flags (only the flags given are passed, so env defaults still apply). */
export function makeAnalyzer(io: CliIO, flags: AnalyzerFlags): AnalyzerLike {
  const options: AnalyzerOptions = {};
  if (flags.profile !== undefined) options.profile = flags.profile;
  if (flags.failClose === true) options.failClose = true;
  return io.createAnalyzer ? io.createAnalyzer(options) : new Analyzer(options);
}
