import { ContentBlockedError, type Decision, type SourceType } from '@memgar/core';
import * as kit from '@memgar/core/adapter-kit';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

const GUARDED = Symbol.for('memgar.mcp.guarded');

/** The client methods the guard wraps (a `Client` of `@modelcontextprotocol/sdk` has them). */
export type McpClientLike = Pick<Client, 'callTool' | 'listTools' | 'readResource'>;

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

export interface GuardMcpClientOptions extends Omit<kit.AdapterGuardOptions, 'enforcer' | 'onDecision'> {
  /** The enforcer deciding every text (`onToolResult`, `onRetrieval`). @default a new `MemoryRuntimeEnforcer({ audit, auditAllowed: true })` */
  enforcer?: kit.ContextEnforcer;
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
}

const defaultRefusal = (name: string, rule: string) =>
  `[memgar] The output of "${name}" was withheld: it looked like an injection (${rule}). Do not retry it blindly.`;

type Verdict = Omit<MemgarMcpDecisionEvent, 'kind' | 'name' | 'where'>;
type Loose = Record<string, unknown>;
type AnyFn = (...args: unknown[]) => Promise<unknown>;

const isRecord = (v: unknown): v is Loose => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Guards an MCP client in place and returns it: `callTool` results (text items, embedded text
 * resources, `structuredContent`) go through `onToolResult`, `readResource` text contents through
 * `onRetrieval`, and `listTools` drops tools whose description or input schema is refused (later
 * calls to a dropped tool are refused without reaching the server). Guarding twice is a no-op.
 */
