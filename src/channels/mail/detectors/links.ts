import { parse } from 'tldts';
import { defineSignals, type Hit } from '../../../core/index.ts';
import { isBrandOwnHost, lookalikeOf, ownBrandOf } from '../../../intel/lookalike.ts';
import { type ExtractedUrl, extractUrls } from '../../../intel/url-extract.ts';
import { URL_SIGNALS, urlHits } from '../../message/detectors/url.ts';
import type { MailPart } from '../mail-part.ts';
import type { MailDetector, MailLink } from '../mail-state.ts';

/**
 * MAIL_URL_* (issue 11 item 2; measures E1, E3): the links of a mail (`ctx.state.links`: HTML
 * anchors with their visible text, then URLs of the text part).
 *
 * - The message channel's URL checks (`urlHits` of `message/detectors/url.ts` over
 *   `intel/url-risk.ts`: look-alike brands, the URL model, free hosting, dynamic DNS and tunnels,
 *   shorteners, IP hosts, `@` decoys, hidden URLs), renamed MESSAGE_URL_* → MAIL_URL_* with weights
 *   for the mail thresholds (warn 4, hold 8, block 40). Intel matches on the links come from the
 *   `intel.match` detector (INTEL_MATCH_*), not from here.
 * - MAIL_URL_TEXT_MISMATCH: an anchor whose visible text is a URL or host on one site while its
 *   target is on another — the classic phishing link. Not when both are on the same registrable
 *   domain, nor when the target is a brand's own site (a brand's redirector). The strong case is text
 *   naming a protected brand's own site (`www.amazon.co.jp`) over a target off the brand's domains;
 *   text naming any other site over an e-mail service's click-tracking host (what legitimate
 *   newsletters send) does not fire, and over another unrelated host counts little.
 */

const GROUP = 'url';

/**
 * Mail weights of the URL signals, by the message channel's names. Mail thresholds are warn 4,
 * hold (quarantine) 8, block 40: a look-alike link alone warns and with one more sign is quarantined.
 * Lower than for SMS where mail differs: a mail carries many links and the worst one counts, so the
 * URL model (3 × 1–1.75) warns alone only when sure (on the SpamAssassin easy ham, 4 for the model
 * put 1–1.6 % of real mail at warn from links alone); hidden URLs (security newsletters defang the
 * URLs they quote; text joined across a space) count 2.
 */
export const MAIL_URL_WEIGHTS = Object.freeze({
  MESSAGE_URL_LOOKALIKE: 6,
  MESSAGE_URL_MODEL: 3,
  MESSAGE_URL_FREE_HOSTING: 2,
  MESSAGE_URL_DYNAMIC_DNS: 3,
  MESSAGE_URL_SHORTENER: 1.5,
  MESSAGE_URL_IP_HOST: 4,
  MESSAGE_URL_USERINFO: 5,
  MESSAGE_URL_OBFUSCATED: 2,
} as const);

/** The mail name of a message URL signal. */
export function mailUrlSignal(name: string): string {
  return name.replace(/^MESSAGE_URL_/, 'MAIL_URL_');
}

/** The text/target mismatch weight: the strong case (a brand's own site in the text) scores 1.4× (7). */
const MISMATCH_WEIGHT = 5;

export const LINK_SIGNALS = defineSignals([
  ...URL_SIGNALS.map((s) => ({
    ...s,
    name: mailUrlSignal(s.name),
    weight: MAIL_URL_WEIGHTS[s.name as keyof typeof MAIL_URL_WEIGHTS] ?? s.weight,
  })),
  {
    name: 'MAIL_URL_TEXT_MISMATCH',
    group: GROUP,
    weight: MISMATCH_WEIGHT,
    description: {
      ja: 'リンクの表示テキストのサイトと実際の行き先が異なる',
      en: 'A link shows one site in its text but goes to another',
    },
    reason: {
      ja: 'リンクは {shown} と表示されていますが、実際の行き先は {target} です',
      en: 'The link shows {shown} but goes to {target}',
    },
    customer: {
      ja: '表示と違うサイトへ向かうリンクが含まれています',
      en: 'Contains a link that goes somewhere other than it shows',
    },
  },
]);

