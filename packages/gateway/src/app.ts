import { createHash, hash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ReviewQueue } from '@memgar/core';
import { Hono } from 'hono';
import {
  type Exchange,
  jsonReply,
  nodeExchange,
  type Reply,
  toResponse,
  webExchange,
  writeReply,
} from './exchange.js';
import { ContentGuard, type GatewayDecisionEvent } from './guard.js';
import { header, parseObject, timedOut } from './http.js';
import { createInspector } from './inspect.js';
import { ConcurrencyCap, MemoryRateLimitStore, type RateLimitResult } from './limits.js';
import { GatewayMetrics } from './metrics.js';
import { type GatewayOptions, type ResolvedKey, resolveOptions } from './options.js';
import { errorBody, type ProviderName, ROUTES, type Route } from './providers.js';
import { REFUSALS, type RefusalKind, refusalReply } from './refusals.js';
import { isAddressRefusal, Upstream, UpstreamAbort, type UpstreamResponse } from './upstream.js';

/** A running gateway application (Web-standard: serve `fetch` with any server). */
export interface GatewayApp {
  /** Answers one request (`env`: the server's bindings; under @hono/node-server, `{ incoming, outgoing }`). */
  fetch(request: Request, env?: unknown): Promise<Response>;
  /** Where held requests are queued (approve or reject them; approval does not replay the request). */
  readonly reviewQueue: ReviewQueue;
  /** The Prometheus exposition text (`/__memgar/metrics`). */
  metrics(): Promise<string>;
  /** Closes the upstream connection pool. */
  close(): Promise<void>;
}

/** Request headers passed upstream (the client's credentials never are). */
const FORWARD_HEADERS = [
  'content-type',
  'accept',
  'anthropic-version',
  'anthropic-beta',
  'openai-beta',
  'openai-organization',
  'openai-project',
  'idempotency-key',
];
/** Upstream response headers passed back. */
const RETURN_HEADERS =
  /^(content-type|retry-after|openai-processing-ms|x-ratelimit-.*|anthropic-ratelimit-.*)$/;

const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();
const sha256 = (s: string) => createHash('sha256').update(s).digest();
/** A client key's lookup id (the table holds digests, never the keys). */
const keyId = (s: string) => hash('sha256', s, 'hex');
const safe = <T>(fn: ((e: T) => void) | undefined, e: T) => {
  try {
    fn?.(e);
  } catch {
    // Callbacks never change an answer.
  }
};

/** `promise`, or undefined after `ms` (or when it rejects). */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, late])
    .catch(() => undefined)
    .finally(() => clearTimeout(timer));
}

/**
 * Creates the gateway: OpenAI routes (`/v1/chat/completions`, `/v1/responses`, `/v1/embeddings`,
 * `/v1/models`) and Anthropic `/v1/messages`, each request's texts decided before it goes upstream
 * and each response's texts checked (streams through a hold-back window) before they reach the
 * client. Throws `InvalidOptionError` for bad options (an upstream host not allow-listed or at a
 * private address included).
 */
