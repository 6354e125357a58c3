import { type AnalysisResult, Analyzer, SOURCE_TYPES } from '@memgar/core';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';

/** The analyzer method the server calls (an `Analyzer` of `@memgar/core` has it). */
export type AnalyzerLike = Pick<Analyzer, 'analyze'>;

export interface MemgarMcpServerOptions {
  /** The analyzer behind both tools. @default a new `Analyzer()` */
  analyzer?: AnalyzerLike;
  /** The server name announced to clients. @default 'memgar' */
  name?: string;
  /** The server version announced to clients. @default '0.0.0' */
  version?: string;
  /** Most entries `memgar_scan` accepts in one call. @default 100 */
  maxEntries?: number;
}

/**
 * What the tools return per text: no evidence spans, no explanation (it quotes the match) and no
 * rule titles (some read as imperatives), so the answer never repeats an attack to the model.
 */
export interface MemgarAnalysisSummary {
  decision: AnalysisResult['decision'];
  riskScore: number;
  findings: { ruleId: string; category: string; severity: string }[];
  sanitized?: string;
}

export function summarize(r: AnalysisResult): MemgarAnalysisSummary {
  return {
    decision: r.decision,
    riskScore: r.riskScore,
    findings: r.findings.map(({ ruleId, category, severity }) => ({ ruleId, category, severity })),
    ...(r.sanitized !== undefined ? { sanitized: r.sanitized } : {}),
  };
}

const json = (value: unknown) => ({
  content: [{ type: 'text' as const, text: JSON.stringify(value, null, 2) }],
});

/**
 * An `McpServer` exposing memgar as two read-only tools: `memgar_analyze` (one text → decision,
 * risk score, findings) and `memgar_scan` (many texts → one decision each). Connect it to any
 * transport (`memgar-mcp` serves it over stdio).
 */
export function createMemgarMcpServer(options: MemgarMcpServerOptions = {}): McpServer {
  const analyzer = options.analyzer ?? new Analyzer();
  const server = new McpServer({ name: options.name ?? 'memgar', version: options.version ?? '0.0.0' });
  const sourceType = z
    .enum(SOURCE_TYPES)
    .optional()
    .describe("Where the text comes from (default 'unknown').");
  const annotations = {
    readOnlyHint: true,
    destructiveHint: false,
    idempotentHint: true,
    openWorldHint: false,
  };

  server.registerTool(
    'memgar_analyze',
    {
      title: 'memgar: analyze a text',
      description:
        'Checks one text for memory poisoning and prompt injection before it is stored or used. Returns JSON: decision (allow, sanitize, human_review, quarantine, block), riskScore (0-100) and findings (rule id, category, severity).',
      inputSchema: { content: z.string().describe('The text to check.'), sourceType },
      annotations,
    },
    async ({ content, sourceType: st }) =>
      json(summarize(await analyzer.analyze({ content, sourceType: st ?? 'unknown' }))),
  );

  server.registerTool(
    'memgar_scan',
    {
      title: 'memgar: scan many texts',
      description:
        'Checks many texts (memory entries, retrieved chunks) at once. Returns JSON: counts per decision and, per entry in input order, its index, decision, riskScore and finding rule ids.',
      inputSchema: {
        entries: z
          .array(z.string())
          .max(options.maxEntries ?? 100)
          .describe('The texts to check.'),
        sourceType,
      },
      annotations,
    },
    async ({ entries, sourceType: st }) => {
      const results = await Promise.all(
        entries.map((content) => analyzer.analyze({ content, sourceType: st ?? 'unknown' })),
      );
      const counts: Record<string, number> = {};
      for (const r of results) counts[r.decision] = (counts[r.decision] ?? 0) + 1;
      return json({
        counts,
        results: results.map((r, index) => ({
          index,
          decision: r.decision,
          riskScore: r.riskScore,
          rules: r.findings.map((f) => f.ruleId),
        })),
      });
    },
  );
  return server;
}