/**
 * Click-tracking hosts of e-mail services (registrable domains): a legitimate newsletter's link to
 * `www.shop.example` goes through one of these. Checked by hand against the services' own
 * documentation as known to the author (December 2026): Mailchimp (list-manage.com, mailchi.mp),
 * SendGrid (sendgrid.net), Mandrill, Amazon SES (awstrack.me), Salesforce Marketing Cloud
 * (exct.net), Campaign Monitor (createsend.com, cmail19/20.com), Constant Contact (rs6.net),
 * HubSpot (hubspotlinks.com, hs-sites.com), Mailjet (mjt.lu), Klaviyo (klaviyomail.com), SparkPost
 * (sparkpostmail.com), Brevo (sendibt2.com, r.sendibm1.com → sendibm1.com), Japanese services
 * (blastmail bme.jp, Cuenote cuenote.jp, MailPublisher mpse.jp, Benchmark benchmarkemail.com).
 * Phishers use these services too: the list lowers the weak case only, never the brand case by more
 * than half.
 */
const TRACKING_DOMAINS: ReadonlySet<string> = new Set([
  'list-manage.com',
  'mailchi.mp',
  'sendgrid.net',
  'mandrillapp.com',
  'awstrack.me',
  'exct.net',
  'createsend.com',
  'cmail19.com',
  'cmail20.com',
  'rs6.net',
  'hubspotlinks.com',
  'hs-sites.com',
  'mjt.lu',
  'klaviyomail.com',
  'sparkpostmail.com',
  'sendibt2.com',
  'sendibm1.com',
  'bme.jp',
  'cuenote.jp',
  'mpse.jp',
  'benchmarkemail.com',
]);

/** The registrable domain of a host (ICANN and private suffixes: `x.github.io` is its own site), or the host. */
export function siteOf(host: string): string {
  const info = parse(host, { allowPrivateDomains: true });
  return info.domain ?? host;
}

/** Whether a host is on an e-mail service's click-tracking domain. */
export function isTrackingHost(host: string): boolean {
  return TRACKING_DOMAINS.has(parse(host, { allowPrivateDomains: false }).domain ?? host);
}

/**
 * The URL or host an anchor's text shows, when the text is essentially that URL (the URL is at least
 * half of the text: `https://www.amazon.co.jp/`, `www.smbc-card.com はこちら`), or undefined.
 */
function shownUrl(text: string): ExtractedUrl | undefined {
  const t = text.trim();
  if (t === '' || t.length > 300) return undefined;
  const found = extractUrls(t)[0];
  if (found === undefined || found.raw.length * 2 < t.length) return undefined;
  return found;
}

interface Mismatch {
  readonly factor: number;
  readonly shown: string;
  readonly target: string;
  readonly evidence: string;
}

/** The mismatch of one HTML link, or undefined. */
export function linkMismatch(link: MailLink): Mismatch | undefined {
  if (link.source !== 'html' || link.text === undefined) return undefined;
  const shown = shownUrl(link.text);
  if (shown === undefined) return undefined;
  const target = link.url.host;
  const shownSite = siteOf(shown.host);
  const targetSite = siteOf(target);
  if (shownSite === targetSite || isBrandOwnHost(target)) return undefined;
  const tracking = isTrackingHost(target);
  const base = { shown: shown.host, target };
  if (isBrandOwnHost(shown.host)) {
    const brand = ownBrandOf(shown.host);
    return {
      ...base,
      factor: tracking ? 0.7 : 1.4,
      evidence: `text shows ${shown.host} (a brand's own site${brand ? `: ${brand}` : ''}), link goes to ${target}${tracking ? ' (an e-mail service click-tracking host)' : ''}`,
    };
  }
  if (tracking) return undefined;
  // The text itself imitates a brand (`www.amazon-co-jp.example`): the target is elsewhere again.
  const imitated = lookalikeOf(shown.host);
  if (imitated !== undefined)
    return {
      ...base,
      factor: 1,
      evidence: `text shows ${shown.host} (imitating ${imitated.brand}), link goes to ${target}`,
    };
  return { ...base, factor: 0.4, evidence: `text shows ${shown.host}, link goes to ${target}` };
}

/** The most URLs named in one hit's evidence (as the message channel). */
const MAX_EVIDENCE = 3;

/** Whether the URL model judges a link of a mail from `fromDomain` (see `mailUrlHits`). */
function modelJudges(u: ExtractedUrl, fromSite: string | undefined): boolean {
  return !u.bare && !isTrackingHost(u.host) && (fromSite === undefined || siteOf(u.host) !== fromSite);
}

