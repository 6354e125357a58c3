/** One server-sent event (`event:` and the joined `data:` lines; ids, retries and comments are dropped). */
export interface SseEvent {
  event?: string;
  data: string;
}

/** Parses a server-sent-event stream incrementally (any line ending), bounded in buffered size. */
export class SseParser {
  #buffer = '';
  #event: string | undefined;
  #data: string[] = [];
  #size = 0;
  readonly #max: number;

  constructor(maxEventChars: number) {
    this.#max = maxEventChars;
  }

  /** Adds decoded text; returns the events completed by it. Throws when one event grows past the bound. */
  push(text: string): SseEvent[] {
    this.#buffer += text;
    const out: SseEvent[] = [];
    let nl = this.#buffer.search(/[\r\n]/);
    while (nl !== -1) {
      // A lone \r at the very end may be the first half of \r\n: wait for the next chunk.
      if (this.#buffer[nl] === '\r' && nl === this.#buffer.length - 1) break;
      const line = this.#buffer.slice(0, nl);
      this.#buffer = this.#buffer.slice(this.#buffer.startsWith('\r\n', nl) ? nl + 2 : nl + 1);
      const event = this.#line(line);
      if (event !== undefined) out.push(event);
      nl = this.#buffer.search(/[\r\n]/);
    }
    if (this.#size + this.#buffer.length > this.#max) throw new RangeError('server-sent event too large');
    return out;
  }

  /** The event left when the stream ended without a blank line, if any. */
  end(): SseEvent[] {
    const rest = this.#buffer.length > 0 ? this.#line(this.#buffer) : undefined;
    this.#buffer = '';
    const last = this.#line('');
    return [rest, last].filter((e): e is SseEvent => e !== undefined);
  }

  #line(line: string): SseEvent | undefined {
    if (line === '') {
      if (this.#data.length === 0) return undefined;
      const event: SseEvent = { data: this.#data.join('\n') };
      if (this.#event !== undefined) event.event = this.#event;
      this.#event = undefined;
      this.#data = [];
      this.#size = 0;
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
    if (field === 'event') this.#event = value;
    else if (field === 'data') {
      this.#data.push(value);
      this.#size += value.length;
      if (this.#size > this.#max) throw new RangeError('server-sent event too large');
    }
    return undefined;
  }
}

/** The wire form of an event. */
export function formatSse(e: SseEvent): string {
  const head = e.event === undefined ? '' : `event: ${e.event}\n`;
  return `${head}${e.data
    .split('\n')
    .map((l) => `data: ${l}\n`)
    .join('')}\n`;
}
