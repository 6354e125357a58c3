/** Helpers for building strings from UTF-16 code unit buffers. */

const CHUNK = 4096;

/** The string of `units[start..end)` (chunked, so megabyte buffers do not overflow the call stack). */
export function unitsToString(units: Uint16Array, start: number, end: number): string {
  if (end - start <= CHUNK)
    return String.fromCharCode.apply(null, units.subarray(start, end) as unknown as number[]);
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
