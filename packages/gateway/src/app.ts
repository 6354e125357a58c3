import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { ReviewQueue } from '@memgar/core';
import { Hono } from 'hono';
import type { Dispatcher } from 'undici';
import {
  ContentGuard,
  type GatewayDecisionEvent,
  isRecord,
  OutputWindow,
  type PartOutcome,
  StreamViolation,
  type Verdict,
} from './guard.js';
import { ConcurrencyCap } from './limits.js';
import { GatewayMetrics, type RefusalReason } from './metrics.js';
import { DECISION_RANK, type GatewayOptions, type ResolvedKey, resolveOptions } from './options.js';
import { errorBody, type ProviderName, ROUTES, type Route } from './providers.js';
import { formatSse, type SseEvent, SseParser } from './sse.js';
import { isAddressRefusal, Upstream } from './upstream.js';

/** A running gateway application (Web-standard: serve `fetch` with any server). */
export interface GatewayApp {
  /** Answers one request. */
  fetch(request: Request): Promise<Response>;
  /** Where held requests are queued (approve or reject them; approval does not replay the request). */
  readonly reviewQueue: ReviewQueue;
  /** The Prometheus exposition text (`/__memgar/metrics`). */
  metrics(): Promise<string>;
  /** Closes the upstream connection pool. */
  close(): Promise<void>;
}

type Json = Record<string, unknown>;

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

/** The body of `req`, refusing more than `max` bytes or a client slower than `timeoutMs`. */
async function readBody(
  req: Request,
  max: number,
  timeoutMs: number,
): Promise<Uint8Array | 'too_large' | 'timeout'> {
  if (Number(req.headers.get('content-length') ?? 0) > max) return 'too_large';
  if (req.body === null) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    for (;;) {
      const r = await Promise.race([reader.read(), timeout]);
      if (r !== 'timeout' && r.done) break;
      size += r === 'timeout' ? 0 : r.value.byteLength;
      if (r === 'timeout' || size > max) {
        reader.cancel().catch(() => {});
        return r === 'timeout' ? 'timeout' : 'too_large';
      }
      chunks.push(r.value);
    }
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks, size);
}

/** Drops an upstream body (an abort error it may emit is expected). */
const discard = (body: Dispatcher.ResponseData['body']) => void body.on('error', () => {}).destroy();