export function createGatewayApp(options: GatewayOptions): GatewayApp {
  const cfg = resolveOptions(options);
  const upstream = new Upstream({
    baseUrls: { openai: cfg.upstreamBaseUrl, anthropic: cfg.anthropicBaseUrl },
    allowedHosts: cfg.allowedUpstreamHosts,
    policy: cfg.addressPolicy,
    lookup: cfg.lookup,
    connectTimeoutMs: cfg.limits.connectTimeoutMs,
  });
  const metrics = new GatewayMetrics();
  const guard = new ContentGuard({
    enforcer: cfg.enforcer,
    outputEnforcer: cfg.outputEnforcer,
    canaries: cfg.canaries,
    dlp: cfg.responseDlp,
    reviewQueue: cfg.reviewQueue,
  });
  const inspect = createInspector({
    guard,
    scan: cfg.scan,
    sourceTypes: cfg.sourceTypes,
    holdBack: cfg.holdBack,
    maxEventChars: cfg.limits.maxResponseBytes,
    emit: (e: GatewayDecisionEvent) => {
      metrics.decision(e.stage, e.decision);
      safe(cfg.onDecision, e);
    },
    refused: (reason) => metrics.refusal(reason),
  });
  const cap = new ConcurrencyCap(cfg.limits.maxConcurrent);
  const keys = new Map(cfg.keys.map((k) => [keyId(k.clientKey), k]));
  const policyView = {
    upstream: {
      openai: upstream.base('openai'),
      anthropic: upstream.base('anthropic'),
      allowedHosts: cfg.allowedUpstreamHosts,
      allowPrivate: options.allowPrivateUpstreams ?? false,
      redirects: 'refused',
    },
    routes: ROUTES.map((r) => `${r.method} ${r.path}`),
    allowedPaths: cfg.allowedPaths,
    profile: cfg.profile,
    scan: cfg.scan,
    sourceTypes: cfg.sourceTypes,
    canaries: cfg.canaries !== undefined,
    dlp: { requests: cfg.requestDlp ?? false, responses: cfg.responseDlp ?? false },
    holdBack: cfg.holdBack,
    limits: cfg.limits,
    keys: cfg.keys.map((k) => ({ name: k.name, rateLimit: k.rateLimit ?? null })),
  };

  const bearer = (authorization: string | undefined) => /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  const authenticate = (ex: Exchange): ResolvedKey | undefined => {
    const token = ex.header('x-api-key') ?? bearer(ex.header('authorization'));
    return token === undefined ? undefined : keys.get(keyId(token));
  };
  const pathAllowed = (path: string) =>
    !path.includes('..') &&
    cfg.allowedPaths.some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : path === p));
  const upstreamHeaders = (ex: Exchange, provider: ProviderName, key: ResolvedKey) => {
    const out: Record<string, string> = { 'accept-encoding': 'identity' };
    for (const name of FORWARD_HEADERS) {
      const v = ex.header(name);
      if (v !== undefined) out[name] = v;
    }
    if (provider === 'anthropic') {
      out['x-api-key'] = key.anthropicUpstreamKey ?? key.upstreamKey;
      out['anthropic-version'] ??= '2023-06-01';
    } else out.authorization = `Bearer ${key.upstreamKey}`;
    return out;
  };

  /**
   * Handles one model-API request (`route`), or an allow-listed path (`route` undefined). The
   * transport (a Web `Request`, or Node's request on the server's direct path) is behind `ex`;
   * every decision is made here, once, for both.
   */
  async function handle(ex: Exchange, route: Route | undefined): Promise<Reply> {
    const t0 = performance.now();
    const id = `req_${randomUUID().replaceAll('-', '')}`;
    const provider: ProviderName = route?.provider ?? 'openai';
    const routeId = route?.id ?? 'passthrough';
    const ids = { 'x-request-id': id, 'request-id': id };
    let key: ResolvedKey | undefined;
    let finished = false;
    const finish = (status: number, outcome: string) => {
      if (finished) return;
      finished = true;
      metrics.request(routeId, status);
      if (cfg.log === undefined) return;
      const entry = { time: new Date().toISOString(), requestId: id, method: ex.method, path: ex.path };
      const durationMs = Math.round((performance.now() - t0) * 100) / 100;
      safe(cfg.log, {
        ...entry,
        route: routeId,
        ...(key ? { key: key.name } : {}),
        status,
        outcome,
        durationMs,
      });
    };
    const refuse = (kind: RefusalKind, detail?: string, extra: Record<string, string> = {}) => {
      const [status, reason] = REFUSALS[kind];
      metrics.refusal(reason);
      metrics.observe(routeId, (performance.now() - t0) / 1000);
      finish(status, reason);
      return refusalReply(provider, kind, id, detail, { ...ids, ...extra });
    };

    key = authenticate(ex);
    if (key === undefined) return refuse('unauthorized');
    if (key.rateLimit !== undefined) {
      const store = cfg.rateLimitStore;
      // The built-in store answers at once and cannot fail: no timer, no race.
      const taken: RateLimitResult | undefined =
        Object.getPrototypeOf(store) === MemoryRateLimitStore.prototype
          ? (store as MemoryRateLimitStore).takeNow(key.name, key.rateLimit)
          : await within(store.take(key.name, key.rateLimit), cfg.limits.rateLimitTimeoutMs);
      if (taken === undefined) return refuse('rateLimiterDown');
      if (!taken.allowed) {
        const retry = { 'retry-after': String(Math.max(1, Math.ceil(taken.retryAfterMs / 1000))) };
        return refuse('rateLimited', `${key.rateLimit.requestsPerMinute} requests per minute`, retry);
      }
    }
    if (!cap.tryAcquire()) return refuse('overloaded', `${cap.max} requests at once`);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      cap.release();
    };
    metrics.setInFlight(cap.inFlight);
    let streaming = false;
    const abort = new UpstreamAbort();
    const unsubscribe = ex.onGone(() => abort.abort());
    const end = () => {
      unsubscribe();
      release();
      metrics.setInFlight(cap.inFlight);
    };
    try {
      let body: Uint8Array | undefined;
      if (ex.method !== 'GET' && ex.method !== 'HEAD') {
        const max = cfg.limits.maxBodyBytes;
        const read = await ex.body(max, cfg.limits.clientBodyTimeoutMs);
        if (read === 'too_large') return refuse('tooLarge', `over ${max} bytes`);
        if (read === 'timeout') return refuse('bodyTimeout');
        if (read === 'gone') return refuse('bodyGone');
        body = read;
      }
      if (route?.requestParts !== undefined) {
        const json = parseObject(utf8.decode(body));
        if (json === undefined) return refuse('badJson');
        const r = await inspect.request(route, json, id, key.name);
        if (r.refusal !== undefined) return refuse(r.refusal, r.detail);
        if (r.changed) body = utf8Encoder.encode(JSON.stringify(json));
      }

      const timer = setTimeout(() => abort.abort(), cfg.limits.requestTimeoutMs);
      try {
        let res: UpstreamResponse;
        try {
          res = await upstream.send(provider, ex.path + ex.search, {
            method: ex.method,
            headers: upstreamHeaders(ex, provider, key),
            body,
            abort,
            headersTimeout: cfg.limits.requestTimeoutMs,
            bodyTimeout: cfg.limits.upstreamIdleTimeoutMs,
          });
        } catch (error) {
          if (isAddressRefusal(error)) return refuse('addressRefused');
          return refuse(timedOut(error, abort) ? 'timeout' : 'unreachable');
        }
        const status = res.statusCode;
        if ((status >= 300 && status < 400) || status === 401 || status === 403) {
          res.body.discard();
          return status < 400 ? refuse('redirect', `status ${status}`) : refuse('upstreamAuth');
        }
        const out: Record<string, string> = { ...ids };
        for (const name of Object.keys(res.headers)) {
          if (RETURN_HEADERS.test(name)) out[name] = header(res.headers, name);
        }
        metrics.observe(routeId, (performance.now() - t0) / 1000);
        const sse = header(res.headers, 'content-type').includes('text/event-stream');
        if (status < 300 && sse && route?.codec !== undefined && cfg.scan.responses) {
          streaming = true;
          return inspect.stream(route, res, out, id, (outcome) => {
            end();
            finish(status, outcome);
          });
        }
        const bytes = await res.body
          .bytes(cfg.limits.maxResponseBytes)
          .catch((error: unknown) => (timedOut(error, abort) ? ('timeout' as const) : undefined));
        if (bytes === 'timeout') return refuse('timeout');
        if (bytes === undefined) return refuse('badUpstream');
        if (status >= 400 || route?.responseParts === undefined || !cfg.scan.responses) {
          finish(status, status >= 400 ? 'upstream_status' : 'ok');
          return { status, headers: out, body: bytes };
        }
        const json = parseObject(bytes.toString('utf8'));
        if (json === undefined) return refuse('badUpstream');
        const withheld = await inspect.response(route, json, id);
        if (withheld !== undefined) return refuse('responseBlocked', withheld);
        finish(status, 'ok');
        // What the client gets is what was checked: the parsed answer, serialized again (a parser
        // that reads duplicate keys differently cannot see text the checks did not).
        return jsonReply(status, json, out);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      if (!streaming) end();
    }
  }

  const adminToken = cfg.adminToken === undefined ? undefined : sha256(cfg.adminToken);
  async function renderMetrics(): Promise<string> {
    const extra = cfg.metricsRegistry ? await cfg.metricsRegistry.metrics().catch(() => '') : '';
    return metrics.render() + extra;
  }

  /** Node's request when served by @hono/node-server (its body is read directly: no web-stream conversion). */
  const nodeIncoming = (env: unknown): IncomingMessage | undefined => {
    const incoming = (env as { incoming?: IncomingMessage } | undefined)?.incoming;
    return typeof incoming?.on === 'function' && Array.isArray(incoming.rawHeaders) ? incoming : undefined;
  };

  const app = new Hono();
  app.get('/__memgar/:what', async (c) => {
    const what = c.req.param('what');
    if (adminToken === undefined || !['health', 'metrics', 'policy'].includes(what)) {
      return c.json({ error: 'not found' }, 404);
    }
    const token = bearer(c.req.header('authorization'));
    if (token === undefined || !timingSafeEqual(sha256(token), adminToken)) {
      return c.json({ error: 'unauthorized' }, 401);
    }
    c.header('cache-control', 'no-store');
    if (what === 'metrics') {
      c.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
      return c.body(await renderMetrics());
    }
    if (what === 'policy') return c.json(policyView);
    const analyzer = cfg.analyzer?.healthCheck();
    const status = analyzer === undefined || analyzer.status === 'ok' ? 'ok' : 'degraded';
    const pendingReviews = await cfg.reviewQueue.pending();
    const gateway = { inFlight: cap.inFlight, maxConcurrent: cap.max, pendingReviews };
    return c.json({ status, gateway, ...(analyzer ? { analyzer } : {}) }, status === 'ok' ? 200 : 503);
  });
  const webHandle = async (req: Request, route: Route | undefined, env: unknown) =>
    toResponse(await handle(webExchange(req, nodeIncoming(env)), route));
  for (const route of ROUTES) {
    app.on(route.method, route.path, (c) => webHandle(c.req.raw, route, c.env));
  }
  app.all('*', (c) => {
    if (!c.req.path.startsWith('/__memgar/') && pathAllowed(c.req.path)) {
      return webHandle(c.req.raw, undefined, c.env);
    }
    const provider = c.req.path === '/v1/messages' ? 'anthropic' : 'openai';
    metrics.refusal('not_found');
    const message = `${c.req.method} ${c.req.path} is not served by this gateway`;
    return c.json(errorBody(provider, 404, 'unknown_url', message), 404);
  });
  app.onError((_error, c) => c.json(INTERNAL_ERROR, 500));

  const gateway: GatewayApp = {
    fetch: async (request, env) => app.fetch(request, env),
    reviewQueue: cfg.reviewQueue,
    metrics: renderMetrics,
    close: () => upstream.close(),
  };

  /**
   * The Node server's direct path: a request for one of the model routes, whose URL and Host the
   * Web side would take as they are, is handled straight from Node's request into Node's response
   * (same `handle`, no Request/Response objects, no router). Anything else returns false and goes
   * through `fetch`.
   */
  const direct = (incoming: IncomingMessage, res: ServerResponse): boolean => {
    const target = directTarget(incoming);
    if (target === undefined) return false;
    handle(nodeExchange(incoming, res, target.route.path, target.search), target.route)
      .catch(() => jsonReply(500, INTERNAL_ERROR))
      .then((reply) => writeReply(incoming, res, reply))
      .catch(() => res.destroy());
    return true;
  };
  DIRECT.set(gateway, direct);
  return gateway;
}

