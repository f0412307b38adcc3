import { defineSignals, type Hit } from '../../../core/index.ts';
import { LruCache } from '../../../intel/lru-cache.ts';
import type { ExtractedUrl } from '../../../intel/url-extract.ts';
import {
  assessUrl,
  URL_CACHE_SIZE,
  URL_WEIGHTS,
  type UrlRisk,
  type UrlSignal,
  urlSignals,
} from '../../../intel/url-risk.ts';
import { urlModel } from '../../../ml/url-model.ts';
import type { MessagePart } from '../message-part.ts';
import type { MessageDetector } from '../message-state.ts';

const GROUP = 'url';

/**
 * The URL signals of the message channel (issue 9 item 2; I1, I3, P7). Weights come from
 * `URL_WEIGHTS` (`intel/url-risk.ts`), so `npm run eval` measures the same scores; a policy may
 * change them. Warn 4, block 8: a look-alike alone warns and with any other URL sign blocks.
 */
export const URL_SIGNALS = defineSignals([
  {
    name: 'MESSAGE_URL_LOOKALIKE',
    group: GROUP,
    weight: URL_WEIGHTS.MESSAGE_URL_LOOKALIKE,
    description: { ja: '実在ブランドに似せたドメインのURL', en: 'URL on a domain imitating a real brand' },
    reason: {
      ja: '{url} は {brand} に似せたドメインです（{kind}）',
      en: '{url} imitates {brand} ({kind})',
    },
    customer: {
      ja: '実在の企業をかたる偽サイトへのリンクが含まれています',
      en: 'Contains a link to a fake site posing as a real company',
    },
  },
  {
    name: 'MESSAGE_URL_MODEL',
    group: GROUP,
    weight: URL_WEIGHTS.MESSAGE_URL_MODEL,
    description: {
      ja: 'URLモデルがフィッシングURLの特徴を検出',
      en: 'The URL model reads a phishing URL',
    },
    reason: {
      ja: '{url} はフィッシングURLの特徴を持ちます（確率 {p}）',
      en: '{url} looks like a phishing URL (probability {p})',
    },
    customer: { ja: '詐欺サイトによく見られる形のリンクです', en: 'The link has the shape of a scam site' },
  },
  {
    name: 'MESSAGE_URL_FREE_HOSTING',
    group: GROUP,
    weight: URL_WEIGHTS.MESSAGE_URL_FREE_HOSTING,
    description: {
      ja: '誰でも無料で作れるホスティング上のURL',
      en: 'URL on a free hosting or site-builder platform',
    },
    reason: {
      ja: '{url} は無料ホスティング {platform} 上にあります',
      en: '{url} is on free hosting {platform}',
    },
    customer: {
      ja: '誰でも作れる無料サイトへのリンクです',
      en: 'Links to a free site anyone can create',
    },
  },
  {
    name: 'MESSAGE_URL_DYNAMIC_DNS',
    group: GROUP,
    weight: URL_WEIGHTS.MESSAGE_URL_DYNAMIC_DNS,
    description: {
      ja: 'ダイナミックDNSまたはトンネルサービス上のURL',
      en: 'URL on a dynamic DNS or tunnel service',
    },
    reason: {
      ja: '{url} はダイナミックDNS／トンネル {platform} 上にあります',
      en: '{url} is on dynamic DNS or tunnel {platform}',
    },
    customer: {
      ja: '身元を隠しやすい仕組みのリンクです',
      en: 'The link uses a service that hides who runs it',
    },
  },
  {
    name: 'MESSAGE_URL_SHORTENER',
    group: GROUP,
    weight: URL_WEIGHTS.MESSAGE_URL_SHORTENER,
    description: { ja: '短縮URL（行き先が見えない）', en: 'Shortened URL (destination hidden)' },
    reason: { ja: '{url} は短縮URLです', en: '{url} is a shortened URL' },
    customer: { ja: '行き先の分からない短縮リンクです', en: 'A shortened link hides where it goes' },
  },
  {
    name: 'MESSAGE_URL_IP_HOST',
    group: GROUP,
    weight: URL_WEIGHTS.MESSAGE_URL_IP_HOST,
    description: { ja: 'ドメイン名ではなくIPアドレスのURL', en: 'URL with an IP address for a host' },
    reason: { ja: '{url} はIPアドレスを直接指しています', en: '{url} points at an IP address' },
    customer: { ja: '正規の企業は使わない形式のリンクです', en: 'Companies do not send links of this form' },
  },
  {
    name: 'MESSAGE_URL_USERINFO',
    group: GROUP,
    weight: URL_WEIGHTS.MESSAGE_URL_USERINFO,
    description: {
      ja: '@ の前に別のサイト名を置いて行き先を偽るURL',
      en: 'URL hiding its real host behind an @ decoy',
    },
    reason: {
      ja: '{url} は「{userinfo}」に見せかけて別のホストへ向かいます',
      en: '{url} poses as "{userinfo}" but goes to another host',
    },
    customer: {
      ja: '見た目と違うサイトへ向かうリンクです',
      en: 'The link goes somewhere other than it shows',
    },
  },
  {
    name: 'MESSAGE_URL_OBFUSCATED',
    group: GROUP,
    weight: URL_WEIGHTS.MESSAGE_URL_OBFUSCATED,
    description: {
      ja: 'フィルタを逃れるため崩して書かれたURL（hxxp、[.]、空白）',
      en: 'URL written to slip past filters (hxxp, [.], spaces)',
    },
    reason: { ja: '{raw} は崩して書かれたURLです（{url}）', en: '{raw} is a disguised URL ({url})' },
    customer: {
      ja: 'フィルタを逃れるよう崩して書かれたリンクです',
      en: 'The link is disguised to slip past filters',
    },
  },
]);

