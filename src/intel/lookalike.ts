import { domainToASCII, domainToUnicode } from 'node:url';
import { parse } from 'tldts';
import brandData from './data/brands.json' with { type: 'json' };
import { LATIN_LOOKALIKES } from './homoglyphs.ts';

/**
 * Look-alike brand domains (issue 9 item 2, `MESSAGE_URL_*`; measures I1, I3, P7): says whether a
 * URL or host imitates a protected brand — a near-miss spelling of the brand's name (`amazom.co.jp`),
 * letters swapped for look-alikes (`arnaz0n.com`, Cyrillic `аmazon.com` as punycode), or the brand's
 * name worn by someone else's domain (`amazon.co.jp.example.xyz`, `amazon-security.xyz`,
 * `example.com/amazon/login`). The brand's own registrable domains never match.
 *
 * The brand list (`data/brands.json`) is seeded from the spoofed-brand column of the JPCERT/CC
 * phishing URL data; the real domains and keywords in it are written and checked by hand.
 *
 * Written here rather than taken from a library: the npm look-alike packages either pull the full
 * Unicode confusables table (which folds Japanese punctuation and digits too, and weighs megabytes)
 * or score against a global top-sites list rather than our brand list; what we need is a small
 * fixed table plus edit distance, a few dozen lines.
 */

/** How a host imitates a brand. `embedded`: the brand's name is a word of the registrable label (`amazon-login.com`). */
export type LookalikeKind = 'edit' | 'homoglyph' | 'idn' | 'subdomain' | 'path' | 'embedded';

export interface Lookalike {
  /** The brand's name as in `brands.json` (the JPCERT description: `Amazon`, `三井住友カード`). */
  brand: string;
  kind: LookalikeKind;
  /** A sentence in English naming what matched, for the analyst. */
  evidence: string;
}

export interface Brand {
  name: string;
  /** Registrable domains the brand owns: never a look-alike, for any brand. */
  domains: readonly string[];
  /** Registrable domains the brand owns but lets anyone host on (`amazonaws.com`): no name check there, subdomain and path checks still run. */
  platforms: readonly string[];
  /** ASCII names a look-alike imitates (lower case, may hold hyphens). */
  keywords: readonly string[];
  /** Keywords that are common words (apple, mizuho): matched only whole, never by edit distance or inside a longer name. */
  strict: readonly string[];
}

export const BRANDS: readonly Brand[] = Object.freeze(
  brandData.brands.map((b) =>
    Object.freeze({
      name: b.name,
      domains: Object.freeze([...b.domains]),
      platforms: Object.freeze([...(('platforms' in b && b.platforms) || [])]),
      keywords: Object.freeze([...b.keywords]),
      strict: Object.freeze([...(('strict' in b && b.strict) || [])]),
    }),
  ),
);

// Homoglyphs folded to Latin: Cyrillic, Greek and Latin-extended letters that render like an ASCII
// letter in common fonts (a hand-picked subset of Unicode confusables.txt — the full table folds
// legitimate Japanese characters too), and the digit–letter swaps of phishing kits. Host names
// reach here lower-cased by IDNA, so only lower-case forms are needed. i, l, 1 and | all fold to
// `l`: they are the same stroke in many fonts. `rn` and `vv` fold to `m` and `w`.
const CONFUSABLES: Readonly<Record<string, string>> = Object.freeze({
  ...LATIN_LOOKALIKES,
  // In a host, i, l, 1 and | are one stroke: all fold to `l`.
  і: 'l',
  ї: 'l',
  ι: 'l',
  ı: 'l',
  i: 'l',
  '1': 'l',
  '|': 'l',
  '0': 'o',
  '5': 's',
});
const CONFUSABLE = new RegExp(`[${Object.keys(CONFUSABLES).join('').replace('|', '\\|')}]`, 'gu');

/**
 * The skeleton of a label: NFKC, accents dropped, look-alikes folded to one Latin letter, hyphens
 * dropped. Two labels with the same skeleton look the same to a reader.
 */
export function skeleton(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(CONFUSABLE, (c) => CONFUSABLES[c] ?? c)
    .replace(/rn/g, 'm')
    .replace(/vv/g, 'w')
    .replace(/-/g, '');
}

/**
 * Damerau–Levenshtein distance (optimal string alignment: transpositions of neighbours count 1),
 * stopping early once every cell of a row exceeds `max`; returns `max + 1` then.
 */
