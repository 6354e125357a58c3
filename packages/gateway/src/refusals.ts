import { jsonReply, type Reply } from './exchange.js';
import type { RefusalReason } from './metrics.js';
import { errorBody, type ProviderName } from './providers.js';

/** Every way the gateway refuses or fails a request: HTTP status, metric reason, error code, message. */
export const REFUSALS = {
  unauthorized: [401, 'unauthorized', 'invalid_api_key', 'missing or unknown gateway key'],
  rateLimiterDown: [
    503,
    'rate_limiter_unavailable',
    'rate_limiter_unavailable',
    'the rate limiter is unavailable',
  ],
  rateLimited: [429, 'rate_limited', 'rate_limit_exceeded', 'rate limit reached'],
  overloaded: [503, 'overloaded', 'overloaded', 'the gateway is at its concurrency limit; retry shortly'],
  tooLarge: [413, 'body_too_large', 'request_too_large', 'the request body is too large'],
  bodyTimeout: [408, 'body_timeout', 'request_timeout', 'the request body was not received in time'],
  bodyGone: [400, 'bad_request', 'invalid_request', 'the request body could not be read'],
  badJson: [400, 'bad_request', 'invalid_json', 'the request body is not a JSON object'],
  blocked: [403, 'request_blocked', 'memgar_blocked', 'memgar blocked the request'],
  held: [403, 'request_held', 'memgar_held_for_review', 'memgar held the request for review'],
  responseBlocked: [403, 'response_blocked', 'memgar_response_blocked', 'memgar withheld the response'],
  addressRefused: [
    502,
    'upstream_refused',
    'upstream_address_refused',
    'the upstream resolved to a refused address',
  ],
  redirect: [
    502,
    'upstream_refused',
    'upstream_redirect',
    'the upstream redirected; redirects are not followed',
  ],
  upstreamAuth: [
    502,
    'upstream_error',
    'upstream_auth_failed',
    "the upstream refused the gateway's credentials",
  ],
  unreachable: [502, 'upstream_error', 'upstream_unreachable', 'the upstream could not be reached'],
  badUpstream: [
    502,
    'upstream_error',
    'upstream_bad_response',
    'the upstream response was too large or not JSON',
  ],
  timeout: [504, 'timeout', 'upstream_timeout', 'the upstream did not answer in time'],
} as const satisfies Record<string, readonly [number, RefusalReason, string, string]>;

export type RefusalKind = keyof typeof REFUSALS;

/** The error answer of a refusal, in the provider's format, naming the request id. */
export function refusalReply(
  provider: ProviderName,
  kind: RefusalKind,
  requestId: string,
  detail?: string,
  headers: Record<string, string> = {},
): Reply {
  const [status, , code, base] = REFUSALS[kind];
  const message = `${detail ? `${base}: ${detail}` : base} (request id ${requestId})`;
  return jsonReply(status, errorBody(provider, status, code, message), headers);
}
