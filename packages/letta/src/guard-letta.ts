import { type Decision, InvalidInputError, type SourceType } from '@memgar/core';
import {
  acceptProvenance,
  flatMemgarMetadata,
  guardAndHold,
  guardRecords,
  guardToolOutput,
  guardWrites,
  type HeldGuarded,
  type HeldStoreOptions,
  HeldWrites,
  type MemgarMetadata,
  MemoryRefusedError,
  resolveEnforcer,
  type WriteOutcome,
  withOverrides,
} from '@memgar/core/adapter-kit';

export interface GuardLettaOptions extends HeldStoreOptions {
  /** Source type of archival passage and block writes. @default 'memory' */
  sourceType?: SourceType;
  /** Tags archival passages with `memgar_decision:…`, `memgar_risk:…`, `memgar_rule:…` and blocks with `metadata.memgar`. @default true */
  recordDecision?: boolean;
  /** `passages.search` and `passages.list` only return passages tagged with one of these decisions. @default no filter */
  filterDecisions?: readonly Decision[];
  /** What the model and your app see instead of a refused tool return or assistant message. @default `defaultToolRefusal` */
  refusal?: (toolName: string, rule: string) => string;
}

type Json = Record<string, unknown>;
type Call = (...args: unknown[]) => Promise<unknown>;
type Resource = Record<string, Call>;
type Resources = Record<'passages' | 'blocks' | 'messages', Resource>;
type Method = (...args: never[]) => unknown;

/** The parts of a `Letta` client the guard uses. */
export interface LettaLike {
  agents: {
    passages: { create: Method; list: Method; search: Method };
    blocks: { update: Method; retrieve: Method };
    messages: { create: Method; stream: Method };
  };
}

/** A held write: the call approval replays. */
export type HeldLettaWrite =
  | { kind: 'passage'; agentId: string; body: Json }
  | { kind: 'block'; label: string; params: Json };

/** The guarded client: the same client, plus its held writes and the unguarded original. */
export type GuardedLetta<C> = HeldGuarded<C, HeldLettaWrite>;

const ASSISTANT = 'letta_assistant';
const TOOL = 'letta_tool';

/** The text of a message content (a string, or the text parts of a content array). */
function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  const parts = content.filter((p: Json) => (p.type ?? 'text') === 'text' && typeof p.text === 'string');
  return parts.length > 0 ? parts.map((p: Json) => p.text).join('\n') : undefined;
}

/** `content` with its text replaced by `text` (non-text parts of an array kept after it). */
function withText(content: unknown, text: string): unknown {
  if (!Array.isArray(content)) return text;
  return [{ type: 'text', text }, ...content.filter((p: Json) => (p.type ?? 'text') !== 'text')];
}

/**
 * Wraps a `Letta` client: archival `agents.passages.create` and core-memory `agents.blocks.update`
 * are decided before Letta stores them; `agents.passages.list`/`search` results go through the
 * retrieval guard; `agents.messages.create`/`stream` decide user messages and client tool returns
 * on the way in and scan the agent's tool returns and assistant messages on the way out.
 */
