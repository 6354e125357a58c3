import type { TextCheck } from './guard-openai.js';

/** Checks a text; returns the verdict. `injection: false` means canaries only. */
export type OutputCheck = (text: string, where: string, injection: boolean) => Promise<TextCheck>;

/**
 * A hold-back window over several text buffers (one per output text or tool-call argument
 * string). The last `holdBack` characters of every scanned buffer stay unreleased and are scanned
 * again with what follows, so a canary of at most `holdBack` characters split across chunks is
 * seen whole before any of it is released. A violation throws the error `fail` builds.
 */
export class HoldBack {
  private readonly w: number;
  private readonly buffers = new Map<string, string>();

  constructor(
    holdBack: number,
    private readonly check: OutputCheck,
    private readonly fail: (where: string, check: TextCheck) => Error,
  ) {
    this.w = Math.max(1, Math.floor(holdBack));
  }

  /** Adds a delta; returns the text that may be released now (often ''). */
  async push(key: string, delta: string, where: string, injection: boolean): Promise<string> {
    const buf = (this.buffers.get(key) ?? '') + delta;
    this.buffers.set(key, buf);
    return buf.length >= 2 * this.w ? this.release(key, false, where, injection) : '';
  }

  /** Scans and releases everything left under `key`. */
  flush(key: string, where: string, injection: boolean): Promise<string> {
    return this.release(key, true, where, injection);
  }

  /** Keys still holding text, optionally those starting with `prefix`. */
  keys(prefix = ''): string[] {
    return [...this.buffers.keys()].filter((k) => k.startsWith(prefix));
  }

  private async release(key: string, final: boolean, where: string, injection: boolean): Promise<string> {
    const buf = this.buffers.get(key) ?? '';
    if (final) this.buffers.delete(key);
    if (buf.length === 0) return '';
    const c = await this.check(buf, where, injection);
    if (!c.allowed) {
      this.buffers.clear();
      throw this.fail(where, c);
    }
    const cut = final ? buf.length : Math.max(0, buf.length - this.w);
    if (!final) this.buffers.set(key, buf.slice(cut));
    return buf.slice(0, cut);
  }
}

type Json = Record<string, unknown>;
type ToolDelta = { index: number; id?: string; function?: { name?: string; arguments?: string } };

/** Guards a Chat Completions chunk stream: `delta.content` and tool-call `arguments`. */
export async function* guardChatStream(source: AsyncIterable<Json>, hb: HoldBack): AsyncGenerator<Json> {
  let last: Json | undefined;
  for await (const chunk of source) {
    last = chunk;
    const out = structuredClone(chunk) as Json & { choices?: Json[] };
    const choices: Json[] = [];
    for (const choice of out.choices ?? []) {
      const ci = choice.index as number;
      const d = (choice.delta ?? {}) as Json & { content?: string | null; tool_calls?: ToolDelta[] };
      let keep = choice.finish_reason != null || d.role != null || d.refusal != null;
      if (typeof d.content === 'string' && d.content.length > 0) {
        d.content = await hb.push(`c:${ci}`, d.content, `choices[${ci}].delta.content`, true);
      }
      for (const tc of d.tool_calls ?? []) {
        if (tc.id != null || tc.function?.name != null) keep = true;
        if (tc.function?.arguments) {
          const where = `choices[${ci}].delta.tool_calls[${tc.index}]`;
          tc.function.arguments = await hb.push(`t:${ci}:${tc.index}`, tc.function.arguments, where, false);
        }
      }
      if (choice.finish_reason != null) await flushChoice(hb, ci, d);
      if (d.content || d.tool_calls?.some((t) => t.function?.arguments)) keep = true;
      if (keep) choices.push(choice);
    }
    if (choices.length > 0 || out.choices?.length === 0 || out.usage != null) yield { ...out, choices };
  }
  // A stream cut short (no finish_reason): release what is left after a final scan.
  const rest = new Set(hb.keys().map((k) => Number(k.split(':')[1])));
  for (const ci of rest) {
    const delta: Json = {};
    await flushChoice(hb, ci, delta);
    yield { ...last, choices: [{ index: ci, delta, finish_reason: null }] };
  }
}

async function flushChoice(
  hb: HoldBack,
  ci: number,
  d: Json & { content?: unknown; tool_calls?: ToolDelta[] },
) {
  for (const key of hb.keys(`c:${ci}`)) {
    const rest = await hb.flush(key, `choices[${ci}].delta.content`, true);
    if (rest) d.content = (typeof d.content === 'string' ? d.content : '') + rest;
  }
  for (const key of hb.keys(`t:${ci}:`)) {
    const index = Number(key.split(':')[2]);
    const rest = await hb.flush(key, `choices[${ci}].delta.tool_calls[${index}]`, false);
    if (!rest) continue;
    d.tool_calls ??= [];
    const tc = d.tool_calls.find((t) => t.index === index);
    if (tc) tc.function = { ...tc.function, arguments: (tc.function?.arguments ?? '') + rest };
    else d.tool_calls.push({ index, function: { arguments: rest } });
  }
}

/** Guards a Responses event stream: `output_text` and `function_call_arguments` deltas. */
export async function* guardResponsesStream(source: AsyncIterable<Json>, hb: HoldBack): AsyncGenerator<Json> {
  const open = new Map<string, Json>(); // key → last delta event, for deltas released at the end
  const release = async function* (key: string, ev: Json) {
    const text = String(ev.type).startsWith('response.output_text');
    const rest = await hb.flush(
      key,
      `output[${ev.output_index}]${text ? '.output_text' : '.arguments'}`,
      text,
    );
    open.delete(key);
    if (!rest) return;
    const { text: _t, arguments: _a, ...base } = ev;
    yield { ...base, type: String(ev.type).replace(/\.done$/, '.delta'), delta: rest };
  };
  for await (const ev of source) {
    const text = ev.type === 'response.output_text.delta' || ev.type === 'response.output_text.done';
    const args =
      ev.type === 'response.function_call_arguments.delta' ||
      ev.type === 'response.function_call_arguments.done';
    if (!text && !args) {
      // A terminal event (completed, incomplete, failed) or the end: nothing may stay unscanned.
      if (
        ev.type === 'response.completed' ||
        ev.type === 'response.incomplete' ||
        ev.type === 'response.failed'
      ) {
        for (const [key, last] of [...open]) yield* release(key, last);
      }
      yield ev;
      continue;
    }
    const key = text ? `${ev.item_id}:${ev.content_index}` : String(ev.item_id);
    if (typeof ev.delta === 'string') {
      open.set(key, ev);
      const where = `output[${ev.output_index}]${text ? '.output_text' : '.arguments'}`;
      const delta = await hb.push(key, ev.delta, where, text);
      if (delta) yield { ...ev, delta };
      continue;
    }
    yield* release(key, { ...ev, ...(text ? { logprobs: [] } : {}) });
    yield ev;
  }
  for (const [key, last] of [...open]) yield* release(key, last);
}
