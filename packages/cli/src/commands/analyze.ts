import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { MemoryEntry, SourceType } from '@memgar/core';
import { errnoCode, UsageError } from '../errors.js';
import { DECISION_EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { renderAnalysis } from '../output/analysis.js';
import { createColors, shouldColor } from '../output/color.js';
import { type AnalyzerFlags, makeAnalyzer } from './shared.js';

/** Flags of `memgar analyze`. */
export interface AnalyzeFlags extends AnalyzerFlags {
  sourceType?: SourceType;
  sourceId?: string;
  agentId?: string;
  file?: string;
  json?: boolean;
}

/** Reads a whole stream as UTF-8 text. */
export async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function readInput(text: string | undefined, flags: AnalyzeFlags, io: CliIO): Promise<string> {
  if (text !== undefined && flags.file !== undefined) {
    throw new UsageError('give the text or --file, not both');
  }
  let content: string;
  if (flags.file !== undefined) {
    try {
      content = await readFile(resolve(io.cwd, flags.file), 'utf8');
    } catch (error) {
      throw new UsageError(`cannot read file '${flags.file}' (${errnoCode(error) ?? String(error)})`);
    }
  } else if (text === '-') {
    content = await readStream(io.stdin);
  } else if (text !== undefined) {
    content = text;
  } else {
    throw new UsageError('no input: pass the text, - to read stdin, or --file <path>');
  }
  if (content.trim() === '') throw new UsageError('no input: the text is empty');
  return content;
}

/** `memgar analyze`: analyzes one text; the exit code is the decision's (0 allow … 6 block). */
export async function analyzeCommand(
  text: string | undefined,
  flags: AnalyzeFlags,
  io: CliIO,
): Promise<number> {
  const content = await readInput(text, flags, io);
  const analyzer = makeAnalyzer(io, flags);
  const entry: MemoryEntry = { content };
  if (flags.sourceType !== undefined) entry.sourceType = flags.sourceType;
  if (flags.sourceId !== undefined) entry.sourceId = flags.sourceId;
  if (flags.agentId !== undefined) entry.agentId = flags.agentId;
  const result = await analyzer.analyze(entry);
  if (flags.json === true) {
    io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    io.stdout.write(renderAnalysis(result, createColors(shouldColor(io.stdout, io.env))));
  }
  return DECISION_EXIT[result.decision];
}
