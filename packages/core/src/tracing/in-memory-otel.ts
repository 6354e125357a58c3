/**
 * @internal Test helper, not exported: the smallest OpenTelemetry SDK stand-in that the tracing
 * tests need — a tracer provider that keeps finished spans in memory, an AsyncLocalStorage context
 * manager (so active spans propagate through `await`), and a meter that keeps every measurement.
 * Built on the interfaces of `@opentelemetry/api` only (`@opentelemetry/sdk-*` is not installed).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type Attributes,
  type AttributeValue,
  type Context,
  type ContextManager,
  context,
  type Exception,
  type Meter,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  type SpanKind,
  type SpanOptions,
  type SpanStatus,
  TraceFlags,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';

export class AlsContextManager implements ContextManager {
  readonly #als = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.#als.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    return this.#als.run(ctx, () => fn.call(thisArg, ...args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.#als.disable();
    return this;
  }
}

export interface FinishedSpan {
  name: string;
  kind: SpanKind | undefined;
  spanId: string;
  traceId: string;
  parentSpanId: string | undefined;
  attributes: Attributes;
  status: SpanStatus;
  events: { name: string; attributes?: Attributes }[];
  ended: boolean;
}

let ids = 0;
function nextId(width: number): string {
  ids += 1;
  return ids.toString(16).padStart(width, '0');
}

class MemorySpan implements Span {
  readonly data: FinishedSpan;
  readonly #ctx: SpanContext;
  readonly #onEnd: (s: FinishedSpan) => void;

  constructor(
    name: string,
    options: SpanOptions,
    parent: SpanContext | undefined,
    onEnd: (s: FinishedSpan) => void,
  ) {
    this.#ctx = {
      traceId: parent?.traceId ?? nextId(32),
      spanId: nextId(16),
      traceFlags: TraceFlags.SAMPLED,
    };
    this.#onEnd = onEnd;
    this.data = {
      name,
      kind: options.kind,
      spanId: this.#ctx.spanId,
      traceId: this.#ctx.traceId,
      parentSpanId: parent?.spanId,
      attributes: { ...(options.attributes ?? {}) },
      status: { code: 0 },
      events: [],
      ended: false,
    };
  }
  spanContext(): SpanContext {
    return this.#ctx;
  }
  setAttribute(key: string, value: AttributeValue): this {
    this.data.attributes[key] = value;
    return this;
  }
  setAttributes(attributes: Attributes): this {
    Object.assign(this.data.attributes, attributes);
    return this;
  }
  addEvent(name: string, attributes?: Attributes): this {
    this.data.events.push(attributes ? { name, attributes } : { name });
    return this;
  }
  addLink(): this {
    return this;
  }
  addLinks(): this {
    return this;
  }
  setStatus(status: SpanStatus): this {
    this.data.status = status;
    return this;
  }
  updateName(name: string): this {
    this.data.name = name;
    return this;
  }
  end(): void {
    if (this.data.ended) return;
    this.data.ended = true;
    this.#onEnd(this.data);
  }
  isRecording(): boolean {
    return !this.data.ended;
  }
  recordException(exception: Exception): void {
    const message = typeof exception === 'string' ? exception : exception.message;
    const type = typeof exception === 'string' ? undefined : exception.name;
    this.addEvent('exception', {
      'exception.message': message ?? '',
      ...(type !== undefined ? { 'exception.type': type } : {}),
    });
  }
}

class MemoryTracer implements Tracer {
  readonly #onEnd: (s: FinishedSpan) => void;
  constructor(onEnd: (s: FinishedSpan) => void) {
    this.#onEnd = onEnd;
  }
  startSpan(name: string, options: SpanOptions = {}, ctx: Context = context.active()): Span {
    const parent = options.root ? undefined : trace.getSpanContext(ctx);
    return new MemorySpan(name, options, parent, this.#onEnd);
  }
  startActiveSpan<F extends (span: Span) => unknown>(name: string, ...rest: unknown[]): ReturnType<F> {
    const fn = rest[rest.length - 1] as F;
    const options = (rest.length >= 2 ? rest[0] : {}) as SpanOptions;
    const parentCtx = (rest.length >= 3 ? rest[1] : context.active()) as Context;
    const span = this.startSpan(name, options, parentCtx);
    return context.with(trace.setSpan(parentCtx, span), () => fn(span)) as ReturnType<F>;
  }
}

/** A tracer provider whose spans land in `finished` when they end. */
export class MemoryTracerProvider implements TracerProvider {
  readonly finished: FinishedSpan[] = [];
  readonly scopes: string[] = [];
  getTracer(name: string): Tracer {
    this.scopes.push(name);
    return new MemoryTracer((s) => this.finished.push(s));
  }
  byName(name: string): FinishedSpan[] {
    return this.finished.filter((s) => s.name === name);
  }
}

export interface Measurement {
  instrument: string;
  kind: 'counter' | 'histogram';
  value: number;
  attributes: Attributes;
}

export interface InstrumentInfo {
  name: string;
  kind: 'counter' | 'histogram';
  unit: string | undefined;
}

/** A meter that keeps every measurement; other instrument kinds are not needed by memgar. */
export function memoryMeter(): { meter: Meter; measurements: Measurement[]; instruments: InstrumentInfo[] } {
  const measurements: Measurement[] = [];
  const instruments: InstrumentInfo[] = [];
  const make = (kind: 'counter' | 'histogram') => (name: string, options?: { unit?: string }) => {
    instruments.push({ name, kind, unit: options?.unit });
    const push = (value: number, attributes: Attributes = {}) =>
      measurements.push({ instrument: name, kind, value, attributes });
    return kind === 'counter' ? { add: push } : { record: push };
  };
  const meter = { createCounter: make('counter'), createHistogram: make('histogram') } as unknown as Meter;
  return { meter, measurements, instruments };
}
