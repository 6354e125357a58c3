/**
 * Byte comparison whose running time depends only on the lengths, never on where the inputs
 * differ: what MAC checks need, so a forger learns nothing from how long a rejection took.
 */

/** Whether `a` and `b` hold the same bytes, in time that depends on the lengths only. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  // Lengths are not secret (a MAC's length is fixed); every byte of the longer input is still read.
  const n = Math.max(a.length, b.length);
  let diff = a.length ^ b.length;
  for (let i = 0; i < n; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
