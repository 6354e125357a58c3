/** Why the gateway refused or failed a request (a closed set: the `reason` label). */
export const REFUSAL_REASONS = [
  'unauthorized',
  'not_found',
  'rate_limited',
  'rate_limiter_unavailable',
  'body_too_large',
  'body_timeout',
  'overloaded',
  'bad_request',
  'request_blocked',
  'request_held',
  'response_blocked',
  'timeout',
  'upstream_refused',
  'upstream_error',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

interface Family {
  type: 'counter' | 'histogram' | 'gauge';
  help: string;
  series: Map<string, number[]>; // label text → value (counter, gauge) or bucket counts + sum + count
}

const labelText = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([k, v]) => `${k}="${v.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`))}"`)
    .join(',');

/**
 * The gateway's own metrics in the Prometheus text format (labels are closed sets: routes, status
 * codes, decisions, refusal reasons; never keys or ids).
 */
export class GatewayMetrics {
  readonly #families = new Map<string, Family>([
    [
      'memgar_gateway_requests_total',
      { type: 'counter', help: 'Requests answered, by route and status.', series: new Map() },
    ],
    [
      'memgar_gateway_refusals_total',
      { type: 'counter', help: 'Requests refused or failed by the gateway, by reason.', series: new Map() },
    ],
    [
      'memgar_gateway_decisions_total',
      { type: 'counter', help: 'Content decisions, by stage and decision.', series: new Map() },
    ],
    [
      'memgar_gateway_request_duration_seconds',
      { type: 'histogram', help: 'Time to the response headers, by route.', series: new Map() },
    ],
    ['memgar_gateway_in_flight', { type: 'gauge', help: 'Requests being handled.', series: new Map() }],
  ]);

  constructor() {
    for (const reason of REFUSAL_REASONS) this.#series('memgar_gateway_refusals_total', { reason });
  }

  #series(name: string, labels: Record<string, string>): number[] {
    const family = this.#families.get(name) as Family;
    const key = labelText(labels);
    let s = family.series.get(key);
    if (s === undefined) {
      s = family.type === 'histogram' ? Array<number>(BUCKETS.length + 2).fill(0) : [0];
      family.series.set(key, s);
    }
    return s;
  }

  /** Series looked up by a short key, so counting a request allocates nothing once its labels were seen. */
  readonly #cache = new Map<string, number[]>();

  #cached(key: string, name: string, labels: () => Record<string, string>): number[] {
    let s = this.#cache.get(key);
    if (s === undefined) {
      s = this.#series(name, labels());
      this.#cache.set(key, s);
    }
    return s;
  }

  /** One answered request. */
  request(route: string, status: number): void {
    const s = this.#cached(`q\0${route}\0${status}`, 'memgar_gateway_requests_total', () => ({
      route,
      status: String(status),
    }));
    s[0] = (s[0] ?? 0) + 1;
  }

  /** One refusal. */
  refusal(reason: string): void {
    const s = this.#cached(`r\0${reason}`, 'memgar_gateway_refusals_total', () => ({ reason }));
    s[0] = (s[0] ?? 0) + 1;
  }

  /** One content decision. */
  decision(stage: string, decision: string): void {
    const s = this.#cached(`d\0${stage}\0${decision}`, 'memgar_gateway_decisions_total', () => ({
      stage,
      decision,
    }));
    s[0] = (s[0] ?? 0) + 1;
  }

  observe(route: string, seconds: number): void {
    const s = this.#cached(`h\0${route}`, 'memgar_gateway_request_duration_seconds', () => ({ route }));
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= (BUCKETS[i] as number)) s[i] = (s[i] ?? 0) + 1;
    s[BUCKETS.length] = (s[BUCKETS.length] ?? 0) + seconds;
    s[BUCKETS.length + 1] = (s[BUCKETS.length + 1] ?? 0) + 1;
  }

  setInFlight(n: number): void {
    this.#cached('f', 'memgar_gateway_in_flight', () => ({}))[0] = n;
  }

  /** The exposition text. */
  render(): string {
    let out = '';
    for (const [name, f] of this.#families) {
      out += `# HELP ${name} ${f.help}\n# TYPE ${name} ${f.type}\n`;
      for (const [labels, s] of f.series) {
        if (f.type !== 'histogram') {
          out += `${name}${labels ? `{${labels}}` : ''} ${s[0]}\n`;
          continue;
        }
        const sep = labels ? `${labels},` : '';
        for (const [i, le] of BUCKETS.entries()) out += `${name}_bucket{${sep}le="${le}"} ${s[i]}\n`;
        out += `${name}_bucket{${sep}le="+Inf"} ${s[BUCKETS.length + 1]}\n`;
        out += `${name}_sum{${labels}} ${s[BUCKETS.length]}\n${name}_count{${labels}} ${s[BUCKETS.length + 1]}\n`;
      }
    }
    return out;
  }
}