export function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (bagDistance(a, b) > max) return max + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]!;
}

/** Letter counts of one string, zeroed again after each use (ASCII only). */
const BAG = new Int16Array(128);

/**
 * A lower bound of the edit distance, in one pass and no allocation (issue 9 round 2: the cold cost of
 * the brand loop): letters of one string the other lacks, counted as multisets. A substitution adds
 * at most one to each side, an insertion or deletion one to one side, a transposition nothing. Zero
 * (no bound) when either string has a non-ASCII character.
 */
function bagDistance(a: string, b: string): number {
  for (let i = 0; i < a.length; i++) if (a.charCodeAt(i) >= 128) return 0;
  for (let i = 0; i < b.length; i++) if (b.charCodeAt(i) >= 128) return 0;
  for (let i = 0; i < a.length; i++) {
    const c = a.charCodeAt(i);
    BAG[c] = (BAG[c] as number) + 1;
  }
  let missing = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i);
    const n = BAG[c] as number;
    if (n > 0) BAG[c] = n - 1;
    else missing++;
  }
  for (let i = 0; i < a.length; i++) BAG[a.charCodeAt(i)] = 0;
  const extra = a.length - (b.length - missing);
  return Math.max(missing, extra);
}

/**
 * Edits allowed by a keyword's length: none up to 5 letters (`aeon`, `plala` → plaza, `tepco` → tempo
 * have too many innocent neighbours), 1 up to 8, 2 beyond.
 */
function allowedEdits(length: number): number {
  if (length <= 5) return 0;
  return length <= 8 ? 1 : 2;
}

/**
 * Keywords shorter than this (`au`, `jcb`, `nhk`, `nta`) are country codes or parts of many names:
 * they match only as a whole registrable label under a generic suffix, or by look-alike letters.
 */
const TINY_KEYWORD = 4;
/** Keywords this short or shorter match only whole (see `strict` in brands.json). */
const SHORT_KEYWORD = 4;
/** Keywords this long or longer match inside a longer label (`amazonsecurity`); shorter ones hide in ordinary words. */
const SUBSTRING_KEYWORD = 6;

interface PreparedKeyword {
  brand: string;
  keyword: string;
  /** Hyphens dropped. */
  plain: string;
  skeleton: string;
  /** Matched only whole: no edit distance, never inside a longer name. */
  strict: boolean;
  tiny: boolean;
}

const OWN_DOMAINS: ReadonlySet<string> = new Set(BRANDS.flatMap((b) => b.domains));
const PLATFORMS: ReadonlySet<string> = new Set(BRANDS.flatMap((b) => b.platforms));
const KEYWORDS: readonly PreparedKeyword[] = BRANDS.flatMap((b) =>
  b.keywords.map((keyword) => {
    const plain = keyword.replace(/-/g, '');
    return {
      brand: b.name,
      keyword,
      plain,
      skeleton: skeleton(keyword),
      strict: plain.length <= SHORT_KEYWORD || b.strict.includes(keyword),
      tiny: plain.length < TINY_KEYWORD,
    };
  }),
);
/** Brand top-level domains (`.microsoft`, `.jcb`): only the brand registers names under them. */
const BRAND_TLDS: ReadonlySet<string> = new Set(KEYWORDS.map((k) => k.plain));
const BRAND_DOMAINS: readonly { brand: string; domain: string; dotted: string; hyphened: string }[] =
  BRANDS.flatMap((b) =>
    b.domains.map((domain) => ({
      brand: b.name,
      domain,
      // Built once: `fromSubdomain` looks for `.smbc.co.jp.` and `.smbc-co-jp.` in every subdomain.
      dotted: `.${domain}.`,
      hyphened: `.${domain.replace(/\./g, '-')}.`,
    })),
  );

/** Inputs longer than this are no URL a message carries; checked on their first part only. */
const MAX_INPUT = 4096;

