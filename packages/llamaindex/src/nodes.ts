import type { MessageContent } from '@llamaindex/core/llms';
import type { QueryBundle } from '@llamaindex/core/query-engine';
import { type BaseNode, MetadataMode, type NodeWithScore } from '@llamaindex/core/schema';
import { extractText } from '@llamaindex/core/utils';
import { InvalidInputError } from '@memgar/core';
import * as kit from '@memgar/core/adapter-kit';

/** The kit's retrieval options: `sourceType`, what retrieved nodes are analyzed as (default `rag`). */
export type GuardRetrievalOptions = kit.RetrievalGuardOptions;

/** The metadata key a guarded node carries its decision under (hidden from the LLM and embedding views). */
export const MEMGAR_KEY = 'memgar';

/** A node's own text, without its metadata. */
export function nodeText(node: BaseNode): string {
  return node.getContent(MetadataMode.NONE);
}

/** What memgar reads of a node: its own text, its id, and its source node's id (keys per-source trust). */
export const nodeFields = (n: BaseNode) => ({ text: nodeText(n), id: n.id_, sourceId: n.sourceNode?.nodeId });

/** Throws `InvalidInputError` unless `nodes` is an array of LlamaIndex nodes. */
export function checkNodes(nodes: unknown): asserts nodes is BaseNode[] {
  if (!Array.isArray(nodes) || nodes.some((n) => typeof (n as BaseNode)?.getContent !== 'function')) {
    throw new InvalidInputError('nodes', 'expected an array of LlamaIndex nodes (BaseNode or NodeWithScore)');
  }
}

type NodeClass = new (init: Record<string, unknown>) => BaseNode;

/** A copy of `node` (same class, id, metadata, relationships) holding `text` and `metadata.memgar`. */
function annotated(node: BaseNode, text: string, memgar: kit.MemgarMetadata): BaseNode {
  const hide = (keys: string[]) => (keys.includes(MEMGAR_KEY) ? keys : [...keys, MEMGAR_KEY]);
  const copy = new (node.constructor as NodeClass)({
    ...node.toJSON(),
    metadata: { ...node.metadata, [MEMGAR_KEY]: memgar },
    excludedLlmMetadataKeys: hide(node.excludedLlmMetadataKeys),
    excludedEmbedMetadataKeys: hide(node.excludedEmbedMetadataKeys),
  });
  copy.setContent(text);
  return copy;
}

/**
 * Guards retrieved nodes for `query` (its text): the allowed ones come back best first, as copies holding
 * their (possibly sanitized) text and `metadata.memgar`, with their input position.
 */
export async function guardNodes(
  enforcer: kit.EnforcerLike,
  options: GuardRetrievalOptions,
  query: MessageContent | QueryBundle | undefined,
  hits: readonly NodeWithScore[],
): Promise<{ index: number; hit: NodeWithScore }[]> {
  checkNodes(Array.isArray(hits) ? hits.map((h) => h?.node) : hits);
  const fields = ({ node, score }: NodeWithScore) => ({ ...nodeFields(node), score });
  const how = { ...(query && { query: extractText(query) }), sourceType: options.sourceType ?? 'rag' };
  const kept = await kit.guardRecords(enforcer, options, hits, fields, how);
  return kept.map(({ index, record: hit, text, memgar }) => ({
    index,
    hit: { ...hit, node: annotated(hit.node, text, memgar) },
  }));
}
