import type { Analyzer, AnalyzerOptions } from '@memgar/core';

/** A writable text stream as the CLI sees it (process.stdout, process.stderr, or a test double). */
export interface OutStream {
  write(chunk: string): unknown;
  /** True when the stream is an interactive terminal (enables color and progress). */
  isTTY?: boolean;
  /** Terminal width, when known. */
  columns?: number;
}

/** The subset of the analyzer the CLI uses; lets tests inject a fake. */
export type AnalyzerLike = Pick<Analyzer, 'analyze' | 'listRules' | 'healthCheck'>;

/** Everything the CLI touches in the outside world, so it can run in-process in tests. */
export interface CliIO {
  stdout: OutStream;
  stderr: OutStream;
  stdin: NodeJS.ReadableStream;
  env: Readonly<Record<string, string | undefined>>;
  /** Directory relative paths are resolved against. */
  cwd: string;
  /** Builds the analyzer. Defaults to `new Analyzer(options)`. */
  createAnalyzer?: (options: AnalyzerOptions) => AnalyzerLike;
}

/** The real process streams and environment. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
  };
}
