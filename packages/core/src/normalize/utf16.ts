/** Helpers for building strings from UTF-16 code unit buffers. */

const CHUNK = 4096;
/** Below this many units `String.fromCharCode` is cheaper than a `TextDecoder` call. */
const DECODER_MIN = 256;

/** Native UTF-16 decoding (keeps a leading U+FEFF; replaces lone surrogates, see `unitsToString`). */
const utf16 = new TextDecoder('utf-16le', { ignoreBOM: true });

/**
 * The string of `units[start..end)`. Long ranges go through a native UTF-16 decoder; since that one
 * replaces lone surrogates with U+FFFD, a result holding U+FFFD is rebuilt unit by unit (chunked, so
 * megabyte buffers do not overflow the call stack), so lone surrogates are kept as they are.
 */
export function unitsToString(units: Uint16Array, start: number, end: number): string {
  if (end - start <= DECODER_MIN)
    return String.fromCharCode.apply(null, units.subarray(start, end) as unknown as number[]);
  const text = utf16.decode(units.subarray(start, end));
  if (!text.includes('\ufffd')) return text;
  const parts: string[] = [];
  for (let i = start; i < end; i += CHUNK) {
    parts.push(
      String.fromCharCode.apply(null, units.subarray(i, Math.min(end, i + CHUNK)) as unknown as number[]),
    );
  }
  return parts.join('');
}

/** The string of a plain array of UTF-16 code units. */
export function codesToString(codes: readonly number[]): string {
  return unitsToString(Uint16Array.from(codes), 0, codes.length);
}
