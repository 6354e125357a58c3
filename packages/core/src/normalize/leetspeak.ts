/**
 * Leetspeak folding (`1gn0r3 4ll pr3v10u5` → `ignore all previous`) with guards that keep numbers,
 * identifiers, hashes, e-mail addresses and URLs intact.
 */

/** Leet character → the letter it stands for (ASCII code units; 0 = not a leet character). */
const LEET = new Uint8Array(128);
for (const [from, to] of [
  ['0', 'o'],
  ['1', 'i'],
  ['3', 'e'],
  ['4', 'a'],
  ['5', 's'],
  ['7', 't'],
  ['@', 'a'],
  ['$', 's'],
  ['|', 'i'],
  ['!', 'i'],
] as const) {
  LEET[from.charCodeAt(0)] = to.charCodeAt(0);
}

/** Suffixes that make `<digit><letters>` a quantity or an ordinal (`3rd`, `5am`, `4gb`), not leetspeak. */
// biome-ignore format: compact table
const UNIT_SUFFIXES = new Set([
  'st', 'nd', 'rd', 'th', 'am', 'pm', 'px', 'pt', 'em', 'ex', 'ms', 'ns', 'us', 'kb', 'mb', 'gb', 'tb', 'pb',
  'kg', 'mg', 'km', 'cm', 'mm', 'nm', 'ml', 'hz', 'khz', 'mhz', 'ghz', 'fa', 'fps', 'min', 'mins', 'hr', 'hrs',
  'sec', 'secs', 'yr', 'yrs', 'bit', 'bits', 'mph', 'kph', 'lb', 'lbs', 'oz', 'ft', 'dpi', 'gbps', 'mbps',
  'kbps', 'ds', 'xl', 'xxl', 'wd', 'way', 'pc', 'pcs', 'kw', 'mw', 'kwh', 'mah', 'vdc', 'vac', 'ch', 'bd', 'ba',
]);

/** Technical tokens that contain leet-looking digits but are not leetspeak. */
const TECH_PREFIXES = [
  'md5',
  'sha1',
  'sha3',
  'mp3',
  'mp4',
  'm4a',
  'm4v',
  'web3',
  'ipv4',
  '3des',
  'ec2',
  'l7',
  'ia32',
];

/** Longer tokens are not leetspeak (base64, keys, hashes). */
const MAX_TOKEN = 20;
/** A folded token with this many consonants in a row is not a word (random identifiers). */
const MAX_CONSONANT_RUN = 5;

/** Whether an ASCII code unit is a leet character. */
export function isLeetChar(c: number): boolean {
  return c < 128 && (LEET[c] ?? 0) !== 0;
}

function isLower(c: number): boolean {
  return c >= 0x61 && c <= 0x7a;
}

function isTokenChar(c: number): boolean {
  return isLower(c) || (c >= 0x30 && c <= 0x39) || c === 0x40 || c === 0x24 || c === 0x7c || c === 0x21;
}

/**
 * Folds leetspeak in place in a lower-cased UTF-16 buffer whose words are separated by single
 * spaces. Returns how many characters were folded (the length never changes).
 *
 * A space-separated chunk that looks like a URL or an e-mail address is left alone. Inside a chunk,
 * a token (a run of `[a-z0-9@$|!]`) is folded only if it has at least two letters, no digit that is
 * not a leet digit (`2`, `6`, `8`, `9` mark numbers and identifiers: `v2`, `h264`, `i18n`), is not
 * a hex string or a known technical token, and either has leet characters between letters
 * (`p4ssw0rd`, `1gn0r3`) or is one leading leet digit followed by letters that are not a unit
 * (`4ll`, but not `3rd`, `5am`, `4gb`).
 */
export function foldLeetspeak(buf: Uint16Array, len: number): number {
  let count = 0;
  let i = 0;
  while (i < len) {
    if (buf[i] === 0x20) {
      i++;
      continue;
    }
    const start = i;
    let hasLeet = false;
    let hasLetter = false;
    while (i < len) {
      const c = buf[i] ?? 0x20;
      if (c === 0x20) break;
      if (isLower(c)) hasLetter = true;
      else if (isLeetChar(c)) hasLeet = true;
      i++;
    }
    if (hasLeet && hasLetter && !isUrlOrEmail(buf, start, i)) count += foldChunk(buf, start, i);
  }
  return count;
}

function foldChunk(buf: Uint16Array, start: number, end: number): number {
  let count = 0;
  let i = start;
  while (i < end) {
    if (!isTokenChar(buf[i] ?? 0)) {
      i++;
      continue;
    }
    const s = i;
    while (i < end && isTokenChar(buf[i] ?? 0)) i++;
    count += foldToken(buf, s, i);
  }
  return count;
}

function foldToken(buf: Uint16Array, s: number, e: number): number {
  if (e - s > MAX_TOKEN) return 0;
  let letters = 0;
  let leet = 0;
  let allHex = true;
  for (let k = s; k < e; k++) {
    const c = buf[k] ?? 0;
    if (isLower(c)) {
      letters++;
      if (c > 0x66) allHex = false;
    } else if (isLeetChar(c)) {
      leet++;
      if (c > 0x39) allHex = false;
    } else {
      return 0; // a digit that is not leet: a number or identifier
    }
  }
  if (letters < 2 || leet === 0) return 0;
  if (allHex && e - s >= 6) return 0;
  if (!qualifies(buf, s, e, letters)) return 0;
  if (isTechToken(buf, s, e) || hasLongConsonantRun(buf, s, e)) return 0;
  let count = 0;
  for (let k = s; k < e; k++) {
    const c = buf[k] ?? 0;
    const to = c < 128 ? (LEET[c] ?? 0) : 0;
    if (to === 0) continue;
    if (k === e - 1 && (c === 0x21 || c === 0x7c)) continue; // `word!` / `word|`: punctuation
    buf[k] = to;
    count++;
  }
  return count;
}

