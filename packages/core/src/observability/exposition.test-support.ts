/**
 * Test support: parses Prometheus text exposition into `name{labels}` → value, with labels in
 * sorted order (`memgar_analyses_total{decision="allow",source_type="user"}`).
 */
export function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const [, name, labelText, value] = m;
    const labels = [...(labelText ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, k, v]) => `${k}="${v}"`)
      .sort();
    out.set(labels.length > 0 ? `${name}{${labels.join(',')}}` : `${name}`, Number(value));
  }
  return out;
}

/** Sums the samples of one metric whose labels include every `key="value"` in `where`. */
export function sumSamples(
  samples: Map<string, number>,
  name: string,
  where: Record<string, string> = {},
): number {
  let s = 0;
  for (const [key, v] of samples) {
    const base = key.split('{')[0];
    if (base !== name) continue;
    if (Object.entries(where).every(([k, val]) => key.includes(`${k}="${val}"`))) s += v;
  }
  return s;
}
