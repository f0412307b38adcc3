import { domainToUnicode } from 'node:url';
import { parse } from 'tldts';
import { LruCache } from './lru-cache.ts';
import { normaliseUrl } from './normalise-url.ts';

/**
 * URL extraction that survives obfuscation, for the message channel's
 * `MESSAGE_URL_*` detectors (issue 9, build item 2; measures I1, I3, P7) and
 * for mail and web screening later. `text-extractor.ts` finds plainly written
 * URLs for indicator matching; this module also finds the ones a lure writes
 * so that filters miss them:
 *
 * - defanged schemes: `hxxp(s)://`, `h**p://`, `hXXp[:]//`, `ttp://` (the
 *   Japanese bulletin-board habit of dropping the `h`);
 * - defanged dots: `[.]`, `(.)`, `{.}`, `[dot]`, `(dot)`, `{dot}`, ` dot `;
 * - full-width letters and dots (`ｅｘａｍｐｌｅ．ｃｏｍ`) and the ideographic
 *   full stop `。` / `｡` between ASCII labels;
 * - spaces inside a domain (`exa mple.com`, `amazon .co.jp`, `example. com`),
 *   joined only where the pieces make a registrable domain with a known
 *   public suffix (tldts, the Public Suffix List) and under the rules in
 *   `joinSpaces`, so that ordinary sentences (`I am fine. Thanks`) are not
 *   glued into domains;
 * - `@` tricks (`https://paypal.com@evil.example`): the URL is the real host,
 *   `userinfo` keeps the decoy;
 * - IDN hosts: `host` is the xn-- form, `unicodeHost` the Unicode one;
 * - URL shorteners, flagged through `SHORTENER_HOSTS`.
 *
 * Every `url` is canonical through `normaliseUrl` (Safe Browsing rules), so it
 * matches listed URLs. `raw` is the exact span of the input and `index` its
 * UTF-16 offset. `obfuscated` is true when undoing a trick above was needed;
 * full-width characters alone do not count, because Japanese IMEs produce
 * them in ordinary legitimate text.
 */
export type ExtractedUrl = {
  url: string;
  raw: string;
  obfuscated: boolean;
  /** Written without a scheme (`example.com/x`): weaker evidence, as chat joins sentences with a dot (`felt so.so`). */
  bare: boolean;
  /** Some of `raw` was written in full-width forms (ｅｘａｍｐｌｅ．ｃｏｍ); not counted in `obfuscated`. */
  fullWidth: boolean;
  index: number;
  /** The canonical host: lower case, IDN as xn--, IPv4 dotted. */
  host: string;
  /** The host with xn-- labels shown as Unicode (equal to `host` for ASCII names). */
  unicodeHost: string;
  /** The host is a public URL shortener (or its www. name): the destination is hidden. */
  shortener: boolean;
  /** What stood before `@` in the authority, such as `paypal.com` in `https://paypal.com@evil.example`. */
  userinfo?: string;
};

/**
 * Public URL shorteners whose links anyone can create to any destination, so
 * the link hides where it goes. Checked by hand (December 2026) against each
 * service's own description: bit.ly, tinyurl.com, t.co (X/Twitter), is.gd and
 * v.gd, ow.ly (Hootsuite), buff.ly (Buffer), rebrand.ly, cutt.ly, t.ly, x.gd,
 * shorturl.at, goo.gl (closed to new links in 2019, still in old messages),
 * tiny.cc, rb.gy, s.id. Not listed: qr.paypay.ne.jp, PayPay's payment-request
 * link host, which opens a payment in the PayPay app rather than redirecting
 * to an arbitrary web address (brand and look-alike checks are the place for
 * it), and brand-owned shorteners such as amzn.to, which only point at their
 * owner's site.
 */
export const SHORTENER_HOSTS: ReadonlySet<string> = new Set([
  'bit.ly',
  'tinyurl.com',
  't.co',
  'is.gd',
  'v.gd',
  'ow.ly',
  'buff.ly',
  'rebrand.ly',
  'cutt.ly',
  't.ly',
  'x.gd',
  'shorturl.at',
  'goo.gl',
  'tiny.cc',
  'rb.gy',
  's.id',
]);

/** Most URLs returned for one text; more in one message is already unusual and bounds the work. */
export const MAX_URLS = 100;

