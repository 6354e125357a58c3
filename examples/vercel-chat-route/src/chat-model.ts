// The model behind the route. In an app this is a provider model (`openai('gpt-4o-mini')`); here
// it is the AI SDK's own `MockLanguageModelV3` (from `ai/test`), streaming a fixed reply, so the
// example runs offline. It records every call, so the example can show which requests reached it.
import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { simulateReadableStream } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';

export const REPLY = 'Refunds are issued within 30 days of purchase, to the original payment method.';

export const chatModel = new MockLanguageModelV3({
  doStream: async () => {
    const chunks: LanguageModelV3StreamPart[] = [
      { type: 'stream-start', warnings: [] },
      { type: 'text-start', id: 't1' },
      ...(REPLY.match(/\S+\s*/g) ?? []).map((delta) => ({ type: 'text-delta' as const, id: 't1', delta })),
      { type: 'text-end', id: 't1' },
      {
        type: 'finish',
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: {
          inputTokens: { total: 12, noCache: 12, cacheRead: undefined, cacheWrite: undefined },
          outputTokens: { total: 14, text: 14, reasoning: undefined },
        },
      },
    ];
    return { stream: simulateReadableStream({ chunks }) };
  },
});
