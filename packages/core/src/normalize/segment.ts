/** An encoded segment a decoder found in a text. */
export interface EncodedSegment {
  kind: 'base64' | 'hex' | 'url' | 'html_entity';
  /** Start of the encoded segment in the scanned text. */
  start: number;
  /** End (exclusive) of the encoded segment in the scanned text. */
  end: number;
  /** The decoded text. */
  decoded: string;
}
