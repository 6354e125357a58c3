/** A small base64 decoder (no `Buffer`, no `atob`), so the main entry stays free of `node:` imports. */

const LOOKUP = /* @__PURE__ */ (() => {
  const t = new Int16Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
})();

/** Decodes standard base64 (padding optional) into bytes; throws on any other character. */
export function decodeBase64(s: string): Uint8Array {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 61) end--; // '='
  const out = new Uint8Array((end * 3) >>> 2);
  let acc = 0;
  let bits = 0;
  let j = 0;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? LOOKUP[c]! : -1;
    if (v < 0) throw new RangeError(`invalid base64 character at ${i}`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >>> bits) & 0xff;
    }
  }
  return j === out.length ? out : out.subarray(0, j);
}
