import type { MastraMessageV2 } from '@mastra/core/agent';
import type { Processor } from '@mastra/core/processors';
import type { ChunkType } from '@mastra/core/stream';
import type { CanaryRegistry, SourceType } from '@memgar/core';
import * as kit from '@memgar/core/adapter-kit';
import { type MessageLike, type Piece, pieces, pieceText, rewrite } from './message-parts.js';

/**
 * One decision of the processor. `stage`: `input` (a message part before the model saw it) or
 * `output`; `where`: `messages[0].parts[1]`, `tool:search messages[2].parts[0]`, `output[0].parts[0]`,
 * `stream`, `tool-call:send`. Not `allowed` means the run was aborted.
 */
export type ProcessorDecisionEvent = Omit<kit.AdapterDecisionEvent, 'boundary' | 'id'> & {
  stage: 'input' | 'output';
  where: string;
};

export interface MemgarProcessorOptions extends Omit<kit.AdapterGuardOptions, 'onDecision'> {
  /** Canaries that must never appear in the output (text and tool-call arguments). @default none */
  canaries?: Pick<CanaryRegistry, 'scan'>;
  /** Source type of input text parts (`onRetrieval`). @default 'rag' */
  sourceType?: SourceType;
  /** Analyze output text for payloads aimed at downstream agents (`onToolResult`, source `agent`). @default true */
  scanOutput?: boolean;
  /** Stream hold-back window in characters; must exceed the longest canary as written. @default 256 */
  holdBack?: number;
  /** Called for every decision on a message part, and for a stream violation; if it throws, the run is aborted. @default none */
  onDecision?: (event: ProcessorDecisionEvent) => void;
}

type Abort = (reason?: string) => never;
type Args = { messages: MastraMessageV2[]; abort: Abort };
type StreamArgs = { part: ChunkType; state: Record<string, unknown>; abort: Abort };
/** A decision on one piece, as reported; `value` is what to use instead when `changed`. */
type Check = Omit<ProcessorDecisionEvent, 'stage' | 'where'> & { changed?: boolean; value?: unknown };

/** Thrown inside the processor to end the run; `#safe` turns it into Mastra's tripwire. */
class Refusal extends Error {}

/**
 * A Mastra input and output processor: input text parts and tool results are decided before the
 * model sees them (sanitized parts are rewritten); the output is checked for canaries and for
 * injection aimed at downstream agents (streams through a hold-back window). A refusal aborts the
 * run with Mastra's tripwire, its reason naming the memgar decision; so does any failure.
 */
export class MemgarProcessor implements Processor {
  readonly name = 'memgar';
  readonly #enforcer: kit.EnforcerLike;
  readonly #o: MemgarProcessorOptions;
  readonly #ids: { agentId?: string; tenantId?: string };
  /**
   * The output checks (the content guard's `checkOutput`): canaries first; then, unless `scanOutput:
   * false` or for tool-call arguments, `onToolResult` as source `agent`. Each verdict carries its
   * risk score (a canary leak 100, not scanned 0).
   */
  readonly #check: kit.ContentGuard['checkOutput'];