/** URLs named in one hit's evidence (a message may carry up to 100). */
const MAX_EVIDENCE_URLS = 3;

function params(signal: UrlSignal, risk: UrlRisk, raw: string): Record<string, string | number> {
  switch (signal) {
    case 'MESSAGE_URL_LOOKALIKE':
      return { url: risk.url, brand: risk.lookalike?.brand ?? '', kind: risk.lookalike?.kind ?? '' };
    case 'MESSAGE_URL_MODEL':
      return { url: risk.url, p: Number(risk.p.toFixed(3)) };
    case 'MESSAGE_URL_FREE_HOSTING':
    case 'MESSAGE_URL_DYNAMIC_DNS':
    case 'MESSAGE_URL_SHORTENER':
      return { url: risk.url, platform: risk.platform?.domain ?? '' };
    case 'MESSAGE_URL_USERINFO':
      return { url: risk.url, userinfo: risk.userinfo ?? '' };
    case 'MESSAGE_URL_OBFUSCATED':
      return { url: risk.url, raw };
    case 'MESSAGE_URL_IP_HOST':
      return { url: risk.url };
  }
}

function evidence(signal: UrlSignal, risk: UrlRisk, raw: string): string {
  switch (signal) {
    case 'MESSAGE_URL_LOOKALIKE':
      return `${risk.url}: ${risk.lookalike?.evidence ?? ''}`;
    case 'MESSAGE_URL_MODEL':
      return `${risk.url}: p=${risk.p.toFixed(3)}; ${modelEvidence(risk.url)}`;
    case 'MESSAGE_URL_FREE_HOSTING':
    case 'MESSAGE_URL_DYNAMIC_DNS':
    case 'MESSAGE_URL_SHORTENER':
      return `${risk.url}: ${risk.platform?.kind ?? ''} ${risk.platform?.domain ?? ''}`;
    case 'MESSAGE_URL_USERINFO':
      return `${risk.url}: written as ${risk.userinfo ?? ''}@${risk.host}`;
    case 'MESSAGE_URL_OBFUSCATED':
      return `${raw} → ${risk.url}`;
    case 'MESSAGE_URL_IP_HOST':
      return `${risk.url}: IP host ${risk.host}`;
  }
}

/** The model's top features of a URL, remembered per URL: a campaign repeats its links, and explaining re-hashes them. */
const explained = new LruCache<string, string>(URL_CACHE_SIZE);

function modelEvidence(url: string): string {
  let text = explained.get(url);
  if (text === undefined) {
    text = urlModel().explain(url, 4).join(', ');
    explained.set(url, text);
  }
  return text;
}

/**
 * The URL hits of a list of extracted URLs (MESSAGE_URL_* names; the mail channel renames them to its
 * own): each signal at most once, with the factor of its strongest URL and up to three URLs as
 * evidence, so a message with many links scores like its worst one, not their count.
 */
export function urlHits(urls: readonly ExtractedUrl[]): Hit[] {
  if (urls.length === 0) return [];
  const best = new Map<UrlSignal, { factor: number; risk: UrlRisk; raw: string; evidence: string[] }>();
  for (const u of urls) {
    const risk = assessUrl(u);
    for (const { signal, factor } of urlSignals(risk)) {
      const seen = best.get(signal);
      if (seen === undefined) {
        best.set(signal, { factor, risk, raw: u.raw, evidence: [evidence(signal, risk, u.raw)] });
        continue;
      }
      if (seen.evidence.length < MAX_EVIDENCE_URLS) seen.evidence.push(evidence(signal, risk, u.raw));
      if (factor > seen.factor) Object.assign(seen, { factor, risk, raw: u.raw });
    }
  }
  const hits: Hit[] = [];
  for (const [signal, b] of best) {
    hits.push({
      signal,
      ...(b.factor !== 1 ? { factor: Number(b.factor.toFixed(4)) } : {}),
      evidence: b.evidence,
      params: params(signal, b.risk, b.raw),
    });
  }
  return hits;
}

/** One detector over every URL of the message (`ctx.state.urls`, extracted once): see `urlHits`. */
const urlDetector: MessageDetector = {
  name: 'message.url',
  signals: URL_SIGNALS.map((s) => s.name),
  run: (_event, ctx) => urlHits(ctx.state.urls),
};

/** MESSAGE_URL_* (I1): URL model, look-alike brands, hosting platforms, shorteners, IP hosts, @ decoys, hidden URLs. */
export function urlPart(): MessagePart {
  return { signals: URL_SIGNALS, detectors: [urlDetector] };
}
