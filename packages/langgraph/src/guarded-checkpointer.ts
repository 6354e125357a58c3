import {
  type BaseMessage,
  coerceMessageLikeToMessage as coerce,
  isBaseMessage,
} from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import { isCommand, BaseCheckpointSaver as Saver, START } from '@langchain/langgraph';
import type { Decision, SourceType } from '@memgar/core';
import * as kit from '@memgar/core/adapter-kit';

export interface GuardCheckpointerOptions extends Omit<kit.AdapterWriteOptions, 'onRefused'> {
  /** A refused message becomes a placeholder (same class, id, tool-call fields), or the write rejects with `MemoryRefusedError`. @default 'placeholder' */
  onRefused?: 'placeholder' | 'throw';
  /** The state channels that hold messages. @default ['messages'] */
  channels?: readonly string[];
  /** The placeholder's text. @default `[memgar] message withheld (${decision}, ${rule})` */
  placeholder?: (decision: Decision, rule: string) => string;
  /** The source type a message is analyzed as. @default 'tool' for tool messages, else 'memory' */
  sourceType?: (message: BaseMessage) => SourceType;
}

type MessageClass = new (fields: Record<string, unknown>) => BaseMessage;
const keyOf = (m: BaseMessage) => `${m.id ?? ''}\u0000${m.text}`;
const defaultPlaceholder = (d: Decision, r: string) => `[memgar] message withheld (${d}, ${r})`;

function asMessage(x: unknown): BaseMessage | undefined {
  try {
    return isBaseMessage(x) ? x : coerce(x as Parameters<typeof coerce>[0]);
  } catch {
    return undefined; // not a message: left to the graph's reducer
  }
}

/**
 * A LangGraph checkpointer that decides new messages before a checkpoint, the graph input or a task's
 * pending writes are stored: allowed unchanged, sanitized rewritten, refused replaced or rejected.
 * Reads pass through.
 */
export class GuardedCheckpointSaver extends Saver {
  readonly #inner: Saver;
  readonly #enforcer: kit.EnforcerLike;
  readonly #o: GuardCheckpointerOptions;
  readonly #channels: readonly string[];
  /** Outcomes (refusals too) of the last 512 texts: a message is decided once, not at every checkpoint. */
  readonly #decided = new kit.WriteMemo(512);

  constructor(inner: Saver, options: GuardCheckpointerOptions = {}) {
    super(inner.serde);
    this.#inner = inner;
    this.#o = options;
    this.#enforcer = kit.resolveEnforcer(options);
    this.#channels = options.channels ?? ['messages'];
  }

  getTuple(config: RunnableConfig) {
    return this.#inner.getTuple(config);
  }

  list(config: RunnableConfig, options?: Parameters<Saver['list']>[1]) {
    return this.#inner.list(config, options);
  }

  deleteThread(threadId: string): Promise<void> {
    return this.#inner.deleteThread(threadId);
  }

  override getNextVersion(current: number | undefined): number {
    return this.#inner.getNextVersion(current);
  }

  /** Decides the messages not in the parent checkpoint (and the graph input), then stores the safe checkpoint. */
  async put(...[config, checkpoint, metadata, versions]: Parameters<Saver['put']>) {
    const seen = await this.#parentKeys(config);
    const values = await this.#guardChannels({ ...checkpoint.channel_values }, seen);
    const input = values[START]; // the graph input, `{ messages: [...] }`, waits here in the input checkpoint
    if (kit.isPlainRecord(input) && !isCommand(input))
      values[START] = await this.#guardChannels({ ...input }, seen);
    return this.#inner.put(config, { ...checkpoint, channel_values: values }, metadata, versions);
  }

  /** Decides the messages a task wrote to a message channel, then stores the safe writes. */
  async putWrites(...[config, writes, taskId, path]: Parameters<Saver['putWrites']>) {
    const safe: typeof writes = [];
    for (const [ch, v] of writes) safe.push([ch, this.#channels.includes(ch) ? await this.#guard(v) : v]);
    return this.#inner.putWrites(config, safe, taskId, path);
  }

  async #parentKeys({ configurable: c = {} }: RunnableConfig): Promise<Set<string>> {
    if (typeof c.checkpoint_id !== 'string') return new Set();
    const { thread_id, checkpoint_ns = '', checkpoint_id } = c;
    const parent = await this.#inner.getTuple({ configurable: { thread_id, checkpoint_ns, checkpoint_id } });
    const values: Record<string, unknown> = parent?.checkpoint.channel_values ?? {};
    return new Set(this.#channels.flatMap((ch) => [values[ch]].flat().filter(isBaseMessage).map(keyOf)));
  }

  async #guardChannels(values: Record<string, unknown>, seen: ReadonlySet<string>) {
    for (const ch of this.#channels) if (ch in values) values[ch] = await this.#guard(values[ch], seen);
    return values;
  }

  /** A channel value (a message, a message-like or a list of them) with its new messages decided. */
  async #guard(value: unknown, seen: ReadonlySet<string> = new Set()): Promise<unknown> {
    if (typeof value === 'object' && value !== null && '__overwrite__' in value) {
      return { __overwrite__: await this.#guard(value.__overwrite__, seen) }; // an `Overwrite` of the channel
    }
    if (!Array.isArray(value)) return ((await this.#guard([value], seen)) as unknown[])[0];
    const sourceOf = this.#o.sourceType ?? ((m: BaseMessage) => (m.getType() === 'tool' ? 'tool' : 'memory'));
    const todo = value.flatMap((x, i) => {
      const m = asMessage(x);
      if (m === undefined || m.text.trim() === '' || seen.has(keyOf(m))) return [];
      const sourceType = sourceOf(m);
      return [{ i, m, text: m.text, sourceType, id: m.id, key: `${sourceType}\u0000${m.text}` }];
    });
    const onRefused = this.#o.onRefused === 'throw' ? 'throw' : 'drop';
    const outcomes = await this.#decided.guardWrites(this.#enforcer, { ...this.#o, onRefused }, todo);
    const out = [...value];
    for (const [n, { i, m }] of todo.entries()) {
      const { stored, text, memgar } = outcomes[n]!;
      const safe = stored ? text : (this.#o.placeholder ?? defaultPlaceholder)(memgar.decision, memgar.rule);
      if (safe !== m.text) out[i] = new (m.constructor as MessageClass)({ ...m.lc_kwargs, content: safe });
    }
    return out;
  }
}

/** Wraps a LangGraph checkpointer so that every new message is decided by memgar before it is stored. */
export function guardCheckpointer(saver: Saver, options: GuardCheckpointerOptions = {}) {
  return new GuardedCheckpointSaver(saver, options);
}
