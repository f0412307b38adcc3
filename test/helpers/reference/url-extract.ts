// Frozen copy of src/url-extract.ts as of commit b41345a (issue 9, performance): the reference the optimised
// version must match output for output (see its *.equivalence.test.ts). Do not optimise or change.
import { domainToUnicode } from 'node:url';
import { parse } from 'tldts';
import { normaliseUrl } from '../../../src/intel/normalise-url.ts';

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
 * whether it was written full width.
 */
type Mapped = { s: string; from: number[]; to: number[]; obf: boolean[]; wide: boolean[] };

/**
 * Fold full-width forms to ASCII character by character with NFKC, keeping
 * the map to the original offsets (a whole-string normalize() would lose it).
 * `。` and `｡` are not folded here: they are dots only between ASCII labels.
 */
function foldWidth(text: string): Mapped {
  const from: number[] = [];
  const to: number[] = [];
  const obf: boolean[] = [];
  const wide: boolean[] = [];
  let s = '';
  for (let i = 0; i < text.length; ) {
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    const ch = text.slice(i, i + len);
    // Only the Halfwidth and Fullwidth Forms block and the ideographic space: NFKC of other
    // characters (ligatures, ㍿, circled digits) is not how URLs are disguised, and keeps the text.
    const isWide = (cp >= 0xff01 && cp <= 0xff5e) || cp === 0x3000;
    const folded = isWide ? ch.normalize('NFKC') : ch;
    for (let k = 0; k < folded.length; k++) {
      from.push(i);
      to.push(i + len);
      obf.push(false);
      wide.push(isWide);
    }
    s += folded;
    i += len;
  }
  return { s, from, to, obf, wide };
}

/** Replace every match of `re` (global) by `replace(match)`, keeping the offset map; the new characters count as de-obfuscated. */
function rewrite(m: Mapped, re: RegExp, replace: (match: RegExpExecArray) => string | undefined): Mapped {
  const out: Mapped = { s: '', from: [], to: [], obf: [], wide: [] };
  let last = 0;
  re.lastIndex = 0;
  for (let match = re.exec(m.s); match !== null; match = re.exec(m.s)) {
    if (match[0] === '') {
      re.lastIndex++;
      continue;
    }
    const replacement = replace(match);
    if (replacement === undefined) continue;
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
  if (last === 0) return m;
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
  m = rewrite(
    m,
    new RegExp(
      `(?<=[A-Za-z0-9])(?: +\\. *|\\. +)(?=(?:${SPACED_SUFFIXES})(?![A-Za-z0-9.-]|\\.[A-Za-z]))`,
      'g',
    ),
    () => '.',
  );
  return m;
}

// A URL with a scheme; the authority may hold any letters (IDN) and an '@', the path is ASCII so
// Japanese text right after it (…/loginにアクセス) ends it.
const SCHEME_URL =
  /(?<![A-Za-z0-9])(?:https?|ftp):\/\/([^\s/?#<>"'`\\^{|}\p{Ps}\p{Pe}\p{Pi}\p{Pf}]+)([/?#][!-~]*)?/giu;
// A bare host: ASCII labels (xn-- included), or labels with letters of any script ending in an
// ASCII suffix (例え.jp); then an optional port and path. The lookbehind keeps e-mail domains out.
const BARE_HOST =
  /(?<![\p{L}\p{N}@._\-/])(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[A-Za-z][A-Za-z0-9-]{1,62}(?![A-Za-z0-9-])(?::\d{1,5})?([/?#][!-~]*)?/gu;
const BARE_ASCII_TAIL = /(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{1,62}$/;
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

/** Whether an ASCII or Unicode host name has a known public suffix and a registrable part (or is an IPv4 literal). */
function validHost(host: string): boolean {
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
  for (const x of s.matchAll(SCHEME_URL)) {
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
  if (s.includes('.')) {
    const rest = blank(s, taken);
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
    found.sort((a, b) => a.index - b.index);
  }
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
  for (let i = start; i < end; i++) {
    if (m.obf[i]) obfuscated = true;
    if (m.wide[i]) fullWidth = true;
  }
  // Spaces glued out of the middle of a domain are obfuscation even though no rewrite made them.
  if (/ /.test(m.s.slice(start, end))) obfuscated = true;
  const index = m.from[start]!;
  const entry: ExtractedUrl = {
    url,
    raw: text.slice(index, m.to[end - 1]!),
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
