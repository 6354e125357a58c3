import type { SourceType } from '../analyzer/types.js';
import type { AdapterGuardOptions } from './guard-options.js';

/** Options of adapters that guard retrieved records (retrievers, postprocessors, searches). */
export interface RetrievalGuardOptions extends AdapterGuardOptions {
  /** The source type retrieved records are analyzed as. @default 'rag' */
  sourceType?: SourceType;
}
