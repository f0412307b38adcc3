/**
 * What one extracted URL risks (issue 9 item 2, `MESSAGE_URL_*`; measures I1, I3, P7; the mail and web
 * channels reuse it): the URL model's probability, a brand look-alike (`lookalike.ts`), the hosting
 * platform of its host (free hosting, dynamic DNS, tunnels, shorteners), an IP-literal host, an `@`
 * decoy, and obfuscation. `riskScore` sums the default weights the way the message channel scores the
 * URL signals, so `eval-url.ts` measures exactly what a message with that one URL would get.
 * Round 2: the model does not judge hosts on popular sites (`isPopularHost`, the popularity prior).
 *
 * Cost: the host's share (look-alike ~20 µs cold, platform, the model's host features) is cached per
 * host, and the whole answer per canonical URL, in bounded LRU maps: a URL seen before costs one map
 * lookup.
 */

import { readFileSync } from 'node:fs';
import { parse } from 'tldts';
import { urlModel, urlParts } from '../ml/url-model.ts';
import platformData from './data/hosting-platforms.json' with { type: 'json' };
import { isBrandOwnHost, type Lookalike, lookalikeInPath, lookalikeOf } from './lookalike.ts';
import { LruCache } from './lru-cache.ts';
import type { ExtractedUrl } from './url-extract.ts';
import { isShortenerHost } from './url-extract.ts';

export const PLATFORM_KINDS = ['free_hosting', 'dynamic_dns', 'tunnel', 'shortener'] as const;
export type PlatformKind = (typeof PLATFORM_KINDS)[number];

export interface HostingPlatform {
  readonly kind: PlatformKind;
  /** The listed domain (`duckdns.org`) or shortener host. */
  readonly domain: string;
}

interface PlatformEntry {
  readonly kind: PlatformKind;
  readonly match: 'subdomain' | 'host';
}

const PLATFORMS: ReadonlyMap<string, PlatformEntry> = new Map(
  platformData.platforms.map((p) => [
    p.domain,
    { kind: p.kind as PlatformKind, match: p.match as PlatformEntry['match'] },
  ]),
);

/**
 * The hosting platform a host is on (the longest listed suffix wins), or undefined. `subdomain`
 * entries match only names under the domain (`x.duckdns.org`, not the service's own `duckdns.org`);
 * `host` entries that exact host (`sites.google.com`). Shorteners come from `SHORTENER_HOSTS`.
 *
 * @example hostingPlatformOf('abc.duckdns.org') // → { kind: 'dynamic_dns', domain: 'duckdns.org' }
 */
export function hostingPlatformOf(host: string): HostingPlatform | undefined {
  if (isShortenerHost(host)) return { kind: 'shortener', domain: host.replace(/^www\./, '') };
  const exact = PLATFORMS.get(host);
  if (exact?.match === 'host') return { kind: exact.kind, domain: host };
  for (let dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
    const suffix = host.slice(dot + 1);
    const entry = PLATFORMS.get(suffix);
    if (entry?.match === 'subdomain') return { kind: entry.kind, domain: suffix };
  }
  return undefined;
}

/** The popularity prior's list (round 2), written by `npm run train` (`src/ml/train-url.ts`). */
export const POPULAR_DOMAINS_URL = new URL('./data/popular-domains.txt', import.meta.url);
let popularList: ReadonlySet<string> | undefined;

/** The registrable domains of `popular-domains.txt`, read once (empty when the file is absent). */
export function popularDomains(): ReadonlySet<string> {
  if (popularList === undefined) {
    let text = '';
    try {
      text = readFileSync(POPULAR_DOMAINS_URL, 'utf8');
    } catch {
      // No list: the prior is off, the model judges every host.
    }
    popularList = new Set(text.split('\n').filter((l) => l !== '' && !l.startsWith('#')));
  }
  return popularList;
}

