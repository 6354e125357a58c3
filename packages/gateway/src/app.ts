import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ReviewQueue } from '@memgar/core';
import { Hono } from 'hono';
import type { Dispatcher } from 'undici';
import { ContentGuard, type GatewayDecisionEvent } from './guard.js';
import { discard, header, parseObject, readBody, readText, timedOut } from './http.js';
import { createInspector } from './inspect.js';
import { ConcurrencyCap, type RateLimitResult } from './limits.js';
import { GatewayMetrics } from './metrics.js';
import { type GatewayOptions, type ResolvedKey, resolveOptions } from './options.js';
import { errorBody, type ProviderName, ROUTES, type Route } from './providers.js';
import { REFUSALS, type RefusalKind, refusalResponse } from './refusals.js';
import { isAddressRefusal, Upstream } from './upstream.js';

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

const sha256 = (s: string) => createHash('sha256').update(s).digest();
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
      metrics.inc('decisions', { stage: e.stage, decision: e.decision });
      safe(cfg.onDecision, e);
    },
    refused: (reason) => metrics.inc('refusals', { reason }),
  });
  const cap = new ConcurrencyCap(cfg.limits.maxConcurrent);
  const keys = new Map(cfg.keys.map((k) => [sha256(k.clientKey).toString('hex'), k]));
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

  const bearer = (req: Request) => /^Bearer\s+(\S+)\s*$/i.exec(req.headers.get('authorization') ?? '')?.[1];
  const authenticate = (req: Request): ResolvedKey | undefined => {
    const token = req.headers.get('x-api-key') ?? bearer(req);
    return token === undefined ? undefined : keys.get(sha256(token).toString('hex'));
  };
  const pathAllowed = (path: string) =>
    !path.includes('..') &&
    cfg.allowedPaths.some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : path === p));
  const upstreamHeaders = (req: Request, provider: ProviderName, key: ResolvedKey) => {
    const out: Record<string, string> = { 'accept-encoding': 'identity' };
    for (const name of FORWARD_HEADERS) {
      const v = req.headers.get(name);
      if (v !== null) out[name] = v;
    }
    if (provider === 'anthropic') {
      out['x-api-key'] = key.anthropicUpstreamKey ?? key.upstreamKey;
      out['anthropic-version'] ??= '2023-06-01';
    } else out.authorization = `Bearer ${key.upstreamKey}`;
    return out;
  };

  /** Handles one model-API request (`route`), or an allow-listed path (`route` undefined). */
  async function handle(
    req: Request,
    route: Route | undefined,
    incoming?: NodeJS.ReadableStream,
  ): Promise<Response> {
    const t0 = performance.now();
    const id = `req_${randomUUID().replaceAll('-', '')}`;
    const provider: ProviderName = route?.provider ?? 'openai';
    const routeId = route?.id ?? 'passthrough';
    const url = new URL(req.url);
    const ids = { 'x-request-id': id, 'request-id': id };
    let key: ResolvedKey | undefined;
    let finished = false;
    const finish = (status: number, outcome: string) => {
      if (finished) return;
      finished = true;
      metrics.inc('requests', { route: routeId, status: String(status) });
      if (cfg.log === undefined) return;
      const entry = { time: new Date().toISOString(), requestId: id, method: req.method, path: url.pathname };
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
      metrics.inc('refusals', { reason });
      metrics.observe(routeId, (performance.now() - t0) / 1000);
      finish(status, reason);
      return refusalResponse(provider, kind, id, detail, { ...ids, ...extra });
    };

    key = authenticate(req);
    if (key === undefined) return refuse('unauthorized');
    if (key.rateLimit !== undefined) {
      const taken: RateLimitResult | undefined = await within(
        cfg.rateLimitStore.take(key.name, key.rateLimit),
        cfg.limits.rateLimitTimeoutMs,
      );
      if (taken === undefined) return refuse('rateLimiterDown');
      if (!taken.allowed) {
        const retry = { 'retry-after': String(Math.max(1, Math.ceil(taken.retryAfterMs / 1000))) };
        return refuse('rateLimited', `${key.rateLimit.requestsPerMinute} requests per minute`, retry);
      }
    }
    const release = cap.acquire();
    if (release === undefined) return refuse('overloaded', `${cap.max} requests at once`);
    metrics.setInFlight(cap.inFlight);
    const done = () => {
      release();
      metrics.setInFlight(cap.inFlight);
    };
    let streaming = false;
    const abort = new AbortController();
    const onClientGone = () => abort.abort();
    req.signal?.addEventListener('abort', onClientGone, { once: true });
    const end = () => {
      req.signal?.removeEventListener('abort', onClientGone);
      done();
    };
    try {
      let body: Uint8Array | undefined;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        const max = cfg.limits.maxBodyBytes;
        const read = await readBody(req, max, cfg.limits.clientBodyTimeoutMs, incoming).catch(
          () => 'gone' as const,
        );
        if (read === 'too_large') return refuse('tooLarge', `over ${max} bytes`);
        if (read === 'timeout') return refuse('bodyTimeout');
        if (read === 'gone') return refuse('bodyGone');
        body = read;
      }
      if (route?.requestParts !== undefined) {
        const json = parseObject(new TextDecoder().decode(body));
        if (json === undefined) return refuse('badJson');
        const r = await inspect.request(route, json, id, key.name);
        if (r.refusal !== undefined) return refuse(r.refusal, r.detail);
        if (r.changed) body = new TextEncoder().encode(JSON.stringify(json));
      }

      const timer = setTimeout(() => abort.abort(), cfg.limits.requestTimeoutMs);
      try {
        let res: Dispatcher.ResponseData;
        try {
          res = await upstream.send(provider, url.pathname + url.search, {
            method: req.method,
            headers: upstreamHeaders(req, provider, key),
            body,
            signal: abort.signal,
            headersTimeout: cfg.limits.requestTimeoutMs,
            bodyTimeout: cfg.limits.upstreamIdleTimeoutMs,
          });
        } catch (error) {
          if (isAddressRefusal(error)) return refuse('addressRefused');
          return refuse(timedOut(error, abort.signal) ? 'timeout' : 'unreachable');
        }
        const status = res.statusCode;
        if ((status >= 300 && status < 400) || status === 401 || status === 403) {
          discard(res.body);
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
        const text = await readText(res.body, cfg.limits.maxResponseBytes).catch((error: unknown) =>
          timedOut(error, abort.signal) ? ('timeout' as const) : undefined,
        );
        if (text === 'timeout') return refuse('timeout');
        if (text === undefined) return refuse('badUpstream');
        if (status >= 400 || route?.responseParts === undefined || !cfg.scan.responses) {
          finish(status, status >= 400 ? 'upstream_status' : 'ok');
          return new Response(text, { status, headers: out });
        }
        const json = parseObject(text);
        if (json === undefined) return refuse('badUpstream');
        const withheld = await inspect.response(route, json, id);
        if (withheld !== undefined) return refuse('responseBlocked', withheld);
        finish(status, 'ok');
        return Response.json(json, { status, headers: out });
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

  /** Node's request stream when served by @hono/node-server (read directly: no web-stream conversion). */
  const nodeIncoming = (env: unknown): NodeJS.ReadableStream | undefined => {
    const incoming = (env as { incoming?: NodeJS.ReadableStream } | undefined)?.incoming;
    return typeof incoming?.[Symbol.asyncIterator] === 'function' ? incoming : undefined;
  };

  const app = new Hono();
  app.get('/__memgar/:what', async (c) => {
    const what = c.req.param('what');
    if (adminToken === undefined || !['health', 'metrics', 'policy'].includes(what)) {
      return c.json({ error: 'not found' }, 404);
    }
    const token = bearer(c.req.raw);
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
  for (const route of ROUTES) {
    app.on(route.method, route.path, (c) => handle(c.req.raw, route, nodeIncoming(c.env)));
  }
  app.all('*', (c) => {
    if (!c.req.path.startsWith('/__memgar/') && pathAllowed(c.req.path)) {
      return handle(c.req.raw, undefined, nodeIncoming(c.env));
    }
    const provider = c.req.path === '/v1/messages' ? 'anthropic' : 'openai';
    metrics.inc('refusals', { reason: 'not_found' });
    const message = `${c.req.method} ${c.req.path} is not served by this gateway`;
    return c.json(errorBody(provider, 404, 'unknown_url', message), 404);
  });
  app.onError((_error, c) =>
    c.json(errorBody('openai', 500, 'gateway_error', 'internal gateway error'), 500),
  );

  return {
    fetch: async (request, env) => app.fetch(request, env),
    reviewQueue: cfg.reviewQueue,
    metrics: renderMetrics,
    close: () => upstream.close(),
  };
}