const INTERNAL_ERROR = errorBody('openai', 500, 'gateway_error', 'internal gateway error');

/** `METHOD path` → route, for the direct path. */
const ROUTE_BY_TARGET = new Map(ROUTES.map((r) => [`${r.method} ${r.path}`, r]));
/** A query the WHATWG URL parser leaves as it is (no `'`, `#`, quotes, spaces, `<>` or non-ASCII). */
const PLAIN_QUERY = /^\?[A-Za-z0-9\-._~!$&()*+,;=:@/?%[\]]*$/;
/** A Host header @hono/node-server takes as it is (its own check). */
const PLAIN_HOST = /^[a-z0-9._-]+(?::(?:[1-5]\d{3,4}|[6-9]\d{3}))?$/;

/**
 * The route of a request the direct path may take: an exact route path (no dot segments,
 * percent-encoding, trailing slash or doubled slash), the route's method, a plain query and a
 * plain Host. Everything else (admin routes, allow-listed paths, 404s, odd URLs) is left to the
 * Web side, whose URL parsing and routing then decide it as before.
 */
function directTarget(incoming: IncomingMessage): { route: Route; search: string } | undefined {
  const url = incoming.url ?? '';
  if (url.charCodeAt(0) !== 47 /* / */) return undefined;
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const search = q === -1 ? '' : url.slice(q);
  const route = ROUTE_BY_TARGET.get(`${incoming.method} ${path}`);
  if (route === undefined) return undefined;
  if (search !== '' && (search === '?' || !PLAIN_QUERY.test(search))) return undefined;
  const host = incoming.headers.host;
  if (host === undefined || !PLAIN_HOST.test(host)) return undefined;
  return { route, search };
}

const DIRECT = new WeakMap<GatewayApp, (incoming: IncomingMessage, res: ServerResponse) => boolean>();

/** The direct path of an app made by `createGatewayApp` (for `startGateway`; not exported by the package). */
export function directHandler(
  app: GatewayApp,
): ((incoming: IncomingMessage, res: ServerResponse) => boolean) | undefined {
  return DIRECT.get(app);
}
