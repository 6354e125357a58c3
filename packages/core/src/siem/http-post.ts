import { SiemDeliveryError } from './siem-delivery-error.js';

/** The part of `fetch` the HTTP handlers use; pass your own (a proxy agent, a test double). */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{ status: number; ok: boolean; text(): Promise<string> }>;

/** @internal POSTs `body`; throws a `SiemDeliveryError` unless the status is 2xx. */
export async function httpPost(
  name: string,
  fetchFn: FetchLike | undefined,
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<void> {
  const f = fetchFn ?? (globalThis.fetch as unknown as FetchLike | undefined);
  if (typeof f !== 'function') {
    throw new SiemDeliveryError(`${name}: no fetch in this runtime; pass the fetch option`, {
      retryable: false,
    });
  }
  let res: Awaited<ReturnType<FetchLike>>;
  try {
    res = await f(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (cause) {
    throw new SiemDeliveryError(
      `${name}: POST ${redactUrl(url)} failed: ${(cause as Error)?.message ?? cause}`,
      {
        cause,
      },
    );
  }
  // Read the body so that the connection can be reused; keep a little of it for the error.
  const text = await res.text().catch(() => '');
  if (res.ok) return;
  const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
  throw new SiemDeliveryError(
    `${name}: POST ${redactUrl(url)} returned ${res.status}: ${text.slice(0, 200)}`,
    {
      retryable,
      status: res.status,
    },
  );
}

/** @internal The URL without credentials or query (tokens sometimes ride there). */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '<invalid url>';
  }
}
