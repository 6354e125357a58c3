// A chat route handler as in a Next.js app (`app/api/chat/route.ts`): Web `Request` in, streamed
// `Response` out, in the AI SDK's UI message stream format that `useChat` reads.
import { MemgarBlockedError, type MemgarDecisionEvent, memgarMiddleware } from '@memgar/vercel-ai';
import { convertToModelMessages, streamText, type UIMessage, wrapLanguageModel } from 'ai';
import { chatModel } from './chat-model.js';

/** Every memgar decision of this route, in order (in an app: your logger or SIEM). */
export const decisions: MemgarDecisionEvent[] = [];

const model = wrapLanguageModel({
  model: chatModel,
  middleware: memgarMiddleware({
    // A poisoned prompt part fails the request before the model is called.
    onBlocked: 'throw',
    onDecision: (e) => decisions.push(e),
  }),
});

/** What the client sees when a request fails: memgar's refusal is named, other errors are not. */
function errorText(error: unknown): string {
  if (MemgarBlockedError.isInstance(error)) {
    return `blocked by memgar at ${error.event.where}: ${error.event.reason}`;
  }
  return 'the assistant could not answer';
}

export async function POST(req: Request): Promise<Response> {
  const body: unknown = await req.json().catch(() => undefined);
  const messages = (body as { messages?: unknown } | undefined)?.messages;
  if (!Array.isArray(messages)) {
    return Response.json({ error: 'expected a JSON body { messages: UIMessage[] }' }, { status: 400 });
  }
  const prompt = await convertToModelMessages(messages as UIMessage[]).catch(() => undefined);
  if (prompt === undefined) return Response.json({ error: 'malformed messages' }, { status: 400 });
  const result = streamText({
    model,
    system: 'You are the support assistant of an online shop. Answer briefly.',
    messages: prompt,
    // memgar's refusals are already reported through onDecision; log anything else.
    onError: ({ error }) => {
      if (!MemgarBlockedError.isInstance(error)) console.error(error);
    },
  });
  return result.toUIMessageStreamResponse({ onError: errorText });
}
