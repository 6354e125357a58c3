import { type BaseMessage, coerceMessageLikeToMessage, isBaseMessage } from '@langchain/core/messages';
import type { RunnableConfig } from '@langchain/core/runnables';
import {
  BaseCheckpointSaver,
  type Checkpoint,
  type CheckpointMetadata,
  type CheckpointTuple,
  isCommand,
  START,
} from '@langchain/langgraph';
import type { Decision, SourceType } from '@memgar/core';
import {
  type AdapterWriteOptions,
  type EnforcerLike,
  guardWrites,
  MemoryRefusedError,
  resolveEnforcer,
  type WriteOutcome,
} from '@memgar/core/adapter-kit';

export interface GuardCheckpointerOptions extends Omit<AdapterWriteOptions, 'onRefused'> {
  /**
   * A refused message (block, quarantine, human review) is replaced by a placeholder (same class,
   * id and tool-call fields), or the write rejects with `MemoryRefusedError` and nothing of it is stored.
   * @default 'placeholder'
   */
  onRefused?: 'placeholder' | 'throw';
  /** The state channels that hold messages. @default ['messages'] */
  channels?: readonly string[];
  /** The text of a refused message's placeholder. @default `[memgar] message withheld (${decision}, ${rule})` */
  placeholder?: (decision: Decision, rule: string) => string;
  /** The source type a message is analyzed as. @default 'tool' for tool messages, else 'memory' */
  sourceType?: (message: BaseMessage) => SourceType;
}

type Configurable = { thread_id?: unknown; checkpoint_ns?: unknown; checkpoint_id?: unknown };
type PendingWrite = Parameters<BaseCheckpointSaver['putWrites']>[1][number];

const CACHE_SIZE = 512;
const keyOf = (m: BaseMessage) => `${m.id ?? ''}\u0000${m.text}`;

function asMessage(x: unknown): BaseMessage | undefined {
  if (isBaseMessage(x)) return x;
  try {
    return coerceMessageLikeToMessage(x as Parameters<typeof coerceMessageLikeToMessage>[0]);
  } catch {
    return undefined; // not a message: the graph's reducer decides what to do with it
  }
}

/** A copy of `m` (same class, id and fields) whose content is `text`. */
function withContent(m: BaseMessage, text: string): BaseMessage {
  const Ctor = m.constructor as new (fields: Record<string, unknown>) => BaseMessage;
  return new Ctor({ ...m.lc_kwargs, content: text });
}

/**
 * A LangGraph checkpointer whose new messages are decided before a checkpoint or a task's
 * pending writes are stored: allowed ones unchanged, sanitized ones rewritten, refused ones
 * replaced by a placeholder or the write rejected. Reads pass through.
 */
export class GuardedCheckpointSaver extends BaseCheckpointSaver {
  readonly #inner: BaseCheckpointSaver;
  readonly #enforcer: EnforcerLike;
  readonly #options: GuardCheckpointerOptions;
  readonly #channels: readonly string[];
  /** Recent outcomes by source type and text, so a message is decided once, not at every checkpoint. */
  readonly #decided = new Map<string, WriteOutcome>();

  constructor(inner: BaseCheckpointSaver, options: GuardCheckpointerOptions = {}) {
    super(inner.serde);
    this.#inner = inner;
    this.#options = options;
    this.#enforcer = resolveEnforcer(options);
    this.#channels = options.channels ?? ['messages'];
  }

  getTuple(config: RunnableConfig): Promise<CheckpointTuple | undefined> {
    return this.#inner.getTuple(config);
  }

  list(
    config: RunnableConfig,
    options?: Parameters<BaseCheckpointSaver['list']>[1],
  ): AsyncGenerator<CheckpointTuple> {
    return this.#inner.list(config, options);
  }

  deleteThread(threadId: string): Promise<void> {
    return this.#inner.deleteThread(threadId);
  }

  override getNextVersion(current: number | undefined): number {
    return this.#inner.getNextVersion(current);
  }

  override getDeltaChannelHistory(
    options: Parameters<BaseCheckpointSaver['getDeltaChannelHistory']>[0],
  ): ReturnType<BaseCheckpointSaver['getDeltaChannelHistory']> {
    return this.#inner.getDeltaChannelHistory(options);
  }

