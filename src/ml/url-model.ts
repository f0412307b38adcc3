/**
 * The URL model (issue 9 item 2, `MESSAGE_URL_MODEL`; measures I1, I3, P7; reused by mail and web
 * screening): lexical features of one canonical URL, hashed into the logistic model of
 * `linear-model.ts` and trained by `train-url.ts` on JPCERT/CC phishing URLs against DMOZ benign
 * URLs with paths.
 *
 * The scheme and a leading `www.` are dropped before anything is read: the benign set is 98 % `http`
 * and 68 % `www.`, the phishing set mostly `https` without `www.`, and a model that saw them would
 * learn the era of the data instead of the lure. Features, each in its own hash namespace:
 * - host: character 3–5-grams of `^host$`, its labels and hyphen-separated words, the public suffix,
 *   counts (length, labels, digits, hyphens), IP literal, punycode;
 * - rest (path and query): character 3–5-grams of the first 160 characters, words, the file extension,
 *   depth, query keys, length, `@`, `//` inside the path;
 * - brand names (the keywords of `intel/data/brands.json`) in the host and in the path, and words
 *   phishing kits use (login, verify, account, secure…), in the host and in the path, apart.
 *
 * The features of the host and of the rest are apart on purpose: a linear score is their sum, so
 * `url-risk.ts` caches the host's share per host and only the path is read per URL.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'tldts';
import { BRANDS } from '../intel/lookalike.ts';
import { type FeatureContribution, LogisticModel } from './linear-model.ts';

/** Hash buckets of the URL model. */
export const URL_DIMENSION = 1 << 18;
export const URL_SEED = 11;
export const URL_MODEL_URL = new URL('./models/url.json', import.meta.url);
/** Characters of path and query read for n-grams (long tracking queries add nothing but time). */
const MAX_REST_NGRAM = 160;
/** Words of path and query read. */
const MAX_REST_WORDS = 24;
/** Characters of a host read (a DNS name is at most 253). */
const MAX_HOST = 253;

/** A canonical URL split the way the model reads it. */
export interface UrlParts {
  /** Lower-case host, no `www.` prefix, no port. */
  readonly host: string;
  /** Path and query, lower case, no fragment; `/` when empty. */
  readonly rest: string;
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const WWW = /^www\d{0,2}\./;

/** Splits a URL (canonical or not, with or without scheme) into the model's host and rest. */
export function urlParts(url: string): UrlParts {
  let s = url.length > 4096 ? url.slice(0, 4096) : url;
  const m = SCHEME.exec(s);
  if (m !== null) s = s.slice(m[0].length);
  let end = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 47 || c === 63 || c === 35) {
      end = i;
      break;
    }
  }
  let authority = s.slice(0, end);
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  const colon = authority.lastIndexOf(':');
  if (colon >= 0 && !authority.endsWith(']')) authority = authority.slice(0, colon);
  const host = authority.toLowerCase().replace(WWW, '').slice(0, MAX_HOST);
  let rest = s.slice(end);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  rest = rest.toLowerCase();
  return { host, rest: rest === '' || rest === '/?' ? '/' : rest };
}

/** Receives one hashed feature; `name` is given only when a caller asked for names (evidence). */
export type FeatureSink = (index: number, value: number, name?: string) => void;

const FNV_PRIME = 0x01000193;
const MASK = URL_DIMENSION - 1;

function fnvString(s: string, seed = 0x811c9dc5): number {
  let h = seed;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}

function bucket(h: number): number {
  // Final avalanche (murmur3 fmix32) so that nearby FNV states spread over the buckets.
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return (x >>> 0) & MASK;
}

const NS = {
  hostGram: fnvString('hg:'),
  restGram: fnvString('rg:'),
} as const;

function token(sink: FeatureSink, names: boolean, ns: string, value: string, weight = 1): void {
  const key = `${ns}${value}`;
  sink(bucket(fnvString(key)), weight, names ? key : undefined);
}

/** Character 3–5-grams of `s` (UTF-16 units), hashed incrementally: no substring per gram. */
function grams(sink: FeatureSink, names: boolean, seed: number, label: string, s: string): void {
  const n = s.length;
  for (let i = 0; i + 3 <= n; i++) {
    let h = seed;
    h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
    h = Math.imul(h ^ s.charCodeAt(i + 1), FNV_PRIME);
    for (let k = 2; k < 5 && i + k < n; k++) {
      h = Math.imul(h ^ s.charCodeAt(i + k), FNV_PRIME);
      sink(bucket(h), 1, names ? `${label}${s.slice(i, i + k + 1)}` : undefined);
    }
  }
}

