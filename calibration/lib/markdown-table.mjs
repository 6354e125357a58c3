/**
 * A Markdown table with aligned columns (the way Biome formats one), for generated reports.
 * @param {string[]} heads
 * @param {('l' | 'r')[]} aligns one per column
 * @param {string[][]} rows
 */
export function markdownTable(heads, aligns, rows) {
  const width = heads.map((h, c) => Math.max(3, h.length, ...rows.map((r) => r[c].length)));
  const cell = (text, c) => (aligns[c] === 'r' ? text.padStart(width[c]) : text.padEnd(width[c]));
  const row = (r) => `| ${r.map(cell).join(' | ')} |`;
  const rule = `| ${width.map((w, c) => (aligns[c] === 'r' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [row(heads), rule, ...rows.map(row)].join('\n');
}