  /** Decides the messages that are not in the parent checkpoint, then stores the safe checkpoint. */
  async put(
    config: RunnableConfig,
    checkpoint: Checkpoint,
    metadata: CheckpointMetadata,
    newVersions: Parameters<BaseCheckpointSaver['put']>[3],
  ): Promise<RunnableConfig> {
    const seen = await this.#parentKeys(config);
    const values = { ...checkpoint.channel_values };
    for (const channel of this.#channels) {
      const list = values[channel];
      if (Array.isArray(list)) values[channel] = await this.#guardList(list, seen);
    }
    // The graph input waits in the START channel of the input checkpoint: `{ messages: [...] }`.
    const input = values[START];
    if (typeof input === 'object' && input !== null && !Array.isArray(input) && !isCommand(input)) {
      const safe: Record<string, unknown> = { ...input };
      for (const channel of this.#channels) {
        if (channel in safe) safe[channel] = await this.#guardValue(safe[channel], seen);
      }
      values[START] = safe;
    }
    return this.#inner.put(config, { ...checkpoint, channel_values: values }, metadata, newVersions);
  }

  /** Decides the messages a task wrote to a message channel, then stores the safe writes. */
  async putWrites(
    config: RunnableConfig,
    writes: PendingWrite[],
    taskId: string,
    taskPath?: string,
  ): Promise<void> {
    const safe: PendingWrite[] = [];
    for (const [channel, value] of writes) {
      safe.push([
        channel,
        this.#channels.includes(channel) ? await this.#guardValue(value, new Set()) : value,
      ]);
    }
    return this.#inner.putWrites(config, safe, taskId, taskPath);
  }

  async #parentKeys(config: RunnableConfig): Promise<Set<string>> {
    const c = (config.configurable ?? {}) as Configurable;
    if (typeof c.checkpoint_id !== 'string') return new Set();
    const parent = await this.#inner.getTuple({
      configurable: {
        thread_id: c.thread_id,
        checkpoint_ns: c.checkpoint_ns ?? '',
        checkpoint_id: c.checkpoint_id,
      },
    });
    const values = parent?.checkpoint.channel_values ?? {};
    const keys = this.#channels.flatMap((ch) => {
      const list = (values as Record<string, unknown>)[ch];
      return Array.isArray(list) ? list.filter(isBaseMessage).map(keyOf) : [];
    });
    return new Set(keys);
  }

  /** A message channel's value (a message, a message-like, or a list of them), guarded. */
  async #guardValue(value: unknown, seen: ReadonlySet<string>): Promise<unknown> {
    return Array.isArray(value) ? this.#guardList(value, seen) : (await this.#guardList([value], seen))[0];
  }

  /** `list` with its new messages (not in `seen`) decided: kept, rewritten or replaced. */
  async #guardList(list: readonly unknown[], seen: ReadonlySet<string>): Promise<unknown[]> {
    const sourceOf =
      this.#options.sourceType ?? ((m: BaseMessage) => (m.getType() === 'tool' ? 'tool' : 'memory'));
    const todo = list.flatMap((x, i) => {
      const m = asMessage(x);
      if (m === undefined || m.text.trim() === '' || seen.has(keyOf(m))) return [];
      return [{ i, m, cacheKey: `${sourceOf(m)}\u0000${m.text}` }];
    });
    const known = new Map<string, WriteOutcome>();
    for (const t of todo) {
      const o = this.#decided.get(t.cacheKey);
      if (o !== undefined) known.set(t.cacheKey, o);
    }
    const fresh = [
      ...new Map(todo.filter((t) => !known.has(t.cacheKey)).map((t) => [t.cacheKey, t])).values(),
    ];
    // Refusals are remembered too (then thrown below), so a retried write is not decided again.
    const outcomes = await guardWrites(
      this.#enforcer,
      { ...this.#options, onRefused: 'drop' },
      fresh.map(({ m }) => ({ text: m.text, sourceType: sourceOf(m), id: m.id })),
    );
    for (const [n, t] of fresh.entries()) {
      known.set(t.cacheKey, outcomes[n]!);
      this.#decided.set(t.cacheKey, outcomes[n]!);
      if (this.#decided.size > CACHE_SIZE) this.#decided.delete(this.#decided.keys().next().value as string);
    }
    const out = [...list];
    for (const { i, m, cacheKey } of todo) {
      const o = known.get(cacheKey)!;
      if (o.stored && o.text === m.text) continue;
      const { decision, rule } = o.memgar;
      if (!o.stored && this.#options.onRefused === 'throw')
        throw new MemoryRefusedError(decision, rule, o.reason, m.id);
      const placeholder = this.#options.placeholder ?? ((d, r) => `[memgar] message withheld (${d}, ${r})`);
      out[i] = withContent(m, o.stored ? o.text : placeholder(decision, rule));
    }
    return out;
  }
}

/** Wraps a LangGraph checkpointer so that every new message is decided by memgar before it is stored. */
export function guardCheckpointer(
  saver: BaseCheckpointSaver,
  options: GuardCheckpointerOptions = {},
): GuardedCheckpointSaver {
  return new GuardedCheckpointSaver(saver, options);
}