/**
 * The popularity prior (round 2, issue 9 item 2): a host whose registrable domain is among the
 * popular domains (Majestic top 15k, less platforms and sites where phishing was seen) and that is on
 * no hosting platform or shortener. The lexical model does not judge such hosts: a popular site is
 * almost never a phishing site, and skipping them lets the model's threshold, chosen on the rest, come
 * down. Look-alike, `@`, IP and hidden-URL checks still run.
 *
 * @example isPopularHost('news.yahoo.co.jp') // → true; isPopularHost('x.github.io') // → false
 */
export function isPopularHost(host: string, list: ReadonlySet<string> = popularDomains()): boolean {
  const site = parse(host, { allowPrivateDomains: true }).domain;
  return site !== null && site !== undefined && list.has(site) && hostingPlatformOf(host) === undefined;
}

/** How strongly the model reads a URL: `warn` alone warns, `weak` adds to other signs. */
export type ModelLevel = 'warn' | 'weak' | 'none';

export interface UrlRisk {
  /** The canonical URL. */
  readonly url: string;
  readonly host: string;
  /** The URL model's probability of phishing. */
  readonly p: number;
  readonly modelLevel: ModelLevel;
  readonly lookalike?: Lookalike;
  readonly platform?: HostingPlatform;
  readonly ipHost: boolean;
  /** The host is on a popular site (`isPopularHost`): the model does not judge it. */
  readonly popular: boolean;
  /** What stood before `@` (`paypal.com` in `https://paypal.com@evil.example`). */
  readonly userinfo?: string;
  /** Someone hid the URL (hxxp, [.], spaces in the domain). */
  readonly obfuscated: boolean;
}

/**
 * Default weights of the URL signals (the message channel declares its signals with these, and
 * `riskScore` uses them). Warn is 4, block 8: a look-alike, an `@` decoy naming a domain, an IP host or
 * a hidden URL alone warns, two of them block; the model warns alone only above its 0.1 %-FPR point;
 * a shortener, free hosting or dynamic DNS alone stays below warn.
 */
export const URL_WEIGHTS = Object.freeze({
  MESSAGE_URL_LOOKALIKE: 6,
  MESSAGE_URL_MODEL: 4,
  MESSAGE_URL_FREE_HOSTING: 2,
  MESSAGE_URL_DYNAMIC_DNS: 3,
  MESSAGE_URL_SHORTENER: 1.5,
  MESSAGE_URL_IP_HOST: 4,
  MESSAGE_URL_USERINFO: 5,
  MESSAGE_URL_OBFUSCATED: 5,
} as const);
export type UrlSignal = keyof typeof URL_WEIGHTS;

/** The factor of the model's hit: 1 at the warn point rising to 1.75 at p = 1; 0.5 when weak. */
export function modelFactor(p: number, level: ModelLevel): number {
  if (level === 'none') return 0;
  if (level === 'weak') return 0.5;
  const { warn } = urlModel().thresholds;
  return 1 + (0.75 * (p - warn)) / Math.max(1e-9, 1 - warn);
}

/** The signals one URL fires, with their factors (1 unless said). */
export function urlSignals(risk: UrlRisk): { signal: UrlSignal; factor: number }[] {
  const out: { signal: UrlSignal; factor: number }[] = [];
  if (risk.lookalike) out.push({ signal: 'MESSAGE_URL_LOOKALIKE', factor: 1 });
  if (risk.modelLevel !== 'none')
    out.push({ signal: 'MESSAGE_URL_MODEL', factor: modelFactor(risk.p, risk.modelLevel) });
  switch (risk.platform?.kind) {
    case 'free_hosting':
      out.push({ signal: 'MESSAGE_URL_FREE_HOSTING', factor: 1 });
      break;
    case 'dynamic_dns':
    case 'tunnel':
      out.push({ signal: 'MESSAGE_URL_DYNAMIC_DNS', factor: 1 });
      break;
    case 'shortener':
      out.push({ signal: 'MESSAGE_URL_SHORTENER', factor: 1 });
      break;
    case undefined:
      break;
  }
  if (risk.ipHost) out.push({ signal: 'MESSAGE_URL_IP_HOST', factor: 1 });
  // A decoy that names a host (paypal.com@…) is the trick; `user:pass@` alone is a weaker sign.
  if (risk.userinfo !== undefined)
    out.push({ signal: 'MESSAGE_URL_USERINFO', factor: risk.userinfo.includes('.') ? 1 : 0.6 });
  if (risk.obfuscated) out.push({ signal: 'MESSAGE_URL_OBFUSCATED', factor: 1 });
  return out;
}