/** Whether `host` (canonical, lower case) is a listed shortener or its `www.` name (other subdomains are not the service). */
export function isShortenerHost(host: string): boolean {
  if (SHORTENER_HOSTS.has(host)) return true;
  const dot = host.indexOf('.');
  return dot > 0 && SHORTENER_HOSTS.has(host.slice(dot + 1)) && host.startsWith('www.');
}

/**
 * Text being rewritten, with each character's span in the original text
 * (`from` inclusive, `to` exclusive), whether a de-obfuscating rewrite made it and
 * whether it was written full width. `identity`: nothing but `foldWidth`'s
 * one-unit-for-one-unit folds has happened, so every offset is the input's own
 * (`source`), and the arrays are left empty until a rewrite needs them
 * (`materialise`); read through `fromOf` and `toOf` (most messages need no
 * rewrite, and four arrays of one entry per character were a third of the
 * extraction's cost).
 */
type Mapped = {
  s: string;
  from: number[];
  to: number[];
  obf: boolean[];
  wide: boolean[];
  identity: boolean;
  /** For an identity map: the input, whose full-width characters `s` holds folded. */
  source: string;
};

/** Full-width forms and the ideographic space: what `foldWidth` folds. */
const WIDE = /[\uFF01-\uFF5E\u3000]/;
const WIDE_ALL = /[\uFF01-\uFF5E\u3000]/g;
const isWideUnit = (c: number): boolean => (c >= 0xff01 && c <= 0xff5e) || c === 0x3000;
/** NFKC of U+FF01–U+FF5E is U+0021–U+007E and of U+3000 a space: one unit for one unit. */
const foldWide = (c: string): string => String.fromCharCode(c === '\u3000' ? 0x20 : c.charCodeAt(0) - 0xfee0);

/**
 * Fold full-width forms to ASCII, keeping the map to the original offsets
 * (each folds to one unit, as NFKC would fold it: checked when this module loads).
 * `。` and `｡` are not folded here: they are dots only between ASCII labels.
 * Only the Halfwidth and Fullwidth Forms block and the ideographic space: NFKC of other
 * characters (ligatures, ㍿, circled digits) is not how URLs are disguised, and keeps the text.
 */
function foldWidth(text: string): Mapped {
  const s = WIDE.test(text) ? text.replace(WIDE_ALL, foldWide) : text;
  return { s, from: [], to: [], obf: [], wide: [], identity: true, source: text };
}
for (let c = 0xff01; c <= 0xff5e; c++) {
  const ch = String.fromCharCode(c);
  if (foldWide(ch) !== ch.normalize('NFKC'))
    throw new Error(`foldWide disagrees with NFKC at U+${c.toString(16)}`);
}
if (foldWide('\u3000') !== '\u3000'.normalize('NFKC'))
  throw new Error('foldWide disagrees with NFKC at U+3000');

/** The arrays of an identity map, one entry per unit (a surrogate pair's two units both span the pair). */
function materialise(m: Mapped): Mapped {
  if (!m.identity) return m;
  const out: Mapped = { s: m.s, from: [], to: [], obf: [], wide: [], identity: false, source: '' };
  const text = m.source;
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    for (let k = 0; k < len; k++) {
      out.from.push(i);
      out.to.push(i + len);
      out.obf.push(false);
      out.wide.push(isWideUnit(cp));
    }
    i += len;
  }
  return out;
}

/** Where the unit at `i` of an identity map starts: a low surrogate after a high one belongs to the pair. */
function pairStart(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c >= 0xdc00 && c <= 0xdfff && i > 0) {
    const h = s.charCodeAt(i - 1);
    if (h >= 0xd800 && h <= 0xdbff) return i - 1;
  }
  return i;
}

function fromOf(m: Mapped, i: number): number {
  return m.identity ? pairStart(m.s, i) : m.from[i]!;
}

function toOf(m: Mapped, i: number): number {
  if (!m.identity) return m.to[i]!;
  const start = pairStart(m.s, i);
  return start + (m.s.codePointAt(start)! > 0xffff ? 2 : 1);
}

