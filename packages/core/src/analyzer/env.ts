/**
 * Environment variables, read lazily (at construction, never at import) so that explicit options
 * always win and tests can set them per case. Works where `process` does not exist.
 */
function env(name: string): string | undefined {
  const g = globalThis as { process?: { env?: Record<string, string | undefined> } };
  return g.process?.env?.[name];
}

/** `MEMGAR_FAIL_CLOSE`: `true`/`1`/`yes` turn fail-close on; anything else leaves it off. */
export function envFailClose(): boolean | undefined {
  const v = env('MEMGAR_FAIL_CLOSE');
  if (v === undefined || v === '') return undefined;
  return /^(1|true|yes|on)$/i.test(v.trim());
}

/** `MEMGAR_MAX_CONTENT_LENGTH`: a positive integer; ignored when not one. */
export function envMaxContentLength(): number | undefined {
  const v = env('MEMGAR_MAX_CONTENT_LENGTH');
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  const n = Number(v.trim());
  return n > 0 ? n : undefined;
}

/** `MEMGAR_FEED_ENABLED`: `true`/`1`/`yes`/`on` turn the feed on, anything else off; unset: undefined. */
export function envFeedEnabled(): boolean | undefined {
  const v = env('MEMGAR_FEED_ENABLED');
  if (v === undefined || v.trim() === '') return undefined;
  return /^(1|true|yes|on)$/i.test(v.trim());
}

/** `MEMGAR_FEED_MAX_AGE_DAYS`: a positive number of days; ignored when not one. */
export function envFeedMaxAgeDays(): number | undefined {
  const v = env('MEMGAR_FEED_MAX_AGE_DAYS');
  if (v === undefined || !/^\d+(?:\.\d+)?$/.test(v.trim())) return undefined;
  const n = Number(v.trim());
  return n > 0 ? n : undefined;
}