interface Parts {
  /** ASCII (punycode) host. */
  host: string;
  /** Registrable domain (eTLD+1, ICANN suffixes only), or undefined for IP addresses and bare suffixes. */
  domain: string | undefined;
  suffix: string;
  /** The registrable domain's label without its suffix, ASCII and Unicode. */
  label: string;
  unicodeLabel: string;
  /** Labels left of the registrable domain. */
  subdomain: string;
  path: string;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

function split(input: string): Parts | undefined {
  const text = input.slice(0, MAX_INPUT).trim();
  if (text === '') return undefined;
  let host: string;
  let path = '';
  if (SCHEME.test(text) || text.includes('/')) {
    let url: URL;
    try {
      url = new URL(SCHEME.test(text) ? text : `http://${text}`);
    } catch {
      return undefined;
    }
    host = url.hostname;
    path = url.pathname;
  } else {
    host = domainToASCII(text.replace(/\.$/, ''));
  }
  if (host === '') return undefined;
  // tldts (Public Suffix List, ICANN section only: `amazon.github.io` is a subdomain of github.io, not its own site).
  const info = parse(host, { allowPrivateDomains: false });
  const label = info.isIp ? '' : (info.domainWithoutSuffix ?? '');
  return {
    host,
    domain: info.isIp ? undefined : (info.domain ?? undefined),
    suffix: info.publicSuffix ?? '',
    label,
    unicodeLabel: label.startsWith('xn--') ? domainToUnicode(label) : label,
    subdomain: info.isIp ? '' : (info.subdomain ?? ''),
    path,
  };
}

function fromLabel(parts: Parts): Lookalike | undefined {
  const { label, unicodeLabel, domain, suffix } = parts;
  if (label === '') return undefined;
  const labelSkeleton = skeleton(unicodeLabel);
  const isIdn = unicodeLabel !== label;
  const plainLabel = label.replace(/-/g, '');
  for (const k of KEYWORDS)
    if (labelSkeleton === k.skeleton && isIdn)
      return {
        brand: k.brand,
        kind: 'idn',
        evidence: `${domain} is the internationalised name ${unicodeLabel}, which looks like ${k.keyword}`,
      };
  for (const k of KEYWORDS)
    if (labelSkeleton === k.skeleton && plainLabel !== k.plain)
      return {
        brand: k.brand,
        kind: 'homoglyph',
        evidence: `${label} looks like ${k.keyword} (same letter shapes)`,
      };
  // The brand's name under another suffix. Not under country codes (amazon.de, au.dk): brands hold
  // their name in many countries and a country code is no sign of fraud; phishing kits register
  // cheap generic suffixes (.xyz, .top, .shop).
  const countryCode = /(?:^|\.)[a-z]{2}$/.test(suffix);
  for (const k of KEYWORDS)
    if (plainLabel === k.plain && !countryCode && !k.tiny)
      return {
        brand: k.brand,
        kind: 'edit',
        evidence: `${domain} is ${k.keyword} under a suffix the brand does not own`,
      };
  // The nearest keyword wins (`paypai` is nearer PayPal than PayPay).
  let best: { k: PreparedKeyword; distance: number } | undefined;
  for (const k of KEYWORDS) {
    if (k.strict) continue;
    const max = Math.min(allowedEdits(k.plain.length), (best?.distance ?? 3) - 1);
    if (max <= 0) continue;
    const distance = editDistance(labelSkeleton, k.skeleton, max);
    if (distance > 0 && distance <= max) best = { k, distance };
  }
  if (best !== undefined)
    return {
      brand: best.k.brand,
      kind: 'edit',
      evidence: `${label} is ${best.distance} edit(s) from ${best.k.keyword}`,
    };
  const hyphened = `-${label}-`;
  for (const k of KEYWORDS) {
    // The name alone under a country code was let through above (amazon.de).
    if (k.strict || plainLabel === k.plain) continue;
    // A word of the label (`amazon-login`, `login-smbc-card`), or for long names any part of it (`amazonsecurity`).
    if (
      hyphened.includes(`-${k.keyword}-`) ||
      (k.plain.length >= SUBSTRING_KEYWORD && plainLabel.includes(k.plain))
    )
      return { brand: k.brand, kind: 'embedded', evidence: `${domain} holds the name ${k.keyword}` };
  }
  // A word of the label in look-alike letters (`amaz0n-co-jp`, `rnercari-login`).
  if (label.includes('-')) {
    const words = unicodeLabel.split('-').map(skeleton);
    for (const k of KEYWORDS)
      if (!k.strict && words.includes(k.skeleton))
        return {
          brand: k.brand,
          kind: 'homoglyph',
          evidence: `${domain} holds a word that looks like ${k.keyword}`,
        };
  }
  return undefined;
}

function fromSubdomain(parts: Parts): Lookalike | undefined {
  const { subdomain, domain } = parts;
  if (subdomain === '') return undefined;
  const sub = `.${subdomain}.`;
  for (const { brand, domain: own, dotted, hyphened } of BRAND_DOMAINS)
    if (sub.includes(dotted) || sub.includes(hyphened))
      return {
        brand,
        kind: 'subdomain',
        evidence: `${parts.host} puts ${own} in front of ${domain ?? 'another host'}`,
      };
  // The words of the labels, once (not per keyword): whole labels for strict keywords, and for the
  // others also the labels without hyphens and their hyphen-separated words.
  const labels = subdomain.split('.');
  const whole = new Set(labels);
  const loose = new Set(labels);
  for (const label of labels) {
    if (!label.includes('-')) continue;
    loose.add(label.replace(/-/g, ''));
    for (const w of label.split('-')) loose.add(w);
  }
  for (const k of KEYWORDS) {
    if (k.tiny) continue;
    const words = k.strict ? whole : loose;
    if (words.has(k.keyword) || words.has(k.plain))
      return {
        brand: k.brand,
        kind: 'subdomain',
        evidence: `${parts.host} uses ${k.keyword} as a subdomain of ${domain ?? 'another host'}`,
      };
  }
  return undefined;
}

function fromPath(parts: Parts): Lookalike | undefined {
  const path = parts.path.toLowerCase();
  if (path === '' || path === '/') return undefined;
  for (const { brand, domain } of BRAND_DOMAINS)
    if (path.includes(domain))
      return { brand, kind: 'path', evidence: `the path of ${parts.host} holds ${domain}` };
  // Whole path segments only (`/amazon/login`): brand names inside article slugs
  // (`/recipe/caramel-apple-cookie`, `/wiki/Microsoft_Reader`) are ordinary text.
  const segments = new Set(path.split('/'));
  for (const k of KEYWORDS)
    if (!k.tiny && (segments.has(k.keyword) || segments.has(k.plain)))
      return {
        brand: k.brand,
        kind: 'path',
        evidence: `the path of ${parts.host} holds the segment ${k.keyword}`,
      };
  return undefined;
}

/**
 * The brand a URL or host name imitates, or undefined. Accepts `https://…` URLs, scheme-less
 * `host/path` and bare hosts (ASCII, punycode or Unicode). Hosts on a brand's own registrable
 * domains never match. Never throws; malformed input gives undefined.
 */
export function lookalikeOf(urlOrHost: string): Lookalike | undefined {
  const parts = split(urlOrHost);
  if (parts === undefined) return undefined;
  if (parts.domain !== undefined && (OWN_DOMAINS.has(parts.domain) || BRAND_TLDS.has(parts.suffix)))
    return undefined;
  const onPlatform = parts.domain !== undefined && PLATFORMS.has(parts.domain);
  return (onPlatform ? undefined : fromLabel(parts)) ?? fromSubdomain(parts) ?? fromPath(parts);
}

/**
 * Whether a host is on a brand's own registrable domain (or under a brand TLD): never a look-alike,
 * and `url-risk.ts` does not hold the brand's own login paths against it. Platforms a brand lets anyone
 * host on (amazonaws.com) are not "own".
 */
export function isBrandOwnHost(host: string): boolean {
  const parts = split(host);
  return (
    parts !== undefined &&
    parts.domain !== undefined &&
    (OWN_DOMAINS.has(parts.domain) || BRAND_TLDS.has(parts.suffix))
  );
}

/**
 * The path check of `lookalikeOf` alone (`example.com/amazon/login`), for callers that cache the host's
 * answer and read only the path per URL. `host` must not be a brand's own (`isBrandOwnHost`).
 */
export function lookalikeInPath(host: string, path: string): Lookalike | undefined {
  const q = path.indexOf('?');
  return fromPath({
    host,
    domain: undefined,
    suffix: '',
    label: '',
    unicodeLabel: '',
    subdomain: '',
    path: (q >= 0 ? path.slice(0, q) : path).slice(0, MAX_INPUT),
  });
}

/**
 * The brand whose own registrable domain a host is on (`mail.rakuten.co.jp` → 楽天), or undefined
 * (the first brand listing it, for a domain two brands share). For the mail channel's brand checks.
 */
export function ownBrandOf(host: string): string | undefined {
  const parts = split(host);
  if (parts === undefined || parts.domain === undefined) return undefined;
  return BRANDS.find((b) => b.domains.includes(parts.domain as string))?.name;
}