export function guardLetta<C extends LettaLike>(client: C, options: GuardLettaOptions = {}): GuardedLetta<C> {
  const enforcer = resolveEnforcer(options);
  const agents = client.agents;
  const { passages, blocks, messages } = agents as unknown as Resources;
  const record = options.recordDecision !== false;
  const tagsFor = (m: Record<string, unknown>, tags: unknown) => [
    ...((tags as string[] | null | undefined) ?? []).filter((t) => !t.startsWith('memgar_')),
    ...(record ? Object.entries(m).map(([k, v]) => `${k}:${v}`) : []),
  ];

  const held = new HeldWrites<HeldLettaWrite>(async (rec, item) => {
    const approved = { memgar_decision: 'allow', memgar_review: item.id };
    if (rec.kind === 'passage') {
      await passages.create!(rec.agentId, { ...rec.body, tags: tagsFor(approved, rec.body.tags) });
    } else {
      const memgar = record ? { memgar: { decision: 'allow', review: item.id } } : {};
      await blocks.update!(rec.label, {
        ...rec.params,
        metadata: { ...(rec.params.metadata as Json), ...memgar },
      });
    }
  }, options.reviewQueue);

  /** Decides one write; holds it (with `rec` built from the outcome) when quarantined or held for review. */
  async function decide(text: string, id: string, rec: (o: WriteOutcome) => HeldLettaWrite) {
    const item = { text, sourceType: options.sourceType ?? 'memory', id };
    const [o] = await guardAndHold(enforcer, options, [item], { held, record: (_, o) => rec(o) });
    return o!;
  }

  async function createPassage(agentId: string, body: Json, opts?: unknown) {
    if (typeof body?.text !== 'string')
      throw new InvalidInputError('text', 'passages.create needs a string text');
    const build = (o: WriteOutcome) => ({
      ...body,
      text: o.stored ? o.text : body.text,
      tags: tagsFor(flatMemgarMetadata(o.memgar), body.tags),
    });
    const o = await decide(body.text, agentId, (o) => ({ kind: 'passage', agentId, body: build(o) }));
    return o.stored ? passages.create!(agentId, build(o), opts) : [];
  }

  async function updateBlock(label: string, params: Json, opts?: unknown) {
    if (typeof params?.value !== 'string') return blocks.update!(label, params, opts); // not a text write
    const current = () => blocks.retrieve!(label, { agent_id: params.agent_id }, opts) as Promise<Json>;
    const base = params.metadata !== undefined || !record ? params.metadata : (await current()).metadata;
    const build = (o: WriteOutcome) => ({
      ...params,
      value: o.stored ? o.text : params.value,
      ...(record ? { metadata: { ...(base as Json), memgar: o.memgar } } : {}),
    });
    const o = await decide(params.value, label, (o) => ({ kind: 'block', label, params: build(o) }));
    return o.stored ? blocks.update!(label, build(o), opts) : current();
  }

  const allowedTags = (options.filterDecisions ?? []).map((d) => `memgar_decision:${d}`);
  const stamped = (tags: unknown) =>
    ((tags as string[] | null) ?? []).find((t) => t.startsWith('memgar_decision:'))?.slice(16);

  /**
   * Guards retrieved passages, best first, their text (under `key`) replaced by the safe text;
   * with `filterDecisions`, passages not tagged with one of them are dropped and reported.
   */
  async function guardPassages<P extends Json>(list: P[], key: string, query: unknown) {
    const f = options.filterDecisions;
    const shown = f ? list.filter((p) => acceptProvenance(options, f, stamped(p.tags), `${p.id}`)) : list;
    const q = typeof query === 'string' ? query : undefined;
    const kept = await guardRecords(enforcer, options, shown, (p) => ({ text: p[key], id: `${p.id}` }), {
      query: q,
    });
    return kept.map(
      ({ record, text, memgar }) => ({ ...record, [key]: text, memgar }) as P & { memgar: MemgarMetadata },
    );
  }

  async function listPassages(agentId: string, query?: Json | null, opts?: unknown) {
    const list = (await passages.list!(agentId, query, opts)) as Json[];
    return guardPassages(list, 'text', query?.search);
  }

  async function searchPassages(agentId: string, query: Json, opts?: unknown) {
    const filter = options.filterDecisions !== undefined && !(query.tags as string[] | undefined)?.length;
    const q = filter ? { ...query, tags: allowedTags, tag_match_mode: 'any' } : query;
    const res = (await passages.search!(agentId, q, opts)) as { results: Json[] };
    const results = await guardPassages(res.results, 'content', query.query);
    return { ...res, count: results.length, results };
  }

  /** A tool's output (a string or content parts) through `onToolResult`: the text to use and whether it was refused. */
  async function toolText(name: string, value: unknown, id?: string) {
    const text = typeof value === 'string' ? value : (textOf(value) ?? JSON.stringify(value ?? null));
    const o = await guardToolOutput(enforcer, options, name, text, id);
    return { changed: o.changed, text: String(o.output), refused: !o.allowed };
  }
  async function guardReturn<R extends Json>(r: R, name = TOOL): Promise<R> {
    const t = await toolText(name, r.tool_return, r.tool_call_id as string | undefined);
    return t.changed ? { ...r, tool_return: t.text, ...(t.refused ? { status: 'error' } : {}) } : r;
  }

  /** The request with user texts decided and client tool returns scanned; throws when nothing is left to send. */
  async function guardInput(body: Json): Promise<Json> {
    const list = ((body.messages as Json[] | null | undefined) ?? []).map((m) => ({ ...m }));
    const users = list.flatMap((m, i) => (m.role === 'user' && textOf(m.content) !== undefined ? [i] : []));
    let input = body.input;
    if (Array.isArray(input))
      input = await Promise.all(input.map((p: Json) => (p.type === 'tool_return' ? toolContent(p) : p)));
    const inputText = textOf(input);
    const texts = [
      ...users.map((i) => textOf(list[i]!.content)!),
      ...(inputText !== undefined ? [inputText] : []),
    ];
    const outcomes = await guardWrites(
      enforcer,
      options,
      texts.map((text) => ({ text, sourceType: 'user' as const })),
    );
    for (const [j, i] of users.entries()) {
      const o = outcomes[j]!;
      list[i] = o.stored ? { ...list[i], content: withText(list[i]!.content, o.text) } : {};
    }
    if (inputText !== undefined) {
      const o = outcomes.at(-1)!;
      const rest = Array.isArray(input) ? input.filter((p: Json) => (p.type ?? 'text') !== 'text') : [];
      input = o.stored ? withText(input, o.text) : rest.length > 0 ? rest : undefined;
    }
    for (const m of list) {
      if (Array.isArray(m.tool_returns))
        m.tool_returns = await Promise.all(m.tool_returns.map((r: Json) => guardReturn(r)));
      if (Array.isArray(m.approvals)) {
        m.approvals = await Promise.all(
          m.approvals.map((r: Json) => ('tool_return' in r ? guardReturn(r) : r)),
        );
      }
    }
    const kept = list.filter((m) => Object.keys(m).length > 0);
    const refused = outcomes.find((o) => !o.stored);
    if (kept.length === 0 && input == null && refused !== undefined) {
      throw new MemoryRefusedError(refused.memgar.decision, refused.memgar.rule, refused.reason);
    }
    const out: Json = { ...body, ...(body.messages != null ? { messages: kept } : {}), input };
    if (input === undefined) delete out.input;
    return out;
  }
  async function toolContent(p: Json): Promise<Json> {
    const t = await toolText(TOOL, p.content, p.tool_call_id as string | undefined);
    return t.changed ? { ...p, content: t.text, ...(t.refused ? { is_error: true } : {}) } : p;
  }

  /** One message of the agent's answer: tool returns and assistant text scanned as tool results. */
  async function guardOutput(m: Json, names: Map<string, string>): Promise<Json> {
    if (m.message_type === 'tool_call_message') {
      const calls = [m.tool_call, ...(Array.isArray(m.tool_calls) ? m.tool_calls : [])] as (
        | Json
        | undefined
      )[];
      for (const c of calls) if (c?.tool_call_id && c.name) names.set(String(c.tool_call_id), String(c.name));
      return m;
    }
    if (m.message_type === 'tool_return_message') {
      const name = names.get(String(m.tool_call_id)) ?? TOOL;
      const out = await guardReturn(m, name);
      if (!Array.isArray(m.tool_returns)) return out;
      const returns = await Promise.all(
        m.tool_returns.map((r: Json) => guardReturn(r, names.get(String(r.tool_call_id)) ?? name)),
      );
      return { ...out, tool_returns: returns };
    }
    const text = m.message_type === 'assistant_message' ? textOf(m.content) : undefined;
    if (text === undefined) return m;
    const t = await toolText(ASSISTANT, text, m.id as string | undefined);
    return t.changed ? { ...m, content: withText(m.content, t.text) } : m;
  }

  /** A `Stream` of the same class whose items pass through `guardOutput`. */
  function guardStream(stream: AsyncIterable<Json> & { controller: AbortController }) {
    const names = new Map<string, string>();
    const Ctor = stream.constructor as new (it: () => AsyncIterator<Json>, c: AbortController) => unknown;
    async function* items() {
      for await (const m of stream) yield await guardOutput(m, names);
    }
    return new Ctor(() => items(), stream.controller);
  }

  const send = (method: 'create' | 'stream') => async (agentId: string, body: Json, opts?: unknown) => {
    const res = await messages[method]!(agentId, await guardInput(body ?? {}), opts);
    if (Symbol.asyncIterator in (res as object)) return guardStream(res as Parameters<typeof guardStream>[0]);
    const names = new Map<string, string>();
    const out: Json[] = [];
    for (const m of ((res as Json).messages as Json[] | undefined) ?? [])
      out.push(await guardOutput(m, names));
    return { ...(res as Json), messages: out };
  };

  return withOverrides(client, {
    held,
    inner: client,
    agents: withOverrides(agents, {
      passages: withOverrides(agents.passages, {
        create: createPassage,
        list: listPassages,
        search: searchPassages,
      }),
      blocks: withOverrides(agents.blocks, { update: updateBlock }),
      messages: withOverrides(agents.messages, { create: send('create'), stream: send('stream') }),
    }),
  }) as GuardedLetta<C>;
}
