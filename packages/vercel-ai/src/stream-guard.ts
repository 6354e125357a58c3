import type { ContentGuard } from '@memgar/core/adapter-kit';
import type { LanguageModelMiddleware } from 'ai';

type StreamResult = Awaited<ReturnType<NonNullable<LanguageModelMiddleware['wrapStream']>>>;
type StreamPart = StreamResult['stream'] extends ReadableStream<infer P> ? P : never;
type Controller = TransformStreamDefaultController<StreamPart>;

/**
 * Scans text deltas through the kit's `HoldBack` window (a canary or payload of at most `holdBack`
 * characters split across chunks is seen whole before any of it is emitted) and complete tool
 * calls. A violation sends one `error` part and ends the stream.
 */
export function guardStream(source: ReadableStream<StreamPart>, g: ContentGuard): ReadableStream<StreamPart> {
  const hb = g.holdBack();
  let done = false;
  const text = (id: string, delta: string, c: Controller) => {
    if (delta) c.enqueue({ type: 'text-delta', id, delta });
  };
  const flushAll = async (c: Controller) => {
    for (const id of hb.keys()) text(id, await hb.flush(id, 'output.text'), c);
  };
  const step = async (part: StreamPart, c: Controller) => {
    switch (part.type) {
      case 'text-delta':
        return text(part.id, await hb.push(part.id, part.delta, 'output.text'), c);
      case 'text-end':
        text(part.id, await hb.flush(part.id, 'output.text'), c);
        break;
      case 'tool-call':
        await g.mustPass(part.input, `output.tool-call:${part.toolName}`);
        break;
      case 'finish':
        await flushAll(c);
        break;
    }
    c.enqueue(part);
  };
  // Any error (a violation, or the enforcer failing) ends the stream: nothing unscanned goes out.
  const guarded = (fn: () => Promise<void>, c: Controller) =>
    fn().catch((error: unknown) => {
      done = true;
      c.enqueue({ type: 'error', error });
      c.terminate();
    });
  return source.pipeThrough(
    new TransformStream<StreamPart, StreamPart>({
      transform: (part, c) => (done ? undefined : guarded(() => step(part, c), c)),
      flush: (c) => (done ? undefined : guarded(() => flushAll(c), c)),
    }),
  );
}
