import { type AnalyzerLike, MemoryRuntimeEnforcer } from '@memgar/core';
import { type ContentGuard, type ContentGuardOptions, createContentGuard } from '@memgar/core/adapter-kit';
import type { LanguageModelMiddleware } from 'ai';
import { guardStream } from './stream-guard.js';

type CallOptions = Parameters<NonNullable<LanguageModelMiddleware['transformParams']>>[0]['params'];
type Message = CallOptions['prompt'][number];
type Part = Exclude<Message, { role: 'system' }>['content'][number];
type ToolOutput = Extract<Part, { type: 'tool-result' }>['output'];
type GenerateResult = Awaited<ReturnType<NonNullable<LanguageModelMiddleware['wrapGenerate']>>>;

export interface MemgarMiddlewareOptions extends ContentGuardOptions {
  /** Analyzer for the default enforcer; ignored when `enforcer` is given. @default new Analyzer() */
  analyzer?: AnalyzerLike;
}

/** A tool-result output with its text guarded (`text`, `json` field by field, `content` text items). */
async function guardToolOutput(g: ContentGuard, name: string, output: ToolOutput): Promise<ToolOutput> {
  const where = `tool-result:${name}`;
  switch (output.type) {
    case 'text':
    case 'error-text':
      return { ...output, value: (await g.tool(name, output.value, where)).value as string };
    case 'json':
    case 'error-json': {
      const r = await g.tool(name, output.value, where);
      if (r.allowed) return { ...output, value: r.value as typeof output.value };
      return { type: output.type === 'json' ? 'text' : 'error-text', value: r.value as string };
    }
    case 'content': {
      const value = [];
      for (const [k, item] of output.value.entries()) {
        if (item.type !== 'text') value.push(item);
        else value.push({ ...item, text: (await g.tool(name, item.text, `${where}[${k}]`)).value as string });
      }
      return { ...output, value };
    }
    default:
      return output;
  }
}

/**
 * A Vercel AI SDK language-model middleware that guards the prompt (user, assistant and tool
 * messages) before the model sees it and the model's output (generate and stream) after.
 *
 * @example
 * const model = wrapLanguageModel({ model: openai('gpt-4o'), middleware: memgarMiddleware({ canaries }) });
 */
export function memgarMiddleware(options: MemgarMiddlewareOptions = {}): LanguageModelMiddleware {
  const enforcer =
    options.enforcer ??
    new MemoryRuntimeEnforcer(options.analyzer !== undefined ? { analyzer: options.analyzer } : {});
  const g = createContentGuard(enforcer, options, {
    prefix: 'vercel-ai',
    isArguments: (where) => where.startsWith('output.tool-call'),
  });

  const guardPart = async (part: Part, role: Message['role'], where: string): Promise<Part> => {
    if (part.type === 'text' && g.roleOn(role)) return { ...part, text: await g.text(part.text, where) };
    if (part.type === 'tool-result' && g.scan.toolResults) {
      return { ...part, output: await guardToolOutput(g, part.toolName, part.output) };
    }
    return part;
  };

  return {
    specificationVersion: 'v3',

    async transformParams({ params }) {
      const prompt: Message[] = [];
      for (const [i, m] of params.prompt.entries()) {
        if (m.role === 'system') {
          prompt.push(g.roleOn('system') ? { ...m, content: await g.text(m.content, `prompt[${i}]`) } : m);
          continue;
        }
        const content: Part[] = [];
        for (const [j, part] of m.content.entries()) {
          content.push(await guardPart(part, m.role, `prompt[${i}].content[${j}]`));
        }
        prompt.push({ ...m, content } as Message);
      }
      return { ...params, prompt };
    },

    async wrapGenerate({ doGenerate }) {
      const result = await doGenerate();
      const content: GenerateResult['content'] = [];
      for (const part of result.content) {
        if (part.type === 'text') {
          content.push({ ...part, text: await g.output(part.text, 'output.text') });
        } else if (part.type === 'tool-call') {
          // A refused call becomes the placeholder text instead of the call.
          const text = await g.output(part.input, `output.tool-call:${part.toolName}`);
          content.push(text === part.input ? part : { type: 'text', text });
        } else content.push(part);
      }
      return { ...result, content };
    },

    async wrapStream({ doStream }) {
      const result = await doStream();
      return { ...result, stream: guardStream(result.stream, g) };
    },
  };
}
