/** Word tokens of a text for the retrieval signals: NFKC, lower case, runs of letters and digits. */

const WORD = /[\p{L}\p{N}]+/gu;

/** At most this many tokens of one text are used (the signals look at the opening of a chunk). */
export const MAX_SIGNAL_TOKENS = 5000;

export function wordTokens(text: string, max = MAX_SIGNAL_TOKENS): string[] {
  const out: string[] = [];
  const re = new RegExp(WORD.source, 'gu');
  const norm = text.normalize('NFKC').toLowerCase();
  for (let m = re.exec(norm); m !== null && out.length < max; m = re.exec(norm)) out.push(m[0]);
  return out;
}

/** Function words that say nothing about what a text is about. */
export const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but if then else of to in on at by for with from into onto about as is are was were be been ' +
    'being do does did have has had what which who whom whose when where why how this that these those it its ' +
    'i you he she we they me him her us them my your his our their can could should would will shall may might ' +
    'must not no yes so than too very just also any all some there here'
  ).split(' '),
);
