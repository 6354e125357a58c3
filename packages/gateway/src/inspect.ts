import type { Reply } from './exchange.js';
import {
  type ContentGuard,
  type GatewayDecisionEvent,
  OutputWindow,
  type PartOutcome,
  StreamViolation,
  type Verdict,
} from './guard.js';
import { parseObject } from './http.js';
import type { RefusalReason } from './metrics.js';
import { DECISION_RANK, type GatewayScanOptions } from './options.js';
import type { Route, SourceTypes } from './providers.js';
import { formatSse, type SseEvent, SseParser } from './sse.js';
import type { UpstreamResponse } from './upstream.js';

type Json = Record<string, unknown>;

export interface InspectorOptions {
  guard: ContentGuard;
  scan: Required<GatewayScanOptions>;
  sourceTypes: SourceTypes;
  holdBack: number;
  maxEventChars: number;
  emit(event: GatewayDecisionEvent): void;
  /** Counts a refusal that happens inside a stream (the response status was already sent). */
  refused(reason: RefusalReason): void;
}

/** The outcome of a request inspection. */
export type RequestInspection =
  | { refusal: undefined; changed: boolean }
  | { refusal: 'blocked' | 'held'; detail: string };

const verdict = (decision: Verdict['decision'], rule: string, reason: string): Verdict => ({
  decision,
  allowed: true,
  rule,
  reason,
  riskScore: 0,
  ruleIds: [],
});
const REDACTED = verdict('sanitize', 'dlp', 'sensitive data redacted');
const PASSED = verdict('allow', 'none', 'clean');
const describe = (where: string, v: Verdict) => `${where}: ${v.reason} (${v.decision}, ${v.rule})`;