/** Small counts as themselves, larger ones in doubling buckets (so 40 and 41 share a feature). */
function countBucket(n: number): string {
  if (n <= 4) return String(n);
  let b = 8;
  while (n >= b && b < 1024) b *= 2;
  return `<${b}`;
}

/** Words phishing kits put in hosts and paths (checked as whole words or word prefixes). */
export const SUSPICIOUS_WORDS = [
  'login',
  'logon',
  'signin',
  'sign-in',
  'verify',
  'verification',
  'account',
  'update',
  'secure',
  'security',
  'confirm',
  'auth',
  'authenticate',
  'wallet',
  'billing',
  'payment',
  'password',
  'unlock',
  'suspend',
  'support',
  'service',
  'customer',
  'webscr',
  'cmd',
  'session',
  'recovery',
  'reset',
  'validate',
  'member',
  'mypage',
  'card',
  'bank',
  'delivery',
  'redelivery',
  'tracking',
  'parcel',
  'refund',
  'invoice',
] as const;
const SUSPICIOUS = new Set<string>(SUSPICIOUS_WORDS);
/** Brand keywords of 4 letters or more (shorter ones, au, jcb, are parts of too many words). */
const BRAND_WORDS: ReadonlySet<string> = new Set(
  BRANDS.flatMap((b) => b.keywords.map((k) => k.replace(/-/g, ''))).filter((k) => k.length >= 4),
);

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const WORD_SPLIT = /[^a-z0-9]+/;

const LOG2 = Math.log(2);
/** Character counts of one label (a–z, 0–9), reused: the host features run once per host. */
const charCounts = new Uint16Array(128);

/**
 * The shape of a machine-made name (round 2): length, character entropy, longest consonant run,
 * digit/letter alternations, vowel share and hyphens of the registrable label (`dom`) or the
 * subdomain (`sub`); the registrable label's length also crossed with its suffix (cheap TLDs carry
 * short random names).
 */
function labelShape(sink: FeatureSink, names: boolean, ns: string, label: string, suffix: string): void {
  const n = Math.min(label.length, 63);
  if (n === 0) return;
  charCounts.fill(0);
  let run = 0;
  let longestRun = 0;
  let alternations = 0;
  let vowels = 0;
  let hyphens = 0;
  let prevKind = 0;
  for (let i = 0; i < n; i++) {
    const c = label.charCodeAt(i);
    if (c < 128) charCounts[c] = (charCounts[c] as number) + 1;
    const isDigit = c >= 48 && c <= 57;
    const isLetter = c >= 97 && c <= 122;
    const isVowel = c === 97 || c === 101 || c === 105 || c === 111 || c === 117;
    if (isVowel) vowels++;
    if (c === 45) hyphens++;
    if (isLetter && !isVowel && c !== 121) {
      run++;
      if (run > longestRun) longestRun = run;
    } else run = 0;
    const kind = isDigit ? 1 : isLetter ? 2 : 3;
    if (prevKind !== 0 && kind !== prevKind && kind !== 3 && prevKind !== 3) alternations++;
    prevKind = kind;
  }
  let entropy = 0;
  for (let c = 0; c < 128; c++) {
    const k = charCounts[c] as number;
    if (k > 0) entropy -= (k / n) * (Math.log(k / n) / LOG2);
  }
  const len = n <= 24 ? String(n) : countBucket(n);
  token(sink, names, `${ns}-len:`, len);
  token(sink, names, `${ns}-entropy:`, String(Math.round(entropy * 2) / 2));
  token(sink, names, `${ns}-consonant-run:`, String(Math.min(longestRun, 7)));
  token(sink, names, `${ns}-alternations:`, countBucket(alternations));
  token(sink, names, `${ns}-vowels:`, String(Math.round((10 * vowels) / n)));
  token(sink, names, `${ns}-hyphens:`, countBucket(hyphens));
  if (suffix !== '') token(sink, names, 'tld-len:', `${suffix}:${len}`);
}

