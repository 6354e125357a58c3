/** Collapses whitespace and cuts `text` to `max` characters, ending with `…` when cut. */
export function excerpt(text: string, max = 60): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** A plain-text table; `style(row, col, padded)` may color a cell after padding. */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  style?: (row: number, col: number, padded: string) => string,
): string {
  const widths = headers.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[], rowIndex: number) =>
    cells
      .map((cell, c) => {
        const padded = c === cells.length - 1 ? cell : cell.padEnd(widths[c] ?? 0);
        return rowIndex >= 0 && style ? style(rowIndex, c, padded) : padded;
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(headers, -1), rule, ...rows.map((r, i) => line(r, i))].join('\n');
}

/** `1234` → `1.2s`; under a second → `850ms`. */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}
