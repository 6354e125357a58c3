import type { FileHandle } from 'node:fs/promises';

/** One line of a file, with its byte range. */
export interface FileLine {
  /** 1-based line number. */
  line: number;
  /** The text, without its newline. */
  text: string;
  /** Byte offset of the first byte. */
  start: number;
  /** Byte offset just past the line, newline included. */
  end: number;
  /** False for a last line that has no newline. */
  terminated: boolean;
}

const CHUNK = 64 * 1024;

/** @internal Reads a file line by line (LF) with positional reads, in 64 KiB chunks. */
export async function* readLines(handle: FileHandle): AsyncGenerator<FileLine> {
  const buf = Buffer.allocUnsafe(CHUNK);
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let position = 0;
  let lineStart = 0;
  let line = 0;
  for (;;) {
    const { bytesRead } = await handle.read(buf, 0, CHUNK, position);
    if (bytesRead === 0) break;
    let from = 0;
    for (;;) {
      const nl = buf.indexOf(0x0a, from);
      if (nl === -1 || nl >= bytesRead) break;
      const piece = buf.subarray(from, nl);
      const bytes = pendingLength === 0 ? piece : Buffer.concat([...pending, piece]);
      line++;
      const end = position + nl + 1;
      yield { line, text: bytes.toString('utf8'), start: lineStart, end, terminated: true };
      pending = [];
      pendingLength = 0;
      lineStart = end;
      from = nl + 1;
    }
    if (from < bytesRead) {
      const rest = Buffer.from(buf.subarray(from, bytesRead));
      pending.push(rest);
      pendingLength += rest.length;
    }
    position += bytesRead;
  }
  if (pendingLength > 0) {
    const bytes = Buffer.concat(pending);
    yield {
      line: line + 1,
      text: bytes.toString('utf8'),
      start: lineStart,
      end: position,
      terminated: false,
    };
  }
}