/** Defanging tricks (not a space): `hxxp`, `[.]`, `(dot)`… */
const DEFANGED = /h[x*]{2}p|ttp:|\[|\(|\{|dot/iu;

/**
 * A URL as the mail's checks take it: one found only by joining words across a space in plain text
 * (`add dcc.rhyolite.com` → adddcc.rhyolite.com, `few freshrpms.net`) is not counted as hidden —
 * mail text wraps and runs words into domains, and a lure hides its link in HTML instead.
 */
function asMailUrl(u: ExtractedUrl): ExtractedUrl {
  return u.obfuscated && /\s/u.test(u.raw) && !DEFANGED.test(u.raw) ? { ...u, obfuscated: false } : u;
}

/**
 * The message URL hits of the mail's links, renamed to MAIL_URL_*. The URL model does not judge:
 * - e-mail services' click-tracking hosts (`isTrackingHost`): their names are the service's, their
 *   paths random tokens, the destination hidden — the model read `u1234.ct.sendgrid.net/ls/click?upn=…`
 *   as p = 0.95;
 * - links on the From address's own registrable domain: there the question is whether the From is
 *   authentic, which authentication, reputation and the brand checks answer (a forged From makes them
 *   the real owner's links); the model read a shop's `click.<shop>.jp/?qs=…` as 0.99 and
 *   `shop.<shop>.example/mypage/orders` as 0.94.
 * - domains written bare in the text (`c.l.py`, `spamassassin-2.40.zip`, no scheme): in mail these are
 *   newsgroup names, file names and sentences more often than links (on the SpamAssassin easy ham they
 *   were most of the model's warnings).
 * Every other check still runs on every link (a look-alike From domain's links are look-alikes).
 */
export function mailUrlHits(found: readonly ExtractedUrl[], fromDomain?: string): Hit[] {
  const urls = found.map(asMailUrl);
  const fromSite = fromDomain ? siteOf(fromDomain) : undefined;
  const unjudged = urls.filter((u) => !modelJudges(u, fromSite));
  const direct = unjudged.length === 0 ? urls : urls.filter((u) => modelJudges(u, fromSite));
  const hits = urlHits(direct);
  if (unjudged.length > 0) {
    for (const h of urlHits(unjudged)) {
      if (h.signal === 'MESSAGE_URL_MODEL') continue;
      const same = hits.find((x) => x.signal === h.signal);
      if (same === undefined) {
        hits.push(h);
        continue;
      }
      const evidence = [...same.evidence, ...h.evidence].slice(0, MAX_EVIDENCE);
      const stronger = (h.factor ?? 1) > (same.factor ?? 1) ? h : same;
      hits[hits.indexOf(same)] = { ...stronger, evidence };
    }
  }
  return hits.map((h) => ({ ...h, signal: mailUrlSignal(h.signal) }));
}

/** The message URL checks over the mail's links (`mailUrlHits`). */
const urlDetector: MailDetector = {
  name: 'mail.url',
  signals: LINK_SIGNALS.filter((s) => s.name !== 'MAIL_URL_TEXT_MISMATCH').map((s) => s.name),
  run: (_event, ctx) => mailUrlHits(ctx.state.urls, ctx.state.from?.domain),
};

/** MAIL_URL_TEXT_MISMATCH over the HTML links: once, with the strongest mismatch's factor and up to three links. */
const mismatchDetector: MailDetector = {
  name: 'mail.url_text_mismatch',
  signals: ['MAIL_URL_TEXT_MISMATCH'],
  run: (_event, ctx) => {
    let best: Mismatch | undefined;
    const evidence: string[] = [];
    for (const link of ctx.state.links) {
      const m = linkMismatch(link);
      if (m === undefined) continue;
      if (evidence.length < 3) evidence.push(m.evidence);
      if (best === undefined || m.factor > best.factor) best = m;
    }
    if (best === undefined) return [];
    const hit: Hit = {
      signal: 'MAIL_URL_TEXT_MISMATCH',
      ...(best.factor !== 1 ? { factor: best.factor } : {}),
      evidence,
      params: { shown: best.shown, target: best.target },
    };
    return [hit];
  },
};

/** MAIL_URL_* (E1, E3): the message URL checks on the mail's links, and link text vs target. */
export function linksPart(): MailPart {
  return { signals: LINK_SIGNALS, detectors: [urlDetector, mismatchDetector] };
}
