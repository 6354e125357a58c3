import type { JudgeOptions } from '../analyzer/options.js';
import type { AnalysisResult, MemoryEntry } from '../analyzer/types.js';
import { LayerFailedError } from '../errors/index.js';

/** Outcome of one judge call. */
export type JudgeOutcome =
  | { kind: 'skipped' }
  | { kind: 'ok'; probability: number }
  | { kind: 'failed'; error: LayerFailedError };

/**
 * Asks the user's LLM judge about a borderline score, with a timeout. Never throws: a failure or a
 * timeout comes back as `failed`, and the analyzer marks the layer degraded.
 */
export async function consultJudge(
  judge: JudgeOptions,
  entry: MemoryEntry,
  preliminary: Pick<AnalysisResult, 'riskScore' | 'findings'>,
): Promise<JudgeOutcome> {
  const [low, high] = judge.borderline ?? [30, 70];
  if (preliminary.riskScore < low || preliminary.riskScore >= high) return { kind: 'skipped' };
  const timeoutMs = judge.timeoutMs ?? 2000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new LayerFailedError('judge', `judge timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    const p = await Promise.race([Promise.resolve().then(() => judge.evaluate(entry, preliminary)), timeout]);
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1) {
      return {
        kind: 'failed',
        error: new LayerFailedError('judge', `judge returned ${String(p)}, not a probability 0..1`),
      };
    }
    return { kind: 'ok', probability: p };
  } catch (cause) {
    const error = LayerFailedError.isInstance(cause)
      ? cause
      : new LayerFailedError(
          'judge',
          `judge failed: ${cause instanceof Error ? cause.message : String(cause)}`,
          { cause },
        );
    return { kind: 'failed', error };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
