import { type MemoryEntry, SOURCE_TYPES, type SourceType } from '@memgar/core';
import type { ReadOptions } from './types.js';

/** Fields that may hold the text, in order of preference. */
export const CONTENT_FIELDS = [
  'content',
  'text',
  'memory',
  'value',
  'page_content',
  'pageContent',
  'document',
  'body',
] as const;

/** `surface` values of memgar's own exports, mapped to source types. */
export const SURFACE_SOURCE_TYPES: Readonly<Record<string, SourceType>> = {
  memory_write: 'memory',
  rag_chunk: 'rag',
  tool_output: 'tool',
  user_prompt: 'user',
};

/** Whether a value is one of core's `SOURCE_TYPES`. */
export function isSourceType(value: unknown): value is SourceType {
  return typeof value === 'string' && (SOURCE_TYPES as readonly string[]).includes(value);
}

function firstString(obj: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const v = obj[key];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

function firstId(obj: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const v = obj[key];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  }
  return undefined;
}

/** The result of turning one JSON value into an entry. */
export type EntryConversion = { ok: true; entry: MemoryEntry; note?: string } | { ok: false; reason: string };

/**
 * Turns a JSON value (a string, or an object with a text field) into a memory entry.
 * Source type: the object's `sourceType`/`source_type`, else its `surface` mapped, else `--source-type`,
 * else the default.
 */
export function toEntry(value: unknown, options: ReadOptions): EntryConversion {
  const fallback = options.sourceType ?? options.defaultSourceType;
  if (typeof value === 'string') return { ok: true, entry: { content: value, sourceType: fallback } };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    return { ok: false, reason: `expected a string or an object, got ${kind}` };
  }
  const obj = value as Record<string, unknown>;
  const content = firstString(obj, CONTENT_FIELDS);
  if (content === undefined) {
    return { ok: false, reason: `no text field (one of ${CONTENT_FIELDS.join(', ')})` };
  }
  let note: string | undefined;
  let sourceType: SourceType = fallback;
  const declared = obj.sourceType ?? obj.source_type;
  const surface = obj.surface;
  if (declared !== undefined) {
    if (isSourceType(declared)) sourceType = declared;
    else note = `unknown source type ${JSON.stringify(declared)}, using '${fallback}'`;
  } else if (typeof surface === 'string' && SURFACE_SOURCE_TYPES[surface] !== undefined) {
    sourceType = SURFACE_SOURCE_TYPES[surface];
  }
  const entry: MemoryEntry = { content, sourceType };
  const sourceId = firstId(obj, ['sourceId', 'source_id', 'source', 'id']);
  if (sourceId !== undefined) entry.sourceId = sourceId;
  const agentId = firstId(obj, ['agentId', 'agent_id', 'user_id']);
  if (agentId !== undefined) entry.agentId = agentId;
  const tenantId = firstId(obj, ['tenantId', 'tenant_id']);
  if (tenantId !== undefined) entry.tenantId = tenantId;
  return note === undefined ? { ok: true, entry } : { ok: true, entry, note };
}
