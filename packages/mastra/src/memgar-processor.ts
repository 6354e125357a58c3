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
/** A decision on one piece: `value` is what to use instead when `changed`. */
type Check = kit.HoldBackCheck & { riskScore: number; changed: boolean; value?: unknown };
/** The output guard of one call or stream, its hold-back window, its last verdict and risk score. */
type Guard = { guard: kit.ContentGuard; hb: kit.HoldBack; last?: Check; score?: number };

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

  constructor(options: MemgarProcessorOptions = {}) {
    const { onDecision: _, ...guard } = options;
    this.#o = options;
    this.#enforcer = kit.resolveEnforcer(guard);
    this.#ids = kit.contextIds(guard);
  }

  processInput({ messages, abort }: Args): Promise<MastraMessageV2[]> {
    return this.#safe(abort, () => this.#messages(messages));
  }

  processOutputResult({ messages, abort }: Args): Promise<MastraMessageV2[]> {
    const g = this.#guard();
    return this.#safe(abort, () => this.#messages(messages, g), g);
  }

  processOutputStream({ part, state, abort }: StreamArgs): Promise<ChunkType | null> {
    state.memgar ??= this.#guard();
    const g = state.memgar as Guard;
    return this.#safe(abort, () => this.#stream(part, g), g);
  }

  async #stream(part: ChunkType, { guard, hb }: Guard): Promise<ChunkType | null> {
    if (part.type === 'text-delta') {
      const text = await hb.push(part.payload.id, part.payload.text, 'stream');
      return text === '' ? null : { ...part, payload: { ...part.payload, text } };
    }
    if (part.type === 'text-end') {
      // One part in, one out: the held tail goes out in place of `text-end`.
      const text = await hb.flush(part.payload.id, 'stream');
      return text === '' ? part : { ...part, type: 'text-delta', payload: { id: part.payload.id, text } };
    }
    if (part.type === 'tool-call')
      await guard.mustPass(JSON.stringify(part.payload.args ?? {}), `tool-call:${part.payload.toolName}`);
    return part;
  }

  /** Runs `fn`; a refusal or any error aborts the run (Mastra lets other errors of stream processors pass). */
  async #safe<T>(abort: Abort, fn: () => Promise<T>, g?: Guard): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      // An output the guard blocked is reported here, where a callback that throws aborts the run.
      const error = kit.MemgarBlockedError.isInstance(e)
        ? this.#report('output', e.event.where, g?.last as Check)
        : e;
      const message = error instanceof Error ? error.message : String(error);
      return abort(error instanceof Refusal ? message : `memgar could not decide (${message}); refused`);
    }
  }

  /** Decides the messages' parts: input ones with `#input`, output ones (with `g`) through the output guard. */
  async #messages(messages: MastraMessageV2[], g?: Guard): Promise<MastraMessageV2[]> {
    const stage = g ? 'output' : 'input';
    const out: MastraMessageV2[] = [];
    for (const [i, m] of messages.entries()) {
      const values = new Map<number, unknown>();
      for (const p of pieces(m as MessageLike)) {
        if (g && p.kind === 'tool') continue; // ran already; a guarded memory decides on it
        const at = `${g ? 'output' : 'messages'}[${i}].parts[${p.at}]`;
        const where = p.kind === 'tool' ? `tool:${p.toolName} ${at}` : at;
        const c = g ? await this.#output(pieceText(p), where, g) : await this.#input(p);
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

  /** An output text through the output guard (a refusal throws `MemgarBlockedError`). */
  async #output(text: string, where: string, g: Guard): Promise<Check> {
    const value = await g.guard.output(text, where);
    return { ...(g.last as Check), changed: value !== text, value };
  }

  /**
   * The output guard of one call or stream (`createContentGuard`): canaries first; then, unless
   * `scanOutput: false` or for tool-call arguments, `onToolResult` as source `agent`. Its
   * verdicts go to `last`, with the enforcer's risk score (a canary leak 100, not scanned 0).
   */
  #guard(): Guard {
    const e = this.#enforcer;
    const g = {} as Guard;
    const onToolResult: kit.ContextEnforcer['onToolResult'] = async (name, text, c) => {
      const v = await e.onToolResult(name, text, { ...c, ...this.#ids });
      g.score = v.riskScore;
      return v;
    };
    const onDecision = ({ stage: _, action: __, ...d }: kit.ContentDecisionEvent) => {
      const own = d.rule === 'canary:leak' ? 100 : d.rule === 'mastra:not-scanned' ? 0 : undefined;
      g.last = { ...d, riskScore: own ?? g.score ?? 0, changed: false };
    };
    const { canaries, scanOutput, holdBack = 256 } = this.#o;
    const scan = { output: scanOutput !== false };
    const options = { canaries, onDecision, onBlocked: 'throw', scan, holdBack } as const;
    const names = { prefix: 'mastra', isArguments: (where: string) => where.startsWith('tool-call:') };
    g.guard = kit.createContentGuard({ onRetrieval: e.onRetrieval.bind(e), onToolResult }, options, names);
    g.hb = g.guard.holdBack();
    return g;
  }

  /** Reports `c` (a callback that throws aborts the run); returns the refusal to throw when it is not allowed. */
  #report(stage: 'input' | 'output', where: string, c: Check): Refusal {
    const { decision, allowed, rule, reason, riskScore } = c;
    this.#o.onDecision?.({ stage, where, decision, allowed, rule, reason, riskScore });
    return new Refusal(`memgar ${decision} (${rule}) at ${where}: ${reason}`);
  }
}
