type OtelApi = typeof import('@opentelemetry/api');

let loading: Promise<OtelApi | undefined> | undefined;

/**
 * Loads `@opentelemetry/api` (an optional peer dependency) on first use, once per process.
 * Resolves to `undefined` when it is not installed: tracing then turns itself off instead of
 * failing the analysis.
 * @internal
 */
export function loadOtelApi(): Promise<OtelApi | undefined> {
  loading ??= import('@opentelemetry/api').then(
    (m) => m,
    () => undefined,
  );
  return loading;
}
