import { defineSignals, type Hit } from '../../../core/index.ts';
import { isBrandOwnHost } from '../../../intel/lookalike.ts';
import { LruCache } from '../../../intel/lru-cache.ts';
import { assessUrl } from '../../../intel/url-risk.ts';
import { labelledFeatures } from '../../../ml/features.ts';
import {
  loadMailModel,
  MAIL_FEATURES,
  MAIL_LURE_FLOOR,
  type MailModel,
  mailFeatures,
  mailProbability,
} from '../../../ml/mail-data.ts';
import { PLACEHOLDER_TOKENS } from '../../../ml/normalise-text.ts';
import type { MailPart } from '../mail-part.ts';
import type { MailDetector, MailState } from '../mail-state.ts';

/**
 * MAIL_LURE_MODEL (issue 11 item 2; measures E1 fraud mail caught, E4 legitimate mail not
 * flagged): the mail content model's calibrated probability that a mail is a fraud lure
 * (src/ml/mail-data.ts: character n-grams of the channel's normalised subject + text, Latin
 * words and pairs, binary and scaled to unit length; logistic regression with Platt calibration,
 * trained on the SpamAssassin corpus, Enron-spam and hand-written 2022–26 Japanese and English
 * phishing and legitimate mail; `npm run eval` for its held-out figures).
 *
 * Score = weight 5 × factor, factor = 1 + 2.5 × (p − 0.5) capped at 2, from p ≥ 0.5 — on the
 * mail thresholds (warn 4, hold 8, block 40):
 * - p < 0.5: no hit;
 * - p 0.5: 5, the model alone warns (headers on a delivered mail);
 * - p ≥ 0.74: ≥ 8, the model alone holds a clear lure in quarantine;
 * - p → 1: 10 at most, never a block alone: wording can be copied by a real notice, and a
 *   rejected mail is lost to its recipient. A look-alike link (6), a brand spoof or a DMARC
 *   failure beside it reaches 15.
 * A brand's notice says what a lure says (「ご本人確認」「お支払い方法の更新」), and what tells them
 * apart is where the mail sends the reader. A mail whose links ALL go to brands' own or popular
 * sites and that gives no phone number counts half ({@link OWN_LINKS_FACTOR}): its wording alone
 * warns at most (2.5–5), and the authentication and URL checks decide. A mail with no link at all
 * keeps the full factor: sextortion, gift-card and invoice-fraud mail lead by reply or by a
 * wallet address, not by a link.
 * Evidence: the five n-grams that added most to the log-odds, with their contributions
 * (computed only for a mail that hits, remembered per text).
 */
export const MAIL_LURE_SIGNALS = defineSignals([
  {
    name: 'MAIL_LURE_MODEL',
    group: 'content',
    weight: 5,
    description: {
      ja: '本文が詐欺・フィッシングメールの特徴に一致する（日英の文面モデルの確率）',
      en: 'The wording matches fraud and phishing mail (probability from the Japanese and English content model)',
    },
    reason: {
      ja: '文面モデルがフィッシング・詐欺の確率 {probability} と判定しました（主な特徴: {features}）',
      en: 'The content model gives a phishing or fraud probability of {probability} (main features: {features})',
    },
    customer: {
      ja: '詐欺やフィッシングのメールによく似た文面です',
      en: 'The wording closely resembles fraud and phishing mail',
    },
  },
]);

/** The factor's cap: 5 × 2 = 10, above hold (8), well under block (40). */
export const MAIL_LURE_MAX_FACTOR = 2;
/** The factor's multiplier when every link goes to a brand's own or a popular site and no phone number is given. */
export const OWN_LINKS_FACTOR = 0.5;
/** Fewer characters than this outside placeholders and spaces: not scored (the prior would decide). */
export const MAIL_LURE_MIN_CHARS = 12;
/** How many features the evidence names. */
const EVIDENCE_FEATURES = 5;
/** Evidence reads at most this many characters of the normalised text (labelling allocates per feature). */
export const MAIL_EVIDENCE_WINDOW = 2000;

/** factor = 1 + 2.5 (p − 0.5), capped: p 0.5 → 1 (5, warn), p 0.74 → 1.6 (8, hold), p ≥ 0.9 → 2 (10). */
export function mailLureFactor(p: number): number {
  return Math.min(MAIL_LURE_MAX_FACTOR, 1 + 2.5 * (p - 0.5));
}

/** Characters of a normalised text outside its placeholders and spaces. */
export function mailContentLength(normalised: string): number {
  let n = 0;
  let text = normalised;
  for (const token of Object.values(PLACEHOLDER_TOKENS)) text = text.split(token).join('');
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) !== 0x20) n++;
  return n;
}

