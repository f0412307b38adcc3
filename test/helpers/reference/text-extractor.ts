// Frozen copy of src/text-extractor.ts as of commit b41345a (issue 9, performance): the reference the optimised
// version must match output for output (see its *.equivalence.test.ts). Do not optimise or change.
import { searchPhoneNumbersInText } from 'libphonenumber-js/max';
import type { ExtractTools, IndicatorRef } from '../../../src/core/index.ts';
import { asciiHostname, registrableDomain } from '../../../src/intel/normalise-domain.ts';

/** Longest text scanned; the rest is ignored (message bodies are capped far below this). */
export const MAX_TEXT_LENGTH = 100_000;

/**
 * Most indicators of one kind taken from one text. A text with more is
 * already unusual; the bound keeps an adversarial 10 000-character message
 * from costing more than a few milliseconds.
 */
export const MAX_PER_KIND = 50;

// A URL with a scheme; the host may hold any letters (IDN), the rest is ASCII, so
// Japanese text right after a URL (…/loginにアクセス) ends it.
const SCHEME_URL =
  /\b(?:https?|hxxps?|ftp):\/\/([^\s/?#<>"'`\\^{|}\p{Ps}\p{Pe}\p{Pi}\p{Pf}]+)([/?#][!-~]*)?/giu;
// The lookbehind starts a match only where a local part can start, and the bounded run keeps a long
// run of letters without '@' linear rather than quadratic.
const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?![A-Za-z0-9-])/g;
// A bare host name with an alphabetic (or punycode) top-level domain, then an optional port and path.
const BARE_URL =
  /(?<![A-Za-z0-9@._\-/])(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})(?![A-Za-z0-9-])(?::\d{1,5})?(?:[/?#][!-~]*)?/g;
const TRAILING_CHARS = '.,;:!?\'")]}>*';
const DEFANG = /\[\.\]|\(\.\)|\{\.\}|\[dot\]/gi;

/**
 * Prepare free text for matching: NFKC (full-width letters, digits and
 * punctuation become ASCII: `ｈｔｔｐｓ：／／…` is a URL) and common
 * defanging undone (`hxxp`, `[.]`), as analysts write indicators.
 */
function prepare(text: string): string {
  return text
    .slice(0, MAX_TEXT_LENGTH)
    .normalize('NFKC')
    .replace(DEFANG, '.')
    .replace(/\bhxxp/gi, 'http');
}

/** Drop punctuation that ends a sentence rather than the URL; keep a `)` that closes a `(` inside it. */
function trimUrl(url: string): string {
  let end = url.length;
  let open = -1;
  let close = 0;
  while (end > 0 && TRAILING_CHARS.includes(url[end - 1]!)) {
    if (url[end - 1] === ')') {
      if (open < 0) {
        open = countOf(url, '(');
        close = countOf(url, ')');
      }
      if (open >= close) break;
      close--;
    }
    end--;
  }
  return url.slice(0, end);
}

function countOf(s: string, c: string): number {
  let n = 0;
  for (const ch of s) if (ch === c) n++;
  return n;
}

/**
 * The longest prefix of a host that ends before a switch from ASCII to
 * other script (or at its end) and has a known public suffix: `例え.jpに`
 * → `例え.jp`, `evil.comへ` → `evil.com`.
 */
function hostPrefix(host: string): string | undefined {
  // A pure function of the host, and the hosts of a campaign's messages repeat: each is worked out once
  // (IDN conversion and the Public Suffix List were a sixth of a message's screening; issue 8, item 10).
  const known = hostPrefixes.get(host);
  if (known !== undefined) return known ?? undefined;
  const prefix = findHostPrefix(host);
  if (hostPrefixes.size >= HOST_PREFIXES) hostPrefixes.delete(hostPrefixes.keys().next().value!);
  hostPrefixes.set(host, prefix ?? null);
  return prefix;
}

/** Hosts `hostPrefix` has seen, oldest first, and their prefix (null: none). */
const hostPrefixes = new Map<string, string | null>();
const HOST_PREFIXES = 4096;

function findHostPrefix(host: string): string | undefined {
  const ends: number[] = [host.length];
  for (let i = host.length - 1; i > 0; i--) {
    if (host.charCodeAt(i) > 0x7f && host.charCodeAt(i - 1) <= 0x7f) ends.push(i);
  }
  for (const end of ends) {
    const candidate = host.slice(0, end).replace(/\.+$/, '');
    const bare = candidate.slice(candidate.lastIndexOf('@') + 1).replace(/:\d+$/, '');
    const ascii = asciiHostname(bare);
    if (typeof ascii === 'string' && (isIpLike(ascii) || typeof registrableDomain(ascii) === 'string'))
      return candidate;
  }
  return undefined;
}

function isIpLike(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.startsWith('[');
}

/** Blank out spans already taken, keeping offsets and word boundaries. */
function blank(text: string, spans: readonly string[]): string {
  let out = text;
  for (const s of spans) out = out.replace(s, ' '.repeat(s.length));
  return out;
}

/**
 * URLs in free text, Japanese and English (measures I1, T1): with a scheme
 * (also full-width, also defanged `hxxp`) or without one (`evil.example.com/x`,
 * `bit.ly/abc`, when the top-level domain is a real one). Japanese text
 * directly after a URL ends it. Returns the raw URLs, in order, unnormalised.
 */
export function findUrls(text: string): string[] {
  return scan(prepare(text)).urls;
}

/** E-mail addresses in free text (full-width `＠` included). */
export function findEmails(text: string): string[] {
  return scan(prepare(text)).emails;
}

/** Phone numbers in free text as E.164 (Japanese formats, full-width digits, `ー` as hyphen). */
export function findPhones(text: string): string[] {
  return scan(prepare(text)).phones;
}

function scan(text: string): { urls: string[]; emails: string[]; phones: string[] } {
  const urls: string[] = [];
  const taken: string[] = [];
  for (const m of text.matchAll(SCHEME_URL)) {
    if (urls.length >= MAX_PER_KIND) break;
    const host = hostPrefix(m[1]!);
    taken.push(m[0]);
    if (host === undefined) continue;
    const scheme = m[0].slice(0, m[0].indexOf('://') + 3);
    const url = host === m[1] ? trimUrl(`${scheme}${host}${m[2] ?? ''}`) : `${scheme}${host}`;
    urls.push(url);
  }
  let rest = blank(text, taken);
  const emails: string[] = [];
  // Each pattern needs a character most text lacks ('@', '.'): text without it skips the pattern.
  if (rest.includes('@'))
    for (const m of rest.matchAll(EMAIL)) {
      if (emails.length >= MAX_PER_KIND) break;
      emails.push(trimUrl(m[0]));
    }
  rest = blank(rest, emails);
  const bare: string[] = [];
  if (rest.includes('.'))
    for (const m of rest.matchAll(BARE_URL)) {
      if (urls.length + bare.length >= MAX_PER_KIND) break;
      const url = trimUrl(m[0]);
      const host = url.split(/[/?#:]/, 1)[0]!;
      if (typeof registrableDomain(host.toLowerCase()) === 'string') bare.push(url);
    }
  urls.push(...bare);
  rest = blank(rest, bare);
  const phones: string[] = [];
  // libphonenumber's finder costs tens of microseconds even on text without a number; most text has none.
  if (hasDigits(rest, 9)) {
    for (const m of searchPhoneNumbersInText(rest, { defaultCountry: 'JP' })) {
      phones.push(m.number.number);
      if (phones.length >= MAX_PER_KIND) break;
    }
  }
  return { urls, emails, phones };
}

/** Whether `text` holds at least `n` ASCII digits (counted up to `n`). */
function hasDigits(text: string, n: number): boolean {
  let found = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57 && ++found >= n) return true;
  }
  return false;
}

/**
 * The URL indicator of a raw URL and its registrable-domain indicator (a
 * URL on a listed domain matches even when the exact URL is new).
 */
export function extractUrlIndicators(raw: string, tools: ExtractTools, field?: string): IndicatorRef[] {
  const url = tools.indicator('url', raw, field);
  if (!url) return [];
  const host = /^[^:]+:\/\/([^/?]+)/.exec(url.value)?.[1];
  if (!host || host.startsWith('[') || /^[\d.]+$/.test(host)) return [url];
  const domain = tools.indicator('domain', host, field);
  return domain ? [url, domain] : [url];
}

/**
 * Every URL (and its domain), e-mail address and phone number in free text,
 * as normalised indicator refs, each once. The text may be Japanese or English.
 *
 * @example extractTextIndicators('至急 https://evil.example.jp/login にアクセス', tools, 'text')
 * // [{ type: 'url', value: 'https://evil.example.jp/login', field: 'text' }, { type: 'domain', value: 'example.jp', … }]
 */
export function extractTextIndicators(text: string, tools: ExtractTools, field = 'text'): IndicatorRef[] {
  const found = scan(prepare(text));
  const refs: IndicatorRef[] = [];
  for (const u of found.urls) refs.push(...extractUrlIndicators(u, tools, field));
  for (const e of found.emails) {
    const ref = tools.indicator('email', e, field);
    if (ref) refs.push(ref);
  }
  for (const p of found.phones) {
    const ref = tools.indicator('phone', p, field);
    if (ref) refs.push(ref);
  }
  return uniqueRefs(refs);
}

/** Drop repeated refs (same type and value), keeping the first. */
export function uniqueRefs(refs: readonly IndicatorRef[]): IndicatorRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const key = `${r.type}\u0000${r.value}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