/** Replace every match of `re` (global) by `replace(match)`, keeping the offset map; the new characters count as de-obfuscated. */
function rewrite(m: Mapped, re: RegExp, replace: (match: RegExpExecArray) => string | undefined): Mapped {
  let out: Mapped | undefined;
  let last = 0;
  re.lastIndex = 0;
  for (let match = re.exec(m.s); match !== null; match = re.exec(m.s)) {
    if (match[0] === '') {
      re.lastIndex++;
      continue;
    }
    const replacement = replace(match);
    if (replacement === undefined) continue;
    if (out === undefined) {
      m = materialise(m);
      out = { s: '', from: [], to: [], obf: [], wide: [], identity: false, source: '' };
    }
    copy(m, out, last, match.index);
    const end = match.index + match[0].length;
    for (let k = 0; k < replacement.length; k++) {
      out.from.push(m.from[match.index]!);
      out.to.push(m.to[end - 1]!);
      out.obf.push(true);
      out.wide.push(m.wide[match.index]!);
    }
    out.s += replacement;
    last = end;
  }
  if (out === undefined || last === 0) return m;
  copy(m, out, last, m.s.length);
  return out;
}

function copy(m: Mapped, out: Mapped, start: number, end: number): void {
  out.s += m.s.slice(start, end);
  for (let i = start; i < end; i++) {
    out.from.push(m.from[i]!);
    out.to.push(m.to[i]!);
    out.obf.push(m.obf[i]!);
    out.wide.push(m.wide[i]!);
  }
}

/**
 * Short English words that stand before a link in ordinary text. A piece in
 * this list is never glued onto the domain after it (`visit example.com` is
 * example.com, not visitexample.com). A hand list because a dictionary would
 * be a large download for a small rule.
 */
const STOPWORDS: ReadonlySet<string> = new Set(
  (
    'a an the to at on in of or and for from via by is are was be see go get use our your my its it this that ' +
    'here now new free win tap call text open link site page web app url www sign log login up off out all any ' +
    'com dot pls plz visit click check more info help us me we you i no yes not top best hot buy pay sale ' +
    'can will just only must has have had do does did got let view read show try find tel fax mail news home ' +
    'shop deal code bank card menu list form when then than with into onto as if so but what how why who he she'
  ).split(' '),
);

/**
 * Public suffixes a domain written with a space beside its dot may end in
 * (`amazon .co.jp`, `example. com`). Kept short on purpose: the Public Suffix
 * List holds words (.store, .live, .thanks is not one but .fun is) that end
 * English sentences, and `shop. Store hours` must stay a sentence.
 */
const SPACED_SUFFIX_LIST = [
  'com',
  'net',
  'org',
  'info',
  'biz',
  'jp',
  'co.jp',
  'ne.jp',
  'or.jp',
  'ac.jp',
  'go.jp',
  'xyz',
  'top',
  'io',
  'me',
  'cn',
  'ru',
  'cc',
  'tk',
  'icu',
  'shop',
  'site',
  'online',
  'club',
  'vip',
  'link',
];
const SPACED_SUFFIX_SET: ReadonlySet<string> = new Set(SPACED_SUFFIX_LIST);
const SPACED_SUFFIXES = SPACED_SUFFIX_LIST.map((x) => x.replace('.', '\\.')).join('|');

/** A space beside the dot before a common suffix: "amazon .co.jp", "example. com", "example . com". */
const SPACED_SUFFIX_DOT = new RegExp(
  `(?<=[A-Za-z0-9])(?: +\\. *|\\. +)(?=(?:${SPACED_SUFFIXES})(?![A-Za-z0-9.-]|\\.[A-Za-z]))`,
  'g',
);

const SPLIT_URL =
  /(?<=https?:\/\/[!-~]{0,253})(?: {1,2}(?=[./][A-Za-z0-9])|(?<=\.|:\/\/) {1,2}(?=[A-Za-z0-9]))/g;
const SPLIT_URL_HINT = /:\/\/(?: |[!-~]{1,253} {1,2}[./][A-Za-z0-9]|[!-~]{0,253}\. {1,2}[A-Za-z0-9])/;

