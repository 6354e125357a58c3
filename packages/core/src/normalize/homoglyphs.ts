/**
 * Look-alikes of Latin letters (confusables) that NFKC does not fold: Cyrillic, Greek and Armenian
 * letters, and Latin small capitals / IPA variants. Fullwidth and mathematical alphanumerics are
 * already folded by NFKC.
 */

/** The entry is a letter of another script: folded only inside words that are written in Latin. */
export const HOMOGLYPH_CONDITIONAL = 0x100;

const TABLE_SIZE = 0x2000;

/** Latin-script variants: always folded (they are Latin, whatever the word around them). */
// biome-ignore format: compact table
const LATIN_VARIANTS: Record<string, string> = {
  ı: 'i', ȷ: 'j', ɑ: 'a', ɡ: 'g', ɩ: 'i', ɪ: 'i', ɢ: 'g', ʜ: 'h', ʟ: 'l', ɴ: 'n', ʀ: 'r', ʏ: 'y', ʙ: 'b',
  ᴀ: 'a', ᴄ: 'c', ᴅ: 'd', ᴇ: 'e', ᴊ: 'j', ᴋ: 'k', ᴍ: 'm', ᴏ: 'o', ᴘ: 'p', ᴛ: 't', ᴜ: 'u', ᴠ: 'v',
  ᴡ: 'w', ᴢ: 'z',
};

/** Letters of other scripts that look like Latin letters (upper and lower case as drawn). */
// biome-ignore format: compact table
const OTHER_SCRIPTS: Record<string, string> = {
  // Cyrillic
  А: 'a', а: 'a', В: 'b', в: 'b', Е: 'e', е: 'e', К: 'k', к: 'k', М: 'm', м: 'm', Н: 'h', н: 'h',
  О: 'o', о: 'o', Р: 'p', р: 'p', С: 'c', с: 'c', Т: 't', т: 't', У: 'y', у: 'y', Х: 'x', х: 'x',
  Ѕ: 's', ѕ: 's', І: 'i', і: 'i', Ј: 'j', ј: 'j', Һ: 'h', һ: 'h', Ԁ: 'd', ԁ: 'd', Ԛ: 'q', ԛ: 'q',
  Ԝ: 'w', ԝ: 'w', Ү: 'y', ү: 'y', Ӏ: 'l', ӏ: 'l', п: 'n', г: 'r', Ь: 'b', ь: 'b', Ԍ: 'g', ԍ: 'g',
  // Greek
  Α: 'a', α: 'a', Β: 'b', Ε: 'e', ε: 'e', Ζ: 'z', Η: 'h', η: 'n', Ι: 'i', ι: 'i', Κ: 'k', κ: 'k',
  Μ: 'm', μ: 'u', Ν: 'n', ν: 'v', Ο: 'o', ο: 'o', Ρ: 'p', ρ: 'p', Τ: 't', τ: 't', Υ: 'y', υ: 'u',
  Χ: 'x', χ: 'x', ϲ: 'c', Ϲ: 'c', ϳ: 'j', ϒ: 'y',
  // Armenian
  օ: 'o', ս: 'u', հ: 'h', ո: 'n', զ: 'q', ց: 'g',
};

const table = buildTable();

function buildTable(): Uint16Array {
  const t = new Uint16Array(TABLE_SIZE);
  for (const [from, to] of Object.entries(LATIN_VARIANTS)) t[from.charCodeAt(0)] = to.charCodeAt(0);
  for (const [from, to] of Object.entries(OTHER_SCRIPTS)) {
    t[from.charCodeAt(0)] = to.charCodeAt(0) | HOMOGLYPH_CONDITIONAL;
  }
  return t;
}

/**
 * The Latin letter (lower case) a UTF-16 code unit looks like, or 0. When the result has
 * `HOMOGLYPH_CONDITIONAL` set, the unit belongs to another script and must only be folded inside
 * a Latin word (`result & 0xff` is the letter).
 */
export function homoglyphOf(unit: number): number {
  if (unit < TABLE_SIZE) return table[unit] ?? 0;
  return unit === 0xa731 ? 0x73 : 0; // ꜱ (small capital s)
}

/** Whether a UTF-16 code unit is in a script whose letters are confusable with Latin (Greek, Cyrillic, Armenian). */
export function isConfusableScript(unit: number): boolean {
  return (unit >= 0x370 && unit <= 0x58f) || (unit >= 0x1f00 && unit <= 0x1fff);
}