/** Request, response and stream inspection for the gateway's routes. */
export function createInspector(o: InspectorOptions) {
  const report = (
    route: Route,
    requestId: string,
    where: string,
    v: Verdict,
    action: GatewayDecisionEvent['action'],
  ) => {
    const { decision, allowed, rule, reason, riskScore } = v;
    o.emit({
      stage: 'response',
      route: route.id,
      where,
      requestId,
      decision,
      allowed,
      rule,
      reason,
      riskScore,
      action,
    });
  };

  /**
   * Decides every part of a request. Nothing refused: sanitized parts are rewritten in place. A
   * block anywhere refuses it; otherwise held parts (quarantine, human review) are queued and refuse it.
   */
  async function request(
    route: Route,
    body: Json,
    requestId: string,
    key: string,
  ): Promise<RequestInspection> {
    let parts = route.requestParts?.(body, o.sourceTypes) ?? [];
    if (o.scan.messages === 'new') parts = parts.filter((p) => p.history !== true);
    if (!o.scan.toolDefinitions) parts = parts.filter((p) => !/^(tools|functions)\[/.test(p.where));
    const outcomes = await Promise.all(parts.map((p) => o.guard.decide(p)));
    const rank = (x: PartOutcome) => DECISION_RANK[x.verdict.decision] ?? 0;
    const worst = outcomes.reduce<PartOutcome | undefined>(
      (w, x) => (w === undefined || rank(x) > rank(w) ? x : w),
      undefined,
    );
    const refusing = worst !== undefined && !worst.verdict.allowed;
    const held = refusing && worst.verdict.decision !== 'block';
    const reviewIds: string[] = [];
    for (const x of outcomes) {
      const { decision, allowed, rule, reason, riskScore } = x.verdict;
      const reviewId =
        held && !allowed && decision !== 'block'
          ? await o.guard.hold(x, { requestId, route: route.id, key })
          : undefined;
      if (reviewId !== undefined) reviewIds.push(reviewId);
      const action: GatewayDecisionEvent['action'] = !allowed ? 'refused' : x.changed ? 'sanitized' : 'pass';
      const event = { stage: 'request' as const, route: route.id, where: x.part.where, requestId, action };
      o.emit({ ...event, decision, allowed, rule, reason, riskScore, ...(reviewId ? { reviewId } : {}) });
      if (!refusing && x.changed) x.part.set(x.safe);
    }
    if (!refusing) return { refusal: undefined, changed: outcomes.some((x) => x.changed) };
    const what = describe(worst.part.where, worst.verdict);
    return held
      ? { refusal: 'held', detail: `review ${reviewIds.join(', ')}: ${what}` }
      : { refusal: 'blocked', detail: what };
  }

  /** Checks every text of a buffered response; rewrites redacted ones; returns why it is withheld, if it is. */
  async function response(route: Route, body: Json, requestId: string): Promise<string | undefined> {
    const parts = route.responseParts?.(body) ?? [];
    const checks = await Promise.all(parts.map((p) => o.guard.checkText(p.text, false)));
    for (const [i, c] of checks.entries()) {
      const p = parts[i] as (typeof parts)[number];
      if (!c.ok) {
        report(route, requestId, p.where, c.verdict, 'refused');
        return describe(p.where, c.verdict);
      }
      const same = c.text === p.text;
      report(route, requestId, p.where, same ? PASSED : REDACTED, same ? 'pass' : 'redacted');
      if (!same) p.set(c.text);
    }
    return undefined;
  }

  /**
   * Streams an SSE response through the hold-back window (deltas), checks full texts whole (done
   * and completed events), and ends the stream with the provider's error event on a violation.
   * `onEnd(outcome)` runs once, when the stream ends for any reason.
   */
  function stream(
    route: Route,
    res: UpstreamResponse,
    headers: Record<string, string>,
    requestId: string,
    onEnd: (outcome: string) => void,
  ): Reply {
    const codec = (route.codec as NonNullable<Route['codec']>)();
    const window = new OutputWindow(o.holdBack, async (text, where) => {
      const c = await o.guard.checkText(text, true);
      if (c.ok && c.spans.length > 0) report(route, requestId, where, REDACTED, 'redacted');
      return c;
    });
    const parser = new SseParser(o.maxEventChars);
    const decoder = new TextDecoder();
    let outcome: string | undefined;

    const flushAll = async (): Promise<string> => {
      let out = '';
      for (const key of window.keys()) {
        const flushed = window.flush(key, key);
        const rest = typeof flushed === 'string' ? flushed : await flushed;
        if (rest !== '') out += formatSse(codec.tail(key, rest));
      }
      return out;
    };
    const onEvent = async (ev: SseEvent): Promise<string> => {
      if (ev.data === '[DONE]') return (await flushAll()) + formatSse(ev);
      const json = parseObject(ev.data);
      if (json === undefined) return formatSse(ev);
      for (const d of codec.deltas(json)) {
        const released = window.push(d.key, d.text, d.where);
        d.set(typeof released === 'string' ? released : await released);
      }
      let before = '';
      for (const c of codec.closes(json, window.keys())) {
        const flushed = window.flush(c.key, c.where);
        const rest = typeof flushed === 'string' ? flushed : await flushed;
        const extra = rest === '' ? undefined : c.apply(rest);
        if (extra !== undefined) before += formatSse(extra);
      }
      for (const p of codec.fulls(json)) {
        const c = await o.guard.checkText(p.text, true);
        if (!c.ok) throw new StreamViolation(p.where, c.verdict);
        if (c.text !== p.text) p.set(c.text);
      }
      return before + formatSse({ ...ev, data: JSON.stringify(json) });
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
        o.refused(outcome as RefusalReason);
        let message = 'the upstream stream failed';
        if (violation) {
          report(route, requestId, error.where, error.verdict, 'refused');
          message = `memgar ended the response: ${describe(error.where, error.verdict)}`;
        }
        const code = violation ? 'memgar_response_blocked' : 'upstream_error';
        yield formatSse(codec.error(code, `${message} (request id ${requestId})`));
      } finally {
        endOnce();
      }
    }
    let ended = false;
    const endOnce = () => {
      if (ended) return;
      ended = true;
      res.body.discard();
      onEnd(outcome ?? 'client_closed');
    };

    const it = run();
    return {
      status: res.statusCode,
      headers: {
        ...headers,
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
      },
      stream: {
        next: () => it.next(),
        async cancel() {
          outcome ??= 'client_closed';
          res.body.discard();
          await it.return(undefined);
          endOnce(); // when the stream was cancelled before it started
        },
      },
    };
  }

  return { request, response, stream };
}