/** Leet characters between letters, or one leading leet digit + letters that are not a unit. */
function qualifies(buf: Uint16Array, s: number, e: number, letters: number): boolean {
  let k = s;
  while (k < e) {
    if (!isLeetChar(buf[k] ?? 0)) {
      k++;
      continue;
    }
    const runStart = k;
    while (k < e && isLeetChar(buf[k] ?? 0)) k++;
    if (runStart > s && k < e && k - runStart <= 3) return true;
  }
  const first = buf[s] ?? 0;
  if (first >= 0x30 && first <= 0x39 && e - s - 1 === letters) {
    return !UNIT_SUFFIXES.has(String.fromCharCode(...buf.subarray(s + 1, e)));
  }
  return false;
}

function isTechToken(buf: Uint16Array, s: number, e: number): boolean {
  if (buf[s] === 0x30 && buf[s + 1] === 0x78) return true; // 0x…
  for (const p of TECH_PREFIXES) {
    if (p.length > e - s) continue;
    let k = 0;
    while (k < p.length && buf[s + k] === p.charCodeAt(k)) k++;
    if (k === p.length) return true;
  }
  return false;
}

/** Whether the token, once folded, has more than `MAX_CONSONANT_RUN` consonants in a row. */
function hasLongConsonantRun(buf: Uint16Array, s: number, e: number): boolean {
  let run = 0;
  for (let k = s; k < e; k++) {
    const raw = buf[k] ?? 0;
    const c = raw < 128 && (LEET[raw] ?? 0) !== 0 ? (LEET[raw] ?? 0) : raw;
    if (c === 0x61 || c === 0x65 || c === 0x69 || c === 0x6f || c === 0x75 || c === 0x79) run = 0;
    else if (++run > MAX_CONSONANT_RUN) return true;
  }
  return false;
}

/** `scheme://…`, `www.…` or `local@domain.tld`. */
function isUrlOrEmail(buf: Uint16Array, s: number, e: number): boolean {
  if (e - s >= 4 && buf[s] === 0x77 && buf[s + 1] === 0x77 && buf[s + 2] === 0x77 && buf[s + 3] === 0x2e) {
    return true;
  }
  let at = -1;
  for (let k = s; k < e; k++) {
    const c = buf[k] ?? 0;
    if (c === 0x3a && buf[k + 1] === 0x2f && buf[k + 2] === 0x2f && k + 2 < e) return true;
    if (c === 0x40 && at < 0 && k > s) at = k;
    else if (c === 0x2e && at >= 0 && k > at + 1 && isLower(buf[k + 1] ?? 0) && k + 1 < e) return true;
  }
  return false;
}

/** A token that could fold: 3–20 token characters with a leet character, not inside a longer run. */
const RE_CANDIDATE_TOKEN =
  /(?<![a-z0-9@$|!])(?=[a-z0-9@$|!]{0,19}[013457@$|!])[a-z0-9@$|!]{3,20}(?![a-z0-9@$|!])/g;

/** Per-call scratch for one token (tokens are at most `MAX_TOKEN` units). */
const TOKEN = new Uint16Array(MAX_TOKEN);

/**
 * `foldLeetspeak` for a string: the same folds, found by a native search for candidate tokens
 * (a leet character in a short token) instead of a pass that copies and reads every unit, so a
 * long text with few candidates (or only long runs such as base64) costs one native scan.
 * Returns the folded text and the number of units changed.
 */
export function foldLeetspeakText(text: string): { text: string; count: number } {
  let out = '';
  let last = 0;
  let count = 0;
  let chunkEnd = -1;
  let chunkIsUrl = false;
  const re = RE_CANDIDATE_TOKEN;
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const s = m.index;
    const e = s + m[0].length;
    if (s >= chunkEnd) {
      // The space-separated chunk around the token: folding skips URLs and e-mail addresses.
      const chunkStart = text.lastIndexOf(' ', s) + 1;
      const next = text.indexOf(' ', e);
      chunkEnd = next < 0 ? text.length : next;
      chunkIsUrl = isUrlOrEmailText(text, chunkStart, chunkEnd);
    }
    if (chunkIsUrl) continue;
    const n = e - s;
    for (let k = 0; k < n; k++) TOKEN[k] = text.charCodeAt(s + k);
    const c = foldToken(TOKEN, 0, n);
    if (c === 0) continue;
    out += text.slice(last, s) + String.fromCharCode(...TOKEN.subarray(0, n));
    last = e;
    count += c;
  }
  return count === 0 ? { text, count: 0 } : { text: out + text.slice(last), count };
}

/** {@link isUrlOrEmail} on `text[s, e)`. */
function isUrlOrEmailText(text: string, s: number, e: number): boolean {
  if (e - s >= 4 && text.startsWith('www.', s)) return true;
  let at = -1;
  for (let k = s; k < e; k++) {
    const c = text.charCodeAt(k);
    if (c === 0x3a && k + 2 < e && text.charCodeAt(k + 1) === 0x2f && text.charCodeAt(k + 2) === 0x2f) {
      return true;
    }
    if (c === 0x40 && at < 0 && k > s) at = k;
    else if (c === 0x2e && at >= 0 && k > at + 1 && k + 1 < e && isLower(text.charCodeAt(k + 1))) return true;
  }
  return false;
}
