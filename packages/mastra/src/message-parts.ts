// The texts memgar decides in a Mastra message (V2 `content.parts`, or V1 string or part array),
// and the message rebuilt with some of them replaced.

/** A message as Mastra passes or stores it (V1 or V2), typed as far as memgar reads it. */
export interface MessageLike {
  id?: string;
  content: unknown;
}

type Part = Record<string, unknown>;
type Result = { state?: unknown; toolName?: unknown; result?: unknown };

/** A text part, or a tool result (`value` as the tool returned it). `at`: the part's index, -1 for a V1 string. */
export interface Piece {
  kind: 'text' | 'tool';
  at: number;
  value: unknown;
  toolName: string;
}

function partsOf(content: unknown): Part[] {
  const parts = Array.isArray(content) ? content : (content as { parts?: unknown } | null)?.parts;
  return Array.isArray(parts) ? parts : [];
}

/** Text parts and tool results of `message` (reasoning, files and tool calls are not read). */
export function pieces(message: MessageLike): Piece[] {
  if (typeof message.content === 'string')
    return [{ kind: 'text', at: -1, value: message.content, toolName: '' }];
  return partsOf(message.content).flatMap((p, at): Piece[] => {
    if (p.type === 'text' && typeof p.text === 'string')
      return [{ kind: 'text', at, value: p.text, toolName: '' }];
    const r = (p.type === 'tool-invocation' ? p.toolInvocation : p.type === 'tool-result' ? p : {}) as Result;
    if (!('result' in r) || (p.type === 'tool-invocation' && r.state !== 'result')) return [];
    return [{ kind: 'tool', at, value: r.result, toolName: String(r.toolName ?? 'tool') }];
  });
}

/** The text memgar analyzes for a piece: a string as it is, anything else as JSON. */
export function pieceText(p: Piece): string {
  return typeof p.value === 'string' ? p.value : (JSON.stringify(p.value) ?? '');
}

/** A copy of `message` with the pieces at the keys of `values` replaced (V2's duplicate fields kept in step). */
export function rewrite<M extends MessageLike>(message: M, values: ReadonlyMap<number, unknown>): M {
  if (values.size === 0) return message;
  if (values.has(-1)) return { ...message, content: values.get(-1) };
  const parts = partsOf(message.content).map((p, at): Part => {
    if (!values.has(at)) return p;
    const v = values.get(at);
    if (p.type === 'text') return { ...p, text: v };
    return p.type === 'tool-result'
      ? { ...p, result: v }
      : { ...p, toolInvocation: { ...(p.toolInvocation as Result), result: v } };
  });
  if (Array.isArray(message.content)) return { ...message, content: parts };
  const c = message.content as Part;
  const all = (type: string, key: string) => parts.flatMap((p) => (p.type === type ? [p[key]] : []));
  const text = typeof c.content === 'string' ? { content: all('text', 'text').join('') } : {};
  const calls = Array.isArray(c.toolInvocations)
    ? { toolInvocations: all('tool-invocation', 'toolInvocation') }
    : {};
  return { ...message, content: { ...c, parts, ...text, ...calls } };
}