  constructor(options: MemgarProcessorOptions = {}) {
    const { onDecision: _, ...guard } = options;
    const e = kit.resolveEnforcer(guard);
    this.#o = options;
    this.#enforcer = e;
    this.#ids = kit.contextIds(guard);
    const onToolResult: kit.ContextEnforcer['onToolResult'] = (name, text, c) =>
      e.onToolResult(name, text, { ...c, ...this.#ids });
    const checks = { canaries: options.canaries, scan: { output: options.scanOutput !== false } };
    const names = { prefix: 'mastra', isArguments: (where: string) => where.startsWith('tool-call:') };
    const g = kit.createContentGuard({ onRetrieval: e.onRetrieval.bind(e), onToolResult }, checks, names);
    this.#check = g.checkOutput;
  }

  processInput({ messages, abort }: Args): Promise<MastraMessageV2[]> {
    return this.#safe(abort, () => this.#messages(messages, 'input'));
  }

  processOutputResult({ messages, abort }: Args): Promise<MastraMessageV2[]> {
    return this.#safe(abort, () => this.#messages(messages, 'output'));
  }

  processOutputStream({ part, state, abort }: StreamArgs): Promise<ChunkType | null> {
    // A refused window is reported here, where a callback that throws aborts the run.
    const fail = (where: string, c: kit.HoldBackCheck) => this.#report('output', where, c as Check);
    state.memgar ??= new kit.HoldBack(this.#o.holdBack ?? 256, this.#check, fail);
    return this.#safe(abort, () => this.#stream(part, state.memgar as kit.HoldBack));
  }

  async #stream(part: ChunkType, hb: kit.HoldBack): Promise<ChunkType | null> {
    if (part.type === 'text-delta') {
      const text = await hb.push(part.payload.id, part.payload.text, 'stream');
      return text === '' ? null : { ...part, payload: { ...part.payload, text } };
    }
    if (part.type === 'text-end') {
      // One part in, one out: the held tail goes out in place of `text-end`.
      const text = await hb.flush(part.payload.id, 'stream');
      return text === '' ? part : { ...part, type: 'text-delta', payload: { id: part.payload.id, text } };
    }
    if (part.type === 'tool-call') {
      const where = `tool-call:${part.payload.toolName}`;
      const c = await this.#check(JSON.stringify(part.payload.args ?? {}), where);
      if (!c.allowed) throw this.#report('output', where, c);
    }
    return part;
  }

  /** Runs `fn`; a refusal or any error aborts the run (Mastra lets other errors of stream processors pass). */
  async #safe<T>(abort: Abort, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      return abort(e instanceof Refusal ? message : `memgar could not decide (${message}); refused`);
    }
  }

  /** Decides the messages' parts: input ones with `#input`, output ones with the output checks. */
  async #messages(messages: MastraMessageV2[], stage: 'input' | 'output'): Promise<MastraMessageV2[]> {
    const out: MastraMessageV2[] = [];
    for (const [i, m] of messages.entries()) {
      const values = new Map<number, unknown>();
      for (const p of pieces(m as MessageLike)) {
        if (stage === 'output' && p.kind === 'tool') continue; // ran already; a guarded memory decides on it
        const at = `${stage === 'output' ? 'output' : 'messages'}[${i}].parts[${p.at}]`;
        const where = p.kind === 'tool' ? `tool:${p.toolName} ${at}` : at;
        const c = stage === 'output' ? await this.#output(pieceText(p), where) : await this.#input(p);
        const refusal = this.#report(stage, where, c);
        if (!c.allowed) throw refusal;
        if (c.changed) values.set(p.at, c.value);
      }
      out.push(rewrite(m, values));
    }
    return out;
  }

  /** A text part as retrieved context (`onRetrieval`); a tool result with `onToolResult` (JSON field by field). */
  async #input(p: Piece): Promise<Check> {
    const events: kit.AdapterDecisionEvent[] = [];
    const o = { ...this.#ids, onDecision: (x: kit.AdapterDecisionEvent) => events.push(x) };
    const e = this.#enforcer;
    const tool = p.kind === 'tool' ? await kit.guardToolOutput(e, o, p.toolName, p.value) : undefined;
    const text = [{ text: pieceText(p) }];
    const [kept] = tool ? [] : await kit.guardRetrieved(e, o, undefined, text, this.#o.sourceType);
    if (events[0] === undefined) throw new Error('no verdict');
    if (tool !== undefined) return { ...events[0], changed: tool.changed, value: tool.output };
    if (kept === undefined) return { ...events[0], allowed: false, changed: false }; // not returned: refused
    return { ...events[0], changed: kept.text !== p.value, value: kept.text };
  }

  /** An output text through the output checks; `value` is its rewrite when sanitized. */
  async #output(text: string, where: string): Promise<Check> {
    const c = await this.#check(text, where);
    const value = c.text ?? text;
    return { ...c, changed: value !== text, value };
  }

  /** Reports `c` (a callback that throws aborts the run); returns the refusal to throw when it is not allowed. */
  #report(stage: 'input' | 'output', where: string, c: Check): Refusal {
    const { decision, allowed, rule, reason, riskScore } = c;
    this.#o.onDecision?.({ stage, where, decision, allowed, rule, reason, riskScore });
    return new Refusal(`memgar ${decision} (${rule}) at ${where}: ${reason}`);
  }
}