function deobfuscate(text: string): Mapped {
  let m = foldWidth(text);
  // Schemes: hxxp, h**p, hXXp, h__p, ttp (no h); with :// or a defanged [:]// or [://], or with the
  // colon dropped or spaced out (`http //`, `https: //`, `http:/ /`), as lure kits write to dodge link filters.
  m = rewrite(
    m,
    /(?<![A-Za-z0-9])(?:h(?:xx|XX|\*\*|__|tt)|tt)p(s?)(?:\[:\]\/\/|\[:\/\/\]|:\/\/| {0,2}: {0,2}\/ ?\/| {1,2}\/ ?\/)/gi,
    (x) => {
      const canonical = `http${x[1]!.toLowerCase()}://`;
      return x[0].toLowerCase() === canonical ? undefined : canonical;
    },
  );
  // OCR (the SpamHunter texts) and link-filter dodges split a URL after its scheme with spaces beside a dot
  // or slash (`http://www .payment.example.co.jp /x`, `http:// www.example.com`): inside a URL that has a
  // scheme, a space right after its `//` or a dot, or right before a dot or slash that a label follows, is
  // dropped (not one after a path's slash: `http://a/ http://b/` are two URLs) — a
  // pass per split, at most four (only texts with `:// ` or ` .`/` /` after a scheme pay for it).
  for (let pass = 0; pass < 4 && SPLIT_URL_HINT.test(m.s); pass++) {
    const joined = rewrite(m, SPLIT_URL, () => '');
    if (joined === m) break;
    m = joined;
  }
  // Bracketed dots anywhere: a sentence never writes [.] or [dot].
  m = rewrite(m, /\s?(?:\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}|<dot>)\s?/gi, () => '.');
  // The ideographic full stop and " dot " between ASCII labels (not after a common word: "the dot com era").
  m = rewrite(m, /(?<=[A-Za-z0-9])[。｡](?=[A-Za-z0-9])/g, () => '.');
  const before = m;
  m = rewrite(m, / +(?:dot|DOT|Dot) +(?=[A-Za-z0-9])/g, (x) => {
    const word = /[A-Za-z0-9-]{1,63}$/.exec(before.s.slice(Math.max(0, x.index - 63), x.index))?.[0];
    return word === undefined || STOPWORDS.has(word.toLowerCase()) ? undefined : '.';
  });
  // A space beside the dot before a common suffix: "amazon .co.jp", "example. com", "example . com".
  m = rewrite(m, SPACED_SUFFIX_DOT, () => '.');
  return m;
}

