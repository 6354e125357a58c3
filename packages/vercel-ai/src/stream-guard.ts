import type { LanguageModelMiddleware } from 'ai';
import type { TextCheck } from './memgar-middleware.js';

type StreamResult = Awaited<ReturnType<NonNullable<LanguageModelMiddleware['wrapStream']>>>;
type StreamPart = StreamResult['stream'] extends ReadableStream<infer P> ? P : never;

export interface StreamGuardOptions {
  /** Characters held back (not yet emitted) after each scan. */
  holdBack: number;
  check: (text: string, where: string) => Promise<TextCheck>;
  /** Builds the error sent in the stream's final `error` part. */
  onViolation: (where: string, check: TextCheck) => Error;
}

/**
 * Scans text deltas with a hold-back window: the last `holdBack` characters of every scanned
 * buffer stay unemitted and are scanned again with what follows, so a canary (or payload) of at
 * most `holdBack` characters split across chunks is seen whole before any of it is emitted. A
 * violation sends one `error` part and ends the stream.
 */
export function guardStream(
  source: ReadableStream<StreamPart>,
  options: StreamGuardOptions,
): ReadableStream<StreamPart> {
  const w = Math.max(1, Math.floor(options.holdBack));
  const buffers = new Map<string, string>();
  let done = false;

  // Scans the whole buffer; emits all of it (`final`) or all but the last `w` characters.
  const flush = async (
    id: string,
    final: boolean,
    controller: TransformStreamDefaultController<StreamPart>,
  ): Promise<boolean> => {
    const buf = buffers.get(id) ?? '';
    if (buf.length === 0) return true;
    const c = await options.check(buf, 'output.text');
    if (!c.allowed) return fail('output.text', c, controller);
    const cut = final ? buf.length : Math.max(0, buf.length - w);
    if (cut > 0) controller.enqueue({ type: 'text-delta', id, delta: buf.slice(0, cut) });
    buffers.set(id, buf.slice(cut));
    return true;
  };

  const fail = (where: string, c: TextCheck, controller: TransformStreamDefaultController<StreamPart>) => {
    done = true;
    buffers.clear();
    controller.enqueue({ type: 'error', error: options.onViolation(where, c) });
    controller.terminate();
    return false;
  };

  return source.pipeThrough(
    new TransformStream<StreamPart, StreamPart>({
      async transform(part, controller) {
        if (done) return;
        switch (part.type) {
          case 'text-delta': {
            const buf = (buffers.get(part.id) ?? '') + part.delta;
            buffers.set(part.id, buf);
            if (buf.length >= 2 * w) await flush(part.id, false, controller);
            return;
          }
          case 'text-end': {
            if (await flush(part.id, true, controller)) controller.enqueue(part);
            buffers.delete(part.id);
            return;
          }
          case 'tool-call': {
            const where = `output.tool-call:${part.toolName}`;
            const c = await options.check(part.input, where);
            if (c.allowed) controller.enqueue(part);
            else fail(where, c, controller);
            return;
          }
          case 'finish': {
            for (const id of [...buffers.keys()]) if (!(await flush(id, true, controller))) return;
            controller.enqueue(part);
            return;
          }
          default:
            controller.enqueue(part);
        }
      },
      async flush(controller) {
        if (done) return;
        for (const id of [...buffers.keys()]) if (!(await flush(id, true, controller))) return;
      },
    }),
  );
}