export function guardMcpClient<T extends McpClientLike>(client: T, options: GuardMcpClientOptions = {}): T {
  const c = client as unknown as Record<'callTool' | 'listTools' | 'readResource', AnyFn> & Loose;
  if (c[GUARDED as unknown as string] === true) return client;
  const enforcer = options.enforcer ?? kit.resolveEnforcer({ audit: options.audit });
  const ids = { agentId: options.agentId, tenantId: options.tenantId };
  const refusal = options.refusal ?? defaultRefusal;
  const refusedTools = new Set<string>();

  /** Reports a decision; throws when refused under `onBlocked: 'throw'` (not for descriptions). */
  const report = (kind: MemgarMcpDecisionEvent['kind'], name: string, where: string, v: Verdict): void => {
    const { decision, allowed, reason, rule, riskScore } = v;
    options.onDecision?.({ kind, name, where, decision, allowed, reason, rule, riskScore });
    if (!allowed && options.onBlocked === 'throw' && kind !== 'tool_description') {
      const message = `memgar refused ${kind} ${name} at ${where} (${decision}, ${rule}): ${reason}`;
      throw new ContentBlockedError(message, { decision, rule });
    }
  };

  /** One tool value, JSON text field by field (the safe `output` of JSON text stays text). */
  const check = (kind: MemgarMcpDecisionEvent['kind'], tool: string, where: string, value: unknown) =>
    kit.guardToolJson(enforcer, { ...ids, onDecision: (e) => report(kind, tool, where, e) }, tool, value);

  const guardResult = async (tool: string, result: unknown): Promise<unknown> => {
    if (!isRecord(result)) return result;
    const out: Loose = { ...result };
    let refused: string | undefined;
    const checkPart = async (where: string, value: unknown) => {
      const r = await check('tool_result', tool, where, value);
      if (!r.allowed) refused ??= r.memgar.rule;
      return r;
    };
    if (Array.isArray(result.content)) {
      const content: unknown[] = [];
      for (const [i, item] of result.content.entries()) {
        const res = isRecord(item) && item.type === 'resource' ? item.resource : undefined;
        if (isRecord(item) && item.type === 'text' && typeof item.text === 'string') {
          const r = await checkPart(`content[${i}]`, item.text);
          content.push(r.allowed ? { ...item, text: r.output } : undefined);
        } else if (isRecord(res) && typeof res.text === 'string') {
          const r = await checkPart(`content[${i}].resource`, res.text);
          content.push(r.allowed ? { ...(item as Loose), resource: { ...res, text: r.output } } : undefined);
        } else content.push(item);
      }
      out.content = content;
    }
    for (const key of ['structuredContent', 'toolResult'] as const) {
      if (result[key] === undefined) continue;
      const r = await checkPart(key, result[key]);
      if (r.allowed) out[key] = r.output;
      else if (key === 'toolResult') out[key] = refusal(tool, r.memgar.rule);
      else delete out[key];
    }
    if (refused === undefined) return out;
    // Refused items become the refusal text; a result refused elsewhere gets it appended.
    const text = refusal(tool, refused);
    const content = (Array.isArray(out.content) ? out.content : []).map((i) => i ?? { type: 'text', text });
    if (!content.some((i) => isRecord(i) && i.text === text)) content.push({ type: 'text', text });
    return { ...out, content, isError: true };
  };

  const callTool = c.callTool.bind(client);
  c.callTool = async (...args: unknown[]) => {
    const name = isRecord(args[0]) && typeof args[0].name === 'string' ? args[0].name : 'unknown';
    if (!refusedTools.has(name)) return guardResult(name, await callTool(...args));
    const rule = 'mcp:tool-description-refused';
    const reason = 'the tool was dropped from listTools';
    report('tool_result', name, 'call', { decision: 'block', allowed: false, rule, reason, riskScore: 100 });
    return { content: [{ type: 'text', text: refusal(name, rule) }], isError: true };
  };

  const listTools = c.listTools.bind(client);
  c.listTools = async (...args: unknown[]) => {
    const result = await listTools(...args);
    if (!isRecord(result) || !Array.isArray(result.tools)) return result;
    const tools: unknown[] = [];
    for (const tool of result.tools) {
      if (!isRecord(tool) || typeof tool.name !== 'string') continue;
      const meta = { description: tool.description ?? '', inputSchema: tool.inputSchema ?? {} };
      const value = tool.title === undefined ? meta : { title: tool.title, ...meta };
      const r = await check('tool_description', tool.name, 'description', value);
      if (!r.allowed) refusedTools.add(tool.name);
      else refusedTools.delete(tool.name);
      if (r.allowed) tools.push(r.output !== value && isRecord(r.output) ? { ...tool, ...r.output } : tool);
    }
    return { ...result, tools };
  };

  const readResource = c.readResource.bind(client);
  c.readResource = async (...args: unknown[]) => {
    const result = await readResource(...args);
    if (!isRecord(result) || !Array.isArray(result.contents)) return result;
    const texts = result.contents.flatMap((item, index) => {
      if (!isRecord(item) || typeof item.text !== 'string') return [];
      return [{ index, text: item.text, id: String(item.uri), sourceId: String(item.uri) }];
    });
    const rules: string[] = []; // per text, in order
    const onDecision = (e: Verdict) => {
      const t = texts[rules.push(e.rule) - 1]!;
      report('resource', t.id, `contents[${t.index}]`, e);
    };
    const sourceType = options.resourceSourceType ?? 'document';
    const full = enforcer as kit.EnforcerLike; // `guardRetrieved` calls only `onRetrieval`
    const kept = await kit.guardRetrieved(full, { ...ids, onDecision }, undefined, texts, sourceType);
    const safe = new Map(kept.map((k) => [k.index, k.text]));
    const contents: unknown[] = [...result.contents];
    for (const [i, t] of texts.entries()) {
      const text = safe.get(i);
      const refused = { uri: t.id, mimeType: 'text/plain', text: refusal(t.id, rules[i] ?? 'no-verdict') };
      contents[t.index] = text === undefined ? refused : { ...(contents[t.index] as Loose), text };
    }
    return { ...result, contents };
  };

  Object.defineProperty(client, GUARDED, { value: true });
  return client;
}