/** Host features (cacheable per host). */
export function hostFeatures(host: string, sink: FeatureSink, names = false): void {
  const h = host.slice(0, MAX_HOST);
  grams(sink, names, NS.hostGram, 'host~', `^${h}$`);
  const ip = IPV4.test(h) || h.startsWith('[');
  if (ip) {
    token(sink, names, 'host:', 'ip-literal');
    return;
  }
  const info = parse(h, { allowPrivateDomains: true });
  const suffix = info.publicSuffix ?? '';
  token(sink, names, 'tld:', suffix);
  const labels = h.split('.');
  token(sink, names, 'host-labels:', countBucket(labels.length));
  token(sink, names, 'host-len:', countBucket(h.length));
  let digits = 0;
  let hyphens = 0;
  for (let i = 0; i < h.length; i++) {
    const c = h.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 45) hyphens++;
  }
  token(sink, names, 'host-digits:', countBucket(digits));
  token(sink, names, 'host-hyphens:', countBucket(hyphens));
  if (h.includes('xn--')) token(sink, names, 'host:', 'punycode');
  const sub = info.subdomain ?? '';
  token(sink, names, 'host-sub-labels:', countBucket(sub === '' ? 0 : sub.split('.').length));
  let words = 0;
  for (const w of h.split(WORD_SPLIT)) {
    if (w === '' || words++ > 16) continue;
    token(sink, names, 'host-word:', w);
    if (SUSPICIOUS.has(w)) token(sink, names, 'host-suspicious:', w);
    if (BRAND_WORDS.has(w)) token(sink, names, 'host:', 'brand-word');
  }
  const label = info.domainWithoutSuffix ?? '';
  labelShape(sink, names, 'dom', label, suffix);
  if (sub !== '') labelShape(sink, names, 'sub', sub, '');
  for (const brand of BRAND_WORDS) {
    if (brand.length >= 6 && label.includes(brand)) {
      token(sink, names, 'host:', 'brand-in-domain');
      break;
    }
  }
}

/**
 * Random-looking path segments (round 2): a hex run of 8 or more, or a segment of 8+ letters and
 * digits mixed (kits put a per-victim token in the path: `/a8f3k2x9/`, `/3f9c0e1d7b/`).
 */
function randomSegments(sink: FeatureSink, names: boolean, path: string): void {
  let hexRun = 0;
  let longestHex = 0;
  let segLen = 0;
  let segDigits = 0;
  let segLetters = 0;
  let mixed = false;
  const n = Math.min(path.length, 256);
  for (let i = 0; i <= n; i++) {
    const c = i < n ? path.charCodeAt(i) : 47;
    const isDigit = c >= 48 && c <= 57;
    const isLetter = c >= 97 && c <= 122;
    if (isDigit || (c >= 97 && c <= 102)) {
      hexRun++;
      if (hexRun > longestHex) longestHex = hexRun;
    } else hexRun = 0;
    if (isDigit || isLetter) {
      segLen++;
      if (isDigit) segDigits++;
      else segLetters++;
    } else {
      if (segLen >= 8 && segDigits >= 2 && segLetters >= 2) mixed = true;
      segLen = 0;
      segDigits = 0;
      segLetters = 0;
    }
  }
  if (longestHex >= 8) token(sink, names, 'path:', longestHex >= 16 ? 'hex-run-16' : 'hex-run-8');
  if (mixed) token(sink, names, 'path:', 'random-segment');
}

/** Path-and-query features (read per URL). */
export function restFeatures(rest: string, sink: FeatureSink, names = false): void {
  if (rest === '/') {
    token(sink, names, 'rest:', 'empty');
    return;
  }
  const q = rest.indexOf('?');
  const path = q >= 0 ? rest.slice(0, q) : rest;
  const query = q >= 0 ? rest.slice(q + 1) : '';
  grams(sink, names, NS.restGram, 'path~', rest.slice(0, MAX_REST_NGRAM));
  let depth = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 47) depth++;
  token(sink, names, 'path-depth:', countBucket(depth));
  token(sink, names, 'rest-len:', countBucket(rest.length));
  token(sink, names, 'query-keys:', countBucket(query === '' ? 0 : query.split('&').length));
  const lastSlash = path.lastIndexOf('/');
  const file = path.slice(lastSlash + 1);
  const dot = file.lastIndexOf('.');
  if (dot > 0 && file.length - dot <= 6) token(sink, names, 'ext:', file.slice(dot + 1));
  else if (file === '') token(sink, names, 'path:', 'trailing-slash');
  if (rest.includes('@')) token(sink, names, 'rest:', 'at-sign');
  if (path.includes('//')) token(sink, names, 'rest:', 'double-slash');
  if (rest.includes('http')) token(sink, names, 'rest:', 'embedded-url');
  const seg1End = path.indexOf('/', 1);
  const seg1 = path.slice(1, seg1End < 0 ? Math.min(path.length, 33) : Math.min(seg1End, 33));
  if (seg1 !== '') token(sink, names, 'path-seg1:', seg1);
  if (query !== '')
    for (const pair of query.slice(0, 160).split('&', 8)) {
      const eq = pair.indexOf('=');
      token(sink, names, 'query-key:', (eq < 0 ? pair : pair.slice(0, eq)).slice(0, 24));
    }
  randomSegments(sink, names, path);
  let words = 0;
  let suspicious = false;
  let brand = false;
  for (const w of rest.split(WORD_SPLIT)) {
    if (w === '') continue;
    if (words++ >= MAX_REST_WORDS) break;
    token(sink, names, 'path-word:', w);
    if (!suspicious && SUSPICIOUS.has(w)) {
      suspicious = true;
      token(sink, names, 'path-suspicious:', w);
    }
    if (!brand && BRAND_WORDS.has(w)) {
      brand = true;
      token(sink, names, 'path:', 'brand-word');
    }
  }
  token(sink, names, 'path-words:', countBucket(words));
}