/**
 * Whether the mail has links and every one goes to a brand's own or a popular site, with no
 * phone number in its text: what real notices of brands look like (a lure leads elsewhere).
 */
export function onlyOwnLinks(state: Pick<MailState, 'urls' | 'normalised'>): boolean {
  if (state.urls.length === 0) return false;
  for (const r of state.normalised.replacements) if (r.kind === 'phone') return false;
  for (const u of state.urls) if (!isBrandOwnHost(u.host) && !assessUrl(u).popular) return false;
  return true;
}

/** The top features of a text towards fraud, as readable n-grams with their contributions. */
export function topMailFeatures(m: MailModel, normalised: string, n = EVIDENCE_FEATURES): string[] {
  const values = mailFeatures(normalised);
  // Only the features that push most towards fraud are spelt out: building every n-gram's text of
  // the window cost 0.86 ms a mail, most of the detector's time on a mail that hits.
  const wanted = strongest(m, values, LABELLED_CANDIDATES);
  const byIndex = new Map<number, string>();
  for (const f of labelledFeatures(normalised.slice(0, MAIL_EVIDENCE_WINDOW), MAIL_FEATURES, wanted)) {
    if (f.text !== '' && !byIndex.has(f.index)) byIndex.set(f.index, f.text);
  }
  return [...byIndex]
    .map(([index, text]) => ({
      text: text.trim(),
      contribution: m.model.weightAt(index) * (values.get(index) ?? 0),
    }))
    .filter((f) => f.contribution > 0 && f.text !== '')
    .sort((a, b) => b.contribution - a.contribution || (a.text < b.text ? -1 : 1))
    .slice(0, n)
    .map((f) => `「${f.text}」+${f.contribution.toFixed(2)}`);
}

/** How many of the strongest features are spelt out for the evidence (some lie past its window). */
const LABELLED_CANDIDATES = 40;

/** The indices of the `n` features with the largest positive contributions (ties may add a few). */
function strongest(m: MailModel, values: ReadonlyMap<number, number>, n: number): Set<number> {
  const contributions = new Float64Array(values.size);
  let k = 0;
  for (const [index, value] of values) contributions[k++] = m.model.weightAt(index) * value;
  // A numeric sort of a typed array, not of tuples through a comparator: a mail has thousands of features.
  const sorted = contributions.slice().sort();
  const floor = Math.max(
    Number.MIN_VALUE,
    sorted[Math.max(0, sorted.length - n)] ?? Number.POSITIVE_INFINITY,
  );
  const wanted = new Set<number>();
  k = 0;
  for (const index of values.keys()) if ((contributions[k++] as number) >= floor) wanted.add(index);
  return wanted;
}

/** Evidence remembered per text (up to 4,000 characters): a campaign sends one text many times. */
const explained = new LruCache<string, string[]>(5_000);

function evidence(m: MailModel, normalised: string): string[] {
  if (normalised.length > 4000) return topMailFeatures(m, normalised);
  let features = explained.get(normalised);
  if (features === undefined) {
    features = topMailFeatures(m, normalised);
    explained.set(normalised, features);
  }
  return features;
}

let shared: MailModel | undefined;

/** The committed model, read once per process. */
function model(): MailModel {
  shared ??= loadMailModel();
  return shared;
}

/** Calibrated probability that the mail of this state is a lure (the detector's reading). */
export function mailLureProbability(state: Pick<MailState, 'normalised'>, m: MailModel = model()): number {
  return mailProbability(m, state.normalised.text);
}

/** MAIL_LURE_MODEL (E1, E4): the content model's probability as a factor. */
export function mailLureModelPart(): MailPart {
  const m = model();
  const detector: MailDetector = {
    name: 'mail.lure_model',
    signals: ['MAIL_LURE_MODEL'],
    // ~0.3 ms warm on a long mail; the first mail of a process also compiles the scanner.
    budgetMs: 250,
    run(_event, ctx) {
      const normalised = ctx.state.normalised.text;
      if (mailContentLength(normalised.slice(0, 400)) < MAIL_LURE_MIN_CHARS) return [];
      const p = mailLureProbability(ctx.state, m);
      if (!(p >= MAIL_LURE_FLOOR)) return [];
      const features = evidence(m, normalised);
      const own = onlyOwnLinks(ctx.state);
      const hit: Hit = {
        signal: 'MAIL_LURE_MODEL',
        factor: own ? mailLureFactor(p) * OWN_LINKS_FACTOR : mailLureFactor(p),
        evidence: [`p=${p.toFixed(3)}`, ...(own ? ['own-links-only'] : []), ...features],
        params: { probability: p.toFixed(2), features: features.join(' ') || '—' },
      };
      return [hit];
    },
  };
  return { signals: MAIL_LURE_SIGNALS, detectors: [detector] };
}
