import {
  type AuditSink,
  ContentBlockedError,
  type Decision,
  MemoryRuntimeEnforcer,
  type SourceType,
} from '@memgar/core';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

const GUARDED = Symbol.for('memgar.mcp.guarded');

/** The client methods the guard wraps (a `Client` of `@modelcontextprotocol/sdk` has them). */
export type McpClientLike = Pick<Client, 'callTool' | 'listTools' | 'readResource'>;

/** The enforcer methods the guard calls (a `MemoryRuntimeEnforcer` has them). */
export type EnforcerLike = Pick<MemoryRuntimeEnforcer, 'onRetrieval' | 'onToolResult'>;

/** One decision the guard made, as reported to `onDecision`. */
export interface MemgarMcpDecisionEvent {
  /** What crossed: a tool result, a resource's contents, or a tool's description in `listTools`. */
  kind: 'tool_result' | 'resource' | 'tool_description';
  /** The tool name, or the resource URI. */
  name: string;
  /** Which part: `content[0]`, `structuredContent`, `toolResult`, `contents[1]`, `description`, `call`. */
  where: string;
  decision: Decision;
  allowed: boolean;
  reason: string;
  rule: string;
  riskScore: number;
}

export interface GuardMcpClientOptions {
  /** The enforcer deciding every text. @default a new `MemoryRuntimeEnforcer({ audit, auditAllowed: true })` */
  enforcer?: EnforcerLike;
  /** An audit sink for the default enforcer (ignored when `enforcer` is given). @default none */
  audit?: AuditSink;
  /** Called once per decision, in order. @default none */
  onDecision?: (event: MemgarMcpDecisionEvent) => void;
  /**
   * A refused tool-result item or resource content: replaced by a short refusal text (the tool
   * result gets `isError: true`), or the call rejects with `ContentBlockedError`. @default 'replace'
   */
  onBlocked?: 'replace' | 'throw';
  /** Source type of resource contents (decided by `onRetrieval`). @default 'document' */
  resourceSourceType?: SourceType;
  /** The text that replaces a refused item. @default a one-line refusal naming the tool or resource and the rule */
  refusal?: (name: string, rule: string) => string;
  /** Recorded with every decision. @default none */
  agentId?: string;
  /** Recorded with every decision. @default none */
  tenantId?: string;
}

const defaultRefusal = (name: string, rule: string) =>
  `[memgar] The output of "${name}" was withheld: it looked like an injection (${rule}). Do not retry it blindly.`;

type Verdict = Omit<MemgarMcpDecisionEvent, 'kind' | 'name' | 'where'> & { safe: unknown };
type Loose = Record<string, unknown>;
type AnyFn = (...args: unknown[]) => Promise<unknown>;