/** Every feature of a URL as a sparse map (training and evaluation; scoring sums without a map). */
export function urlFeatures(url: string): Map<number, number> {
  const { host, rest } = urlParts(url);
  const out = new Map<number, number>();
  const sink: FeatureSink = (i, v) => out.set(i, (out.get(i) ?? 0) + v);
  hostFeatures(host, sink);
  restFeatures(rest, sink);
  return out;
}

/** Operating points chosen on validation data by `train-url.ts` (model file `meta`). */
export interface UrlModelThresholds {
  /** The probability at which the model alone warns (benign validation FPR about 0.1 %). */
  readonly warn: number;
  /** The probability from which the model is a weak sign (benign validation FPR about 1 %). */
  readonly weak: number;
}

/** A loaded URL model: log-odds of the host and the rest apart, so the host's share can be cached. */
export class UrlModel {
  readonly #w: Float64Array;
  readonly model: LogisticModel;
  readonly thresholds: UrlModelThresholds;

  constructor(model: LogisticModel) {
    if (model.dimension !== URL_DIMENSION) throw new RangeError('URL model of the wrong dimension');
    this.model = model;
    this.#w = model.weights();
    const meta = model.meta ?? {};
    const warn = typeof meta.thresholdWarn === 'number' ? meta.thresholdWarn : 0.9;
    const weak = typeof meta.thresholdWeak === 'number' ? meta.thresholdWeak : 0.7;
    this.thresholds = Object.freeze({ warn, weak: Math.min(weak, warn) });
  }

  get bias(): number {
    return this.model.bias;
  }

  /** The host's share of the log-odds (no bias). */
  hostScore(host: string): number {
    let z = 0;
    const w = this.#w;
    hostFeatures(host, (i, v) => {
      z += (w[i] as number) * v;
    });
    return z;
  }

  /** The path and query's share of the log-odds (no bias). */
  restScore(rest: string): number {
    let z = 0;
    const w = this.#w;
    restFeatures(rest, (i, v) => {
      z += (w[i] as number) * v;
    });
    return z;
  }

  /** Probability that the URL is phishing. */
  predict(url: string): number {
    const { host, rest } = urlParts(url);
    return sigmoidOf(this.bias + this.hostScore(host) + this.restScore(rest));
  }

  /** The `n` named features that pushed the URL most towards phishing (evidence). */
  explain(url: string, n = 5): string[] {
    const { host, rest } = urlParts(url);
    const named = new Map<number, string>();
    const values = new Map<number, number>();
    const sink: FeatureSink = (i, v, name) => {
      values.set(i, (values.get(i) ?? 0) + v);
      if (name !== undefined && !named.has(i)) named.set(i, name);
    };
    hostFeatures(host, sink, true);
    restFeatures(rest, sink, true);
    const top: FeatureContribution[] = this.model.topFeatures(values, n);
    return top.map((f) => `${named.get(f.index) ?? `#${f.index}`} (+${f.contribution.toFixed(2)})`);
  }
}

function sigmoidOf(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

let committed: UrlModel | undefined;

/** The committed model (`src/ml/models/url.json`), read once. */
export function urlModel(): UrlModel {
  if (committed === undefined) {
    const json: unknown = JSON.parse(readFileSync(URL_MODEL_URL, 'utf8'));
    committed = new UrlModel(LogisticModel.fromJSON(json, { dimension: URL_DIMENSION }));
  }
  return committed;
}
