import { readFile } from 'node:fs/promises';
import { readLines } from './jsonl.js';
import type { ReadOptions, ReadSink, ScanItem } from './types.js';

/**
 * Streams a text file as entries: one per non-blank line (`line`), per blank-line separated
 * paragraph (`paragraph`, lines kept as they are and joined with `\n`), or the whole file (`file`).
 */
export async function* readText(
  path: string,
  display: string,
  options: ReadOptions,
  sink: ReadSink,
): AsyncGenerator<ScanItem> {
  const sourceType = options.sourceType ?? options.defaultSourceType;
  const item = (content: string, line: number): ScanItem => ({
    entry: { content, sourceType },
    location: { file: display, line, column: 1 },
    kind: 'text',
  });

  if (options.split === 'file') {
    const content = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
    sink.progress?.(Buffer.byteLength(content));
    if (content.trim() !== '') yield item(content, 1);
    return;
  }

  let paragraph: string[] = [];
  let start = 0;
  for await (const { line, lineNo } of readLines(path, sink.progress)) {
    const blank = line.trim() === '';
    if (options.split === 'line') {
      if (!blank) yield item(line, lineNo);
      continue;
    }
    if (blank) {
      if (paragraph.length > 0) yield item(paragraph.join('\n'), start);
      paragraph = [];
    } else {
      if (paragraph.length === 0) start = lineNo;
      paragraph.push(line);
    }
  }
  if (paragraph.length > 0) yield item(paragraph.join('\n'), start);
}