/** An upstream body as text, or undefined past `max` bytes. */
async function readText(body: Dispatcher.ResponseData['body'], max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += (chunk as Buffer).length;
    if (size > max) {
      discard(body);
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

const header = (headers: Dispatcher.ResponseData['headers'], name: string) => {
  const v = headers[name];
  return Array.isArray(v) ? v.join(', ') : (v ?? '');
};

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
  const guard = new ContentGuard({
    enforcer: cfg.enforcer,
    outputEnforcer: cfg.outputEnforcer,
    canaries: cfg.canaries,
    dlp: cfg.responseDlp,
    reviewQueue: cfg.reviewQueue,
  });
  const metrics = new GatewayMetrics();
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

  const emit = (e: GatewayDecisionEvent) => {
    metrics.inc('decisions', { stage: e.stage, decision: e.decision });
    safe(cfg.onDecision, e);
  };

  /** Handles one model-API request (`route`), or an allow-listed path (`route` undefined). */
  async function handle(req: Request, route: Route | undefined): Promise<Response> {
    const t0 = performance.now();
    const id = `req_${randomUUID().replaceAll('-', '')}`;
    const provider: ProviderName = route?.provider ?? 'openai';
    const routeId = route?.id ?? 'passthrough';
    const url = new URL(req.url);
    let key: ResolvedKey | undefined;
    let finished = false;
    const finish = (status: number, outcome: string) => {
      if (finished) return;
      finished = true;
      metrics.inc('requests', { route: routeId, status: String(status) });
      const durationMs = Math.round((performance.now() - t0) * 100) / 100;
      const entry = { time: new Date().toISOString(), requestId: id, method: req.method, path: url.pathname };
      safe(cfg.log, {
        ...entry,
        route: routeId,
        ...(key ? { key: key.name } : {}),
        status,
        outcome,
        durationMs,
      });
    };
    const ids = { 'x-request-id': id, 'request-id': id };
    const refuse = (status: number, reason: RefusalReason, code: string, message: string, extra = {}) => {
      metrics.inc('refusals', { reason });
      metrics.observe(routeId, (performance.now() - t0) / 1000);
      finish(status, reason);
      const body = errorBody(provider, status, code, `${message} (request id ${id})`);
      return Response.json(body, { status, headers: { ...ids, ...extra } });
    };

    key = authenticate(req);
    if (key === undefined)
      return refuse(401, 'unauthorized', 'invalid_api_key', 'missing or unknown gateway key');
    if (key.rateLimit !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), cfg.limits.rateLimitTimeoutMs);
      });
      const taken = await Promise.race([cfg.rateLimitStore.take(key.name, key.rateLimit), late])
        .catch(() => undefined)
        .finally(() => clearTimeout(timer));
      if (taken === undefined) {
        return refuse(
          503,
          'rate_limiter_unavailable',
          'rate_limiter_unavailable',
          'the rate limiter is unavailable',
        );
      }
      if (!taken.allowed) {
        const retry = { 'retry-after': String(Math.max(1, Math.ceil(taken.retryAfterMs / 1000))) };
        const rpm = key.rateLimit.requestsPerMinute;
        return refuse(
          429,
          'rate_limited',
          'rate_limit_exceeded',
          `rate limit of ${rpm} requests per minute reached`,
          retry,
        );
      }
    }
    const release = cap.acquire();
    if (release === undefined) {
      return refuse(
        503,
        'overloaded',
        'overloaded',
        `the gateway is at its limit of ${cap.max} requests; retry shortly`,
      );
    }
    metrics.setInFlight(cap.inFlight);
    let streaming = false;
    const done = () => {
      release();
      metrics.setInFlight(cap.inFlight);
    };
    try {
      let body: Uint8Array | undefined;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        const read = await readBody(req, cfg.limits.maxBodyBytes, cfg.limits.clientBodyTimeoutMs).catch(
          () => 'gone' as const,
        );
        if (read === 'too_large') {
          return refuse(
            413,
            'body_too_large',
            'request_too_large',
            `the request body exceeds ${cfg.limits.maxBodyBytes} bytes`,
          );
        }
        if (read === 'timeout')
          return refuse(408, 'body_timeout', 'request_timeout', 'the request body was not received in time');
        if (read === 'gone')
          return refuse(400, 'bad_request', 'invalid_request', 'the request body could not be read');
        body = read;
      }

      if (route?.requestParts !== undefined) {
        let json: unknown;
        try {
          json = JSON.parse(new TextDecoder().decode(body));
        } catch {
          json = undefined;
        }
        if (!isRecord(json))
          return refuse(400, 'bad_request', 'invalid_json', 'the request body is not a JSON object');
        const outcome = await guardRequest(route, json, id, key.name);
        if (outcome.refused !== undefined) {
          const { status, reason, code, message } = outcome.refused;
          return refuse(status, reason, code, message);
        }
        if (outcome.changed) body = new TextEncoder().encode(JSON.stringify(json));
      }

      const headers: Record<string, string> = { 'accept-encoding': 'identity' };
      for (const name of FORWARD_HEADERS) {
        const v = req.headers.get(name);
        if (v !== null) headers[name] = v;
      }
      if (provider === 'anthropic') {
        headers['x-api-key'] = key.anthropicUpstreamKey ?? key.upstreamKey;
        headers['anthropic-version'] ??= '2023-06-01';
      } else headers.authorization = `Bearer ${key.upstreamKey}`;

      const abort = new AbortController();
      const onClientGone = () => abort.abort();
      req.signal?.addEventListener('abort', onClientGone, { once: true });
      const timer = setTimeout(() => abort.abort(), cfg.limits.requestTimeoutMs);
      try {
        let res: Dispatcher.ResponseData;
        try {
          res = await upstream.send(provider, url.pathname + url.search, {
            method: req.method,
            headers,
            body,
            signal: abort.signal,
            headersTimeout: cfg.limits.requestTimeoutMs,
            bodyTimeout: cfg.limits.upstreamIdleTimeoutMs,
          });
        } catch (error) {
          if (isAddressRefusal(error)) {
            return refuse(
              502,
              'upstream_refused',
              'upstream_address_refused',
              'the upstream resolved to a refused address',
            );
          }
          const timedOut = abort.signal.aborted || /TIMEOUT/.test(String((error as { code?: unknown }).code));
          if (timedOut)
            return refuse(504, 'timeout', 'upstream_timeout', 'the upstream did not answer in time');
          return refuse(502, 'upstream_error', 'upstream_unreachable', 'the upstream could not be reached');
        }
        const status = res.statusCode;
        if (status >= 300 && status < 400) {
          discard(res.body);
          return refuse(
            502,
            'upstream_refused',
            'upstream_redirect',
            `the upstream answered ${status}; redirects are not followed`,
          );
        }
        if (status === 401 || status === 403) {
          discard(res.body);
          return refuse(
            502,
            'upstream_error',
            'upstream_auth_failed',
            "the upstream refused the gateway's credentials",
          );
        }
        const out: Record<string, string> = { ...ids };
        for (const name of Object.keys(res.headers))
          if (RETURN_HEADERS.test(name)) out[name] = header(res.headers, name);
        metrics.observe(routeId, (performance.now() - t0) / 1000);
        const sse = header(res.headers, 'content-type').includes('text/event-stream');
        if (status < 300 && sse && route?.codec !== undefined && cfg.scan.responses) {
          streaming = true;
          clearTimeout(timer);
          return streamResponse(route, res, out, id, (outcome) => {
            req.signal?.removeEventListener('abort', onClientGone);
            done();
            finish(status, outcome);
          });
        }
        const text = await readText(res.body, cfg.limits.maxResponseBytes).catch((error: unknown) =>
          abort.signal.aborted || /TIMEOUT/.test(String((error as { code?: unknown }).code))
            ? 'timeout'
            : 'error',
        );
        if (text === 'timeout')
          return refuse(504, 'timeout', 'upstream_timeout', 'the upstream did not answer in time');
        if (text === undefined || text === 'error') {
          return refuse(
            502,
            'upstream_error',
            'upstream_response_too_large',
            'the upstream response was too large or broken',
          );
        }
        if (status >= 400 || route?.responseParts === undefined || !cfg.scan.responses) {
          finish(status, status >= 400 ? 'upstream_status' : 'ok');
          return new Response(text, { status, headers: out });
        }
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        if (!isRecord(json))
          return refuse(502, 'upstream_error', 'upstream_invalid_json', 'the upstream response is not JSON');
        const blocked = await guardResponse(route, json, id);
        if (blocked !== undefined) {
          return refuse(
            403,
            'response_blocked',
            'memgar_response_blocked',
            `memgar withheld the response: ${blocked}`,
          );
        }
        finish(status, 'ok');
        return Response.json(json, { status, headers: out });
      } finally {
        clearTimeout(timer);
        if (!streaming) req.signal?.removeEventListener('abort', onClientGone);
      }
    } finally {
      if (!streaming) done();
    }
  }

  type Refusal = { status: number; reason: RefusalReason; code: string; message: string };

  /** Decides every part of a request; rewrites sanitized parts in place; queues held ones. */
  async function guardRequest(route: Route, body: Json, requestId: string, keyName: string) {
    let parts = route.requestParts?.(body, cfg.sourceTypes) ?? [];
    if (cfg.scan.messages === 'new') parts = parts.filter((p) => p.history !== true);
    if (!cfg.scan.toolDefinitions) parts = parts.filter((p) => !/^(tools|functions)\[/.test(p.where));
    const outcomes = await Promise.all(parts.map((p) => guard.decide(p)));
    const worst = outcomes.reduce<PartOutcome | undefined>(
      (w, o) =>
        w === undefined || (DECISION_RANK[o.verdict.decision] ?? 0) > (DECISION_RANK[w.verdict.decision] ?? 0)
          ? o
          : w,
      undefined,
    );
    const refusing = worst !== undefined && !worst.verdict.allowed;
    const held = refusing && worst.verdict.decision !== 'block';
    const reviewIds: string[] = [];
    for (const o of outcomes) {
      const { decision, allowed, rule, reason, riskScore } = o.verdict;
      let reviewId: string | undefined;
      if (held && !allowed && decision !== 'block') {
        reviewId = await guard.hold(o, { requestId, route: route.id, key: keyName });
        reviewIds.push(reviewId);
      }
      const action = !allowed ? 'refused' : o.changed ? 'sanitized' : 'pass';
      const event = { stage: 'request' as const, route: route.id, where: o.part.where, requestId };
      emit({
        ...event,
        decision,
        allowed,
        rule,
        reason,
        riskScore,
        action,
        ...(reviewId ? { reviewId } : {}),
      });
      if (!refusing && o.changed) o.part.set(o.safe);
    }
    if (!refusing) return { changed: outcomes.some((o) => o.changed), refused: undefined };
    const v = worst.verdict;
    const what = `${worst.part.where}: ${v.reason} (${v.decision}, ${v.rule})`;
    const refused: Refusal = held
      ? {
          status: 403,
          reason: 'request_held',
          code: 'memgar_held_for_review',
          message: `memgar held the request for review (${reviewIds.join(', ')}): ${what}`,
        }
      : {
          status: 403,
          reason: 'request_blocked',
          code: 'memgar_blocked',
          message: `memgar blocked the request: ${what}`,
        };
    return { changed: false, refused };
  }

  const report = (
    route: string,
    requestId: string,
    where: string,
    v: Verdict,
    action: GatewayDecisionEvent['action'],
  ) => {
    const { decision, allowed, rule, reason, riskScore } = v;
    emit({ stage: 'response', route, where, requestId, decision, allowed, rule, reason, riskScore, action });
  };
  const redacted: Verdict = {
    decision: 'sanitize',
    allowed: true,
    rule: 'dlp',
    reason: 'sensitive data redacted',
    riskScore: 0,
    ruleIds: [],
  };
  const passed: Verdict = {
    decision: 'allow',
    allowed: true,
    rule: 'none',
    reason: 'clean',
    riskScore: 0,
    ruleIds: [],
  };

  /** Checks every text of a buffered response; rewrites redacted ones; returns why it is withheld, if it is. */
  async function guardResponse(route: Route, body: Json, requestId: string): Promise<string | undefined> {
    const parts = route.responseParts?.(body) ?? [];
    const checks = await Promise.all(parts.map((p) => guard.checkText(p.text, false)));
    for (const [i, c] of checks.entries()) {
      const p = parts[i] as (typeof parts)[number];
      if (!c.ok) {
        report(route.id, requestId, p.where, c.verdict, 'refused');
        return `${p.where}: ${c.verdict.reason} (${c.verdict.decision}, ${c.verdict.rule})`;
      }
      report(
        route.id,
        requestId,
        p.where,
        c.text === p.text ? passed : redacted,
        c.text === p.text ? 'pass' : 'redacted',
      );
      if (c.text !== p.text) p.set(c.text);
    }
    return undefined;
  }

  /** Streams an SSE response through the hold-back window; a violation ends it with the provider's error event. */
  function streamResponse(
    route: Route,
    res: Dispatcher.ResponseData,
    headers: Record<string, string>,
    requestId: string,
    onEnd: (outcome: string) => void,
  ): Response {
    const codec = (route.codec as NonNullable<Route['codec']>)();
    const window = new OutputWindow(cfg.holdBack, async (text, where) => {
      const c = await guard.checkText(text, true);
      if (c.ok && c.spans.length > 0) report(route.id, requestId, where, redacted, 'redacted');
      return c;
    });
    const parser = new SseParser(cfg.limits.maxResponseBytes);
    const decoder = new TextDecoder();
    let outcome: string | undefined;

    const onEvent = async (ev: SseEvent): Promise<string> => {
      if (ev.data === '[DONE]') return (await flushAll()) + formatSse(ev);
      let json: unknown;
      try {
        json = JSON.parse(ev.data);
      } catch {
        return formatSse(ev);
      }
      if (!isRecord(json)) return formatSse(ev);
      for (const d of codec.deltas(json)) d.set(await window.push(d.key, d.text, d.where));
      let before = '';
      for (const c of codec.closes(json, window.keys())) {
        const rest = await window.flush(c.key, c.where);
        const extra = rest === '' ? undefined : c.apply(rest);
        if (extra !== undefined) before += formatSse(extra);
      }
      for (const p of codec.fulls(json)) {
        const c = await guard.checkText(p.text, true);
        if (!c.ok) throw new StreamViolation(p.where, c.verdict);
        if (c.text !== p.text) p.set(c.text);
      }
      return before + formatSse({ ...ev, data: JSON.stringify(json) });
    };
    const flushAll = async (): Promise<string> => {
      let out = '';
      for (const key of window.keys()) {
        const rest = await window.flush(key, key);
        if (rest !== '') out += formatSse(codec.tail(key, rest));
      }
      return out;
    };

    async function* run(): AsyncGenerator<string> {
      try {
        for await (const chunk of res.body) {
          let out = '';
          for (const ev of parser.push(decoder.decode(chunk as Buffer, { stream: true })))
            out += await onEvent(ev);
          if (out !== '') yield out;
        }
        let out = '';
        for (const ev of parser.end()) out += await onEvent(ev);
        out += await flushAll();
        if (out !== '') yield out;
        outcome ??= 'ok';
      } catch (error) {
        if (outcome !== undefined) return; // the client went away
        const violation = error instanceof StreamViolation;
        outcome = violation ? 'response_blocked' : 'upstream_error';
        metrics.inc('refusals', { reason: outcome as RefusalReason });
        let message = `the upstream stream failed (request id ${requestId})`;
        if (violation) {
          report(route.id, requestId, error.where, error.verdict, 'refused');
          const v = error.verdict;
          message = `memgar ended the response: ${error.where}: ${v.reason} (${v.decision}, ${v.rule}) (request id ${requestId})`;
        }
        yield formatSse(codec.error(violation ? 'memgar_response_blocked' : 'upstream_error', message));
      } finally {
        discard(res.body);
        onEnd(outcome ?? 'client_closed');
      }
    }

    const it = run();
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const r = await it.next();
        if (r.done) controller.close();
        else controller.enqueue(encoder.encode(r.value));
      },
      async cancel() {
        outcome ??= 'client_closed';
        discard(res.body);
        await it.return(undefined);
      },
    });
    return new Response(stream, {
      status: res.statusCode,
      headers: {
        ...headers,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
      },
    });
  }

  const adminToken = cfg.adminToken === undefined ? undefined : sha256(cfg.adminToken);
  const app = new Hono();
  app.get('/__memgar/:what', async (c) => {
    const what = c.req.param('what');
    if (adminToken === undefined || !['health', 'metrics', 'policy'].includes(what))
      return c.json({ error: 'not found' }, 404);
    const token = bearer(c.req.raw);
    if (token === undefined || !timingSafeEqual(sha256(token), adminToken))
      return c.json({ error: 'unauthorized' }, 401);
    c.header('cache-control', 'no-store');
    if (what === 'metrics') {
      c.header('content-type', 'text/plain; version=0.0.4; charset=utf-8');
      return c.body(await renderMetrics());
    }
    if (what === 'policy') return c.json(policyView);
    const analyzer = cfg.analyzer?.healthCheck();
    const status = analyzer === undefined || analyzer.status === 'ok' ? 'ok' : 'degraded';
    const gateway = {
      inFlight: cap.inFlight,
      maxConcurrent: cap.max,
      pendingReviews: await cfg.reviewQueue.pending(),
    };
    return c.json({ status, gateway, ...(analyzer ? { analyzer } : {}) }, status === 'ok' ? 200 : 503);
  });
  for (const route of ROUTES) app.on(route.method, route.path, (c) => handle(c.req.raw, route));
  app.all('*', (c) => {
    if (!c.req.path.startsWith('/__memgar/') && pathAllowed(c.req.path)) return handle(c.req.raw, undefined);
    const provider = c.req.path === '/v1/messages' ? 'anthropic' : 'openai';
    metrics.inc('refusals', { reason: 'not_found' });
    const body = errorBody(
      provider,
      404,
      'unknown_url',
      `${c.req.method} ${c.req.path} is not served by this gateway`,
    );
    return c.json(body, 404);
  });
  app.onError((_error, c) =>
    c.json(errorBody('openai', 500, 'gateway_error', 'internal gateway error'), 500),
  );

  async function renderMetrics(): Promise<string> {
    const extra = cfg.metricsRegistry ? await cfg.metricsRegistry.metrics().catch(() => '') : '';
    return metrics.render() + extra;
  }

  return {
    fetch: async (request) => app.fetch(request),
    reviewQueue: cfg.reviewQueue,
    metrics: renderMetrics,
    close: () => upstream.close(),
  };
}