/** The URL part's score of one URL under the default weights (what `eval-url.ts` compares with warn). */
export function riskScore(risk: UrlRisk): number {
  let score = 0;
  for (const s of urlSignals(risk)) score += URL_WEIGHTS[s.signal] * s.factor;
  return score;
}

interface HostRisk {
  readonly lookalike: Lookalike | undefined;
  readonly own: boolean;
  readonly platform: HostingPlatform | undefined;
  readonly ipHost: boolean;
  readonly popular: boolean;
  readonly hostScore: number;
}

/** Hosts and URLs remembered (a few MB at most). */
export const HOST_CACHE_SIZE = 10_000;
export const URL_CACHE_SIZE = 10_000;
const hostCache = new LruCache<string, HostRisk>(HOST_CACHE_SIZE);
const urlCache = new LruCache<string, UrlRisk>(URL_CACHE_SIZE);

/** Empties both caches (benchmarks measure cold costs with it). */
export function clearUrlRiskCache(): void {
  hostCache.clear();
  urlCache.clear();
}

function hostRisk(host: string, modelHost: string): HostRisk {
  const cached = hostCache.get(host);
  if (cached !== undefined) return cached;
  const ipHost = parse(host).isIp === true;
  const own = !ipHost && isBrandOwnHost(host);
  const risk: HostRisk = {
    lookalike: ipHost || own ? undefined : lookalikeOf(host),
    own,
    platform: ipHost ? undefined : hostingPlatformOf(host),
    ipHost,
    popular: !ipHost && !own && isPopularHost(host),
    hostScore: urlModel().hostScore(modelHost),
  };
  hostCache.set(host, risk);
  return risk;
}

/** The model's level for a probability, by the thresholds in its file (no prior). */
export function modelLevelOf(p: number): ModelLevel {
  const t = urlModel().thresholds;
  return p >= t.warn ? 'warn' : p >= t.weak ? 'weak' : 'none';
}

/**
 * The risk of one extracted URL. Pure apart from the caches; never throws on what `extractUrls`
 * returns.
 *
 * @example assessUrl(extractUrls('https://amaz0n-co-jp.example/login')[0]).lookalike?.brand // → 'Amazon'
 */
export function assessUrl(u: ExtractedUrl): UrlRisk {
  const key = u.obfuscated || u.userinfo !== undefined ? `${u.url}\0${u.obfuscated}\0${u.userinfo}` : u.url;
  const cached = urlCache.get(key);
  if (cached !== undefined) return cached;
  const parts = urlParts(u.url);
  const h = hostRisk(u.host, parts.host);
  const model = urlModel();
  const z = model.bias + h.hostScore + model.restScore(parts.rest);
  const p = z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
  const lookalike =
    h.lookalike ??
    (h.own || h.ipHost || parts.rest === '/' ? undefined : lookalikeInPath(u.host, parts.rest));
  const risk: UrlRisk = Object.freeze({
    url: u.url,
    host: u.host,
    p,
    // A brand's own site is never judged by the lexical model (its paths say login and account too).
    // Nor is a popular site (the popularity prior; eval-url.ts reports the figures with and without it).
    modelLevel: h.own || h.popular ? 'none' : modelLevelOf(p),
    ...(lookalike ? { lookalike } : {}),
    ...(h.platform ? { platform: h.platform } : {}),
    ipHost: h.ipHost,
    popular: h.popular,
    ...(u.userinfo !== undefined ? { userinfo: u.userinfo } : {}),
    obfuscated: u.obfuscated,
  });
  urlCache.set(key, risk);
  return risk;
}
