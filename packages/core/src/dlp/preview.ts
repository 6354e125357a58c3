/** The value with its middle masked: enough to recognize it in a review, not enough to use it. */
export function maskedPreview(value: string): string {
  if (value.length <= 8) return '…';
  const keep = value.length >= 24 ? 4 : 2;
  return `${value.slice(0, keep)}…${value.slice(-2)}`;
}