// A URL with a scheme; the authority may hold any letters (IDN) and an '@', the path is ASCII so
// Japanese text right after it (…/loginにアクセス) ends it.
const SCHEME_URL =
  /(?<![A-Za-z0-9])(?:https?|ftp):\/\/([^\s/?#<>"'`\\^{|}\p{Ps}\p{Pe}\p{Pi}\p{Pf}]+)([/?#][!-~]*)?/giu;
// A bare host: ASCII labels (xn-- included), or labels with letters of any script ending in an
// ASCII suffix (例え.jp); then an optional port and path. The lookbehind keeps e-mail domains out.
// Labels are counted ({1,16}: real hosts have a handful): unbounded, a 100 KB run of `ab.cd.` matched as
// one host whose labels were then stripped one PSL lookup at a time — seconds of CPU for one message.
const BARE_HOST =
  /(?<![\p{L}\p{N}@._\-/])(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.){1,16}[A-Za-z][A-Za-z0-9-]{1,62}(?![A-Za-z0-9-])(?::\d{1,5})?([/?#][!-~]*)?/gu;
const BARE_ASCII_TAIL =
  /(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,16}[A-Za-z][A-Za-z0-9-]{1,62}$/;
const TRAILING = '.,;:!?\'")]}>*';

/** Drop punctuation that ends a sentence rather than the URL; keep a `)` closing a `(` inside it. */
function trimEnd(url: string): string {
  let end = url.length;
  while (end > 0 && TRAILING.includes(url[end - 1]!)) {
    if (url[end - 1] === ')' && count(url.slice(0, end), '(') >= count(url.slice(0, end), ')')) break;
    end--;
  }
  return url.slice(0, end);
}

function count(s: string, c: string): number {
  let n = 0;
  for (let i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + 1)) n++;
  return n;
}

/**
 * Whether an ASCII or Unicode host name has a known public suffix and a registrable part (or is an
 * IPv4 literal). A pure function of the host, and a campaign's hosts repeat: each answer is kept in a
 * bounded LRU cache (the Public Suffix List lookup was a tenth of the extraction's cost).
 */
function validHost(host: string): boolean {
  // Only host-sized strings are kept: a DNS name has at most 253 characters, and 100 KB of dotted
  // words must not fill the cache with 100 KB keys.
  if (host.length > 253) return findValidHost(host);
  const known = validHosts.get(host);
  if (known !== undefined) return known;
  const valid = findValidHost(host);
  validHosts.set(host, valid);
  return valid;
}

/** Hosts `validHost` has seen (4096, least recently used out). */
const validHosts = new LruCache<string, boolean>(4096);

function findValidHost(host: string): boolean {
  if (/^\d{1,3}(?:\.\d{1,3}){3}$/.test(host)) return true;
  const info = parse(host);
  if (info.isIp) return false;
  const tld = host.slice(host.lastIndexOf('.') + 1).toLowerCase();
  if (tld === 'example' || tld === 'test') return host.includes('.');
  return (info.isIcann === true || info.isPrivate === true) && !!info.domain;
}

/**
 * The longest prefix of a scheme URL's authority that ends before a switch
 * from ASCII to another script (or at its end) and is a valid host:
 * `evil.comへ` → `evil.com`, `例え.jpに` → `例え.jp`.
 */
function authorityPrefix(authority: string): string | undefined {
  const ends = [authority.length];
  for (let i = authority.length - 1; i > 0; i--)
    if (authority.charCodeAt(i) > 0x7f && authority.charCodeAt(i - 1) <= 0x7f) ends.push(i);
  for (const end of ends) {
    const candidate = authority.slice(0, end).replace(/\.+$/, '');
    const host = candidate
      .slice(candidate.lastIndexOf('@') + 1)
      .replace(/:\d*$/, '')
      .toLowerCase();
    if (host !== '' && validHost(host)) return candidate;
  }
  return undefined;
}

/**
 * Glue the pieces written before a bare domain when spaces split its first
 * label (`exa mple.com`, `p a y p a l.com`): each piece is 1–4 lower-case
 * ASCII letters or digits, not a common English word (STOPWORDS), one
 * space apart, at most 12 pieces, and the joined label stays ≤ 63
 * characters. Scammers split inside a word; ordinary text puts whole words
 * before a link, and short whole words are the stop list. Returns the new
 * start offset in `s` (unchanged when nothing is glued).
 */
function joinSpaces(s: string, start: number, firstLabel: string): number {
  const pieces: string[] = [];
  let begin = start;
  let length = firstLabel.length;
  while (pieces.length < 12 && s[begin - 1] === ' ') {
    const piece = /(?:^|[^A-Za-z0-9.@/_-])([a-z0-9]{1,4})$/.exec(
      s.slice(Math.max(0, begin - 6), begin - 1),
    )?.[1];
    if (piece === undefined || length + piece.length > 63) break;
    pieces.push(piece);
    length += piece.length;
    begin -= piece.length + 1;
  }
  // Letter spacing (`p a y p a l.com`): every piece one character, so `a` and `i` are letters, not words.
  if (pieces.length >= 2 && firstLabel.length === 1 && pieces.every((p) => p.length === 1)) return begin;
  let glued = start;
  for (const piece of pieces) {
    if (STOPWORDS.has(piece)) break;
    glued -= piece.length + 1;
  }
  return glued;
}

/**
 * URLs and bare domains in free Japanese or English text, de-obfuscated,
 * in order of appearance, each with its canonical form (see `ExtractedUrl`).
 * Never throws; linear in the text's length; at most `MAX_URLS` results.
 *
 * @example extractUrls('至急 hxxps://example[.]com/login へ')
 * // [{ url: 'https://example.com/login', raw: 'hxxps://example[.]com/login', obfuscated: true, index: 3, … }]
 */
export function extractUrls(text: string): ExtractedUrl[] {
  if (typeof text !== 'string' || text === '') return [];
  const m = deobfuscate(text);
  const s = m.s;
  const found: ExtractedUrl[] = [];
  const taken: [number, number][] = [];
  SCHEME_URL.lastIndex = 0;
  for (let x = SCHEME_URL.exec(s); x !== null; x = SCHEME_URL.exec(s)) {
    if (found.length >= MAX_URLS) break;
    taken.push([x.index, x.index + x[0].length]);
    const authority = authorityPrefix(x[1]!);
    if (authority === undefined) continue;
    const scheme = x[0].slice(0, x[0].indexOf('://') + 3);
    const candidate =
      authority === x[1] ? trimEnd(`${scheme}${authority}${x[2] ?? ''}`) : `${scheme}${authority}`;
    const at = authority.lastIndexOf('@');
    add(found, text, m, x.index, candidate, at >= 0 ? authority.slice(0, at) : undefined);
  }
  SCHEME_URL.lastIndex = 0;
  // Every bare host holds a dot outside the scheme URLs (often there is none left).
  const rest = s.includes('.') ? blank(s, taken) : '';
  if (rest.includes('.')) {
    for (const x of rest.matchAll(BARE_HOST)) {
      if (found.length >= MAX_URLS) break;
      const candidate = trimEnd(x[0]);
      const host = candidate.split(/[/?#:]/, 1)[0]!;
      // Japanese text runs into an ASCII domain without a space: `詳しくはexample.jp` is example.jp.
      let start = x.index;
      let url = candidate;
      if (/\P{ASCII}/u.test(host) && (/\P{ASCII}[A-Za-z0-9]/u.test(host) || !validHost(host))) {
        const tail = BARE_ASCII_TAIL.exec(host);
        if (!tail) continue;
        start += tail.index;
        url = candidate.slice(tail.index);
      }
      let bareHost = url.split(/[/?#:]/, 1)[0]!;
      let end = x.index + candidate.length;
      // `www.Ldew.com.subs16+1win`: the domain ends before a label that is no suffix; the path goes with it.
      while (!validHost(bareHost.toLowerCase()) && bareHost.indexOf('.') !== bareHost.lastIndexOf('.')) {
        bareHost = bareHost.slice(0, bareHost.lastIndexOf('.'));
        url = bareHost;
        end = start + url.length;
      }
      // `out.It works`: a capitalised last label is a sentence missing its space, not a domain
      // (people write EXAMPLE.COM or Example.com, hardly ever example.Com).
      if (/\.[A-Z][a-z]+$/.test(bareHost) || !validHost(bareHost.toLowerCase())) continue;
      // Glue split pieces only onto a suffix links commonly use: chat joins sentences with a dot
      // (`ill drink.pa then`, `2 days.so you`), and .pa or .so there is a word, not a suffix.
      if (
        /^\p{ASCII}*$/u.test(bareHost) &&
        SPACED_SUFFIX_SET.has(parse(bareHost.toLowerCase()).publicSuffix ?? '')
      ) {
        const glued = joinSpaces(s, start, bareHost.split('.', 1)[0]!);
        if (glued < start) {
          url = s.slice(glued, start).replace(/ /g, '') + url;
          start = glued;
        }
      }
      add(found, text, m, start, url, undefined, end);
    }
  }
  found.sort((a, b) => a.index - b.index);
  return found;
}

/** Canonicalise and record one candidate found at `start` in the rewritten text; drop it when normaliseUrl refuses it. */
function add(
  found: ExtractedUrl[],
  text: string,
  m: Mapped,
  start: number,
  candidate: string,
  userinfo: string | undefined,
  end = start + candidate.length,
): void {
  let url: string;
  try {
    url = normaliseUrl(candidate);
  } catch {
    return;
  }
  const host = /^[^:]+:\/\/([^/?]+)/.exec(url)?.[1] ?? '';
  let obfuscated = false;
  let fullWidth = false;
  if (!m.identity)
    for (let i = start; i < end; i++) {
      if (m.obf[i]) obfuscated = true;
      if (m.wide[i]) fullWidth = true;
    }
  else if (m.s !== m.source)
    for (let i = start; i < end; i++) if (isWideUnit(m.source.charCodeAt(i))) fullWidth = true;
  // Spaces glued out of the middle of a domain are obfuscation even though no rewrite made them.
  if (/ /.test(m.s.slice(start, end))) obfuscated = true;
  const index = fromOf(m, start);
  const raw = text.slice(index, toOf(m, end - 1));
  // Spaces the split-URL rule removed (`http:// www.example.com`) leave no rewritten character behind.
  if (!obfuscated && / /.test(raw)) obfuscated = true;
  const entry: ExtractedUrl = {
    url,
    raw,
    obfuscated,
    bare: !/^[a-z][a-z0-9+.-]*:\/\//i.test(candidate),
    fullWidth,
    index,
    host,
    unicodeHost: host.includes('xn--') ? domainToUnicode(host) || host : host,
    shortener: isShortenerHost(host),
  };
  if (userinfo !== undefined) entry.userinfo = userinfo;
  found.push(entry);
}

/** Blank out spans already taken, keeping offsets. */
function blank(s: string, spans: readonly [number, number][]): string {
  if (spans.length === 0) return s;
  let out = '';
  let last = 0;
  for (const [a, b] of spans) {
    out += s.slice(last, a) + ' '.repeat(b - a);
    last = b;
  }
  return out + s.slice(last);
}