const isRecord = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A text that holds a JSON object or array is scanned field by field (findings carry JSON paths). */
function parseJson(text: string): unknown {
  const t = text.trimStart();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Guards an MCP client in place and returns it: `callTool` results (text items, embedded text
 * resources, `structuredContent`) go through `onToolResult`, `readResource` text contents through
 * `onRetrieval`, and `listTools` drops tools whose description or input schema is refused (later
 * calls to a dropped tool are refused without reaching the server). Guarding twice is a no-op.
 */
export function guardMcpClient<T extends McpClientLike>(client: T, options: GuardMcpClientOptions = {}): T {
  const c = client as unknown as Record<'callTool' | 'listTools' | 'readResource', AnyFn> & Loose;
  if (c[GUARDED as unknown as string] === true) return client;
  const enforcer =
    options.enforcer ??
    new MemoryRuntimeEnforcer({ ...(options.audit ? { audit: options.audit } : {}), auditAllowed: true });
  const ids = {
    ...(options.agentId !== undefined ? { agentId: options.agentId } : {}),
    ...(options.tenantId !== undefined ? { tenantId: options.tenantId } : {}),
  };
  const refusal = options.refusal ?? defaultRefusal;
  const refusedTools = new Set<string>();

  const report = (kind: MemgarMcpDecisionEvent['kind'], name: string, where: string, v: Verdict): void => {
    const { decision, allowed, reason, rule, riskScore } = v;
    options.onDecision?.({ kind, name, where, decision, allowed, reason, rule, riskScore });
    if (!allowed && options.onBlocked === 'throw' && kind !== 'tool_description') {
      throw new ContentBlockedError(
        `memgar refused ${kind} ${name} at ${where} (${decision}, ${rule}): ${reason}`,
        {
          decision,
          rule,
        },
      );
    }
  };

  const checkTool = async (tool: string, value: unknown): Promise<Verdict> => {
    const parsed = typeof value === 'string' ? parseJson(value) : undefined;
    const v = await enforcer.onToolResult(tool, parsed ?? value, { sourceId: tool, ...ids });
    const safe =
      !v.allowed || v.decision === 'allow'
        ? value
        : typeof value === 'string'
          ? parsed !== undefined
            ? JSON.stringify(v.safeOutput)
            : v.safeContent
          : v.safeOutput;
    return { ...v, allowed: v.allowed && safe !== undefined, safe };
  };

  const guardResult = async (tool: string, result: unknown): Promise<unknown> => {
    if (!isRecord(result)) return result;
    const out: Loose = { ...result };
    let refused: string | undefined;
    const check = async (where: string, value: unknown): Promise<{ ok: boolean; safe: unknown }> => {
      const v = await checkTool(tool, value);
      report('tool_result', tool, where, v);
      if (!v.allowed) refused ??= v.rule;
      return { ok: v.allowed, safe: v.safe };
    };
    if (Array.isArray(result.content)) {
      const content: unknown[] = [];
      for (const [i, item] of result.content.entries()) {
        const res =
          isRecord(item) && item.type === 'resource' && isRecord(item.resource) ? item.resource : undefined;
        if (isRecord(item) && item.type === 'text' && typeof item.text === 'string') {
          const r = await check(`content[${i}]`, item.text);
          content.push(r.ok ? { ...item, text: r.safe } : undefined);
        } else if (res !== undefined && typeof res.text === 'string') {
          const r = await check(`content[${i}].resource`, res.text);
          content.push(r.ok ? { ...item, resource: { ...res, text: r.safe } } : undefined);
        } else content.push(item);
      }
      const text = refusal(tool, refused ?? '');
      out.content = content.map((item) => item ?? { type: 'text', text });
    }
    for (const key of ['structuredContent', 'toolResult'] as const) {
      if (result[key] === undefined) continue;
      const r = await check(key, result[key]);
      if (r.ok) out[key] = r.safe;
      else if (key === 'toolResult') out[key] = refusal(tool, refused ?? 'refused');
      else delete out[key];
    }
    if (refused !== undefined) {
      out.isError = true;
      const content = Array.isArray(out.content) ? out.content : [];
      const text = refusal(tool, refused);
      if (!content.some((i) => isRecord(i) && i.text === text))
        out.content = [...content, { type: 'text', text }];
    }
    return out;
  };

  const callTool = c.callTool.bind(client);
  c.callTool = async (...args: unknown[]) => {
    const name = isRecord(args[0]) && typeof args[0].name === 'string' ? args[0].name : 'unknown';
    if (refusedTools.has(name)) {
      const v = {
        decision: 'block',
        allowed: false,
        rule: 'mcp:tool-description-refused',
        riskScore: 100,
      } as const;
      report('tool_result', name, 'call', {
        ...v,
        reason: 'the tool was dropped from listTools',
        safe: undefined,
      });
      return { content: [{ type: 'text', text: refusal(name, v.rule) }], isError: true };
    }
    return guardResult(name, await callTool(...args));
  };

  const listTools = c.listTools.bind(client);
  c.listTools = async (...args: unknown[]) => {
    const result = await listTools(...args);
    if (!isRecord(result) || !Array.isArray(result.tools)) return result;
    const tools: unknown[] = [];
    for (const tool of result.tools) {
      if (!isRecord(tool) || typeof tool.name !== 'string') continue;
      const meta = { description: tool.description ?? '', inputSchema: tool.inputSchema ?? {} };
      const v = await checkTool(tool.name, tool.title === undefined ? meta : { title: tool.title, ...meta });
      report('tool_description', tool.name, 'description', v);
      if (!v.allowed) {
        refusedTools.add(tool.name);
        continue;
      }
      refusedTools.delete(tool.name);
      tools.push(v.decision === 'allow' || !isRecord(v.safe) ? tool : { ...tool, ...v.safe });
    }
    return { ...result, tools };
  };

  const readResource = c.readResource.bind(client);
  c.readResource = async (...args: unknown[]) => {
    const result = await readResource(...args);
    if (!isRecord(result) || !Array.isArray(result.contents)) return result;
    const texts = result.contents.flatMap((item, index) =>
      isRecord(item) && typeof item.text === 'string'
        ? [{ index, uri: String(item.uri), content: item.text }]
        : [],
    );
    if (texts.length === 0) return result;
    const sourceType = options.resourceSourceType ?? 'document';
    const verdict = await enforcer.onRetrieval(
      texts.map((t) => ({ content: t.content, id: t.uri, sourceType, sourceId: t.uri })),
      ids,
    );
    const contents: unknown[] = [...result.contents];
    for (const [i, t] of texts.entries()) {
      const v = verdict.verdicts[i];
      if (v === undefined) continue;
      const ok = v.allowed && v.safeContent !== undefined;
      report('resource', t.uri, `contents[${t.index}]`, { ...v, allowed: ok, safe: v.safeContent });
      const item = result.contents[t.index] as Loose;
      contents[t.index] = ok
        ? { ...item, text: v.safeContent }
        : { uri: t.uri, mimeType: 'text/plain', text: refusal(t.uri, v.rule) };
    }
    return { ...result, contents };
  };

  Object.defineProperty(client, GUARDED, { value: true });
  return client;
}
