import type { HoldBack } from '@memgar/core/adapter-kit';

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
        d.content = await hb.push(`c:${ci}`, d.content, `choices[${ci}].delta.content`);
      }
      for (const tc of d.tool_calls ?? []) {
        if (tc.id != null || tc.function?.name != null) keep = true;
        if (tc.function?.arguments) {
          const where = `choices[${ci}].delta.tool_calls[${tc.index}]`;
          tc.function.arguments = await hb.push(`t:${ci}:${tc.index}`, tc.function.arguments, where);
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

type Delta = Json & { content?: unknown; tool_calls?: ToolDelta[] };

async function flushChoice(hb: HoldBack, ci: number, d: Delta) {
  const rest = await hb.flush(`c:${ci}`, `choices[${ci}].delta.content`);
  if (rest) d.content = (typeof d.content === 'string' ? d.content : '') + rest;
  for (const key of hb.keys(`t:${ci}:`)) {
    const index = Number(key.split(':')[2]);
    const args = await hb.flush(key, `choices[${ci}].delta.tool_calls[${index}]`);
    if (!args) continue;
    d.tool_calls ??= [];
    const tc = d.tool_calls.find((t) => t.index === index);
    if (tc) tc.function = { ...tc.function, arguments: (tc.function?.arguments ?? '') + args };
    else d.tool_calls.push({ index, function: { arguments: args } });
  }
}

/** Guards a Responses event stream: `output_text` and `function_call_arguments` deltas. */
export async function* guardResponsesStream(source: AsyncIterable<Json>, hb: HoldBack): AsyncGenerator<Json> {
  const open = new Map<string, Json>(); // key → last delta event, for text released at the end
  const whereOf = (ev: Json) =>
    `output[${ev.output_index}]${String(ev.type).includes('output_text') ? '.output_text' : '.arguments'}`;
  const release = async function* (key: string, ev: Json) {
    const rest = await hb.flush(key, whereOf(ev));
    open.delete(key);
    if (!rest) return;
    const { text: _t, arguments: _a, ...base } = ev;
    yield { ...base, type: String(ev.type).replace(/\.done$/, '.delta'), delta: rest };
  };
  for await (const ev of source) {
    const kind = /^response\.(output_text|function_call_arguments)\.(delta|done)$/.exec(String(ev.type))?.[1];
    if (kind === undefined) {
      // A terminal event (completed, incomplete, failed): nothing may stay unscanned.
      const terminal = /^response\.(completed|incomplete|failed)$/.test(String(ev.type));
      if (terminal) for (const [key, last] of [...open]) yield* release(key, last);
      yield ev;
      continue;
    }
    const text = kind === 'output_text';
    const key = text ? `${ev.item_id}:${ev.content_index}` : String(ev.item_id);
    if (typeof ev.delta === 'string') {
      open.set(key, ev);
      const delta = await hb.push(key, ev.delta, whereOf(ev));
      if (delta) yield { ...ev, delta };
      continue;
    }
    yield* release(key, { ...ev, ...(text ? { logprobs: [] } : {}) });
    yield ev;
  }
  for (const [key, last] of [...open]) yield* release(key, last);
}
