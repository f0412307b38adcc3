import { defineSignals, type Hit } from '../../../core/index.ts';
import { isBrandOwnHost } from '../../../intel/lookalike.ts';
import { LruCache } from '../../../intel/lru-cache.ts';
import { assessUrl } from '../../../intel/url-risk.ts';
import { labelledFeatures } from '../../../ml/features.ts';
import {
  loadMessageModel,
  MESSAGE_FEATURES,
  type MessageModel,
  messageProbability,
} from '../../../ml/message-data.ts';
import { PLACEHOLDER_TOKENS, type PlaceholderKind } from '../../../ml/normalise-text.ts';
import type { MessagePart } from '../message-part.ts';
import type { MessageDetector, MessageState } from '../message-state.ts';

/**
 * MESSAGE_LURE_MODEL (measures I1, I3; issue 9 item 2): the content model's
 * calibrated probability that the text is a fraud lure (src/ml: character
 * n-grams of the normalised text, Latin words, placeholders; logistic
 * regression with Platt calibration, trained on real UCI / SpamHunter texts
 * and hand-written 2020–26 lures and legitimate messages, English and
 * Japanese).
 *
 * Score = weight 4 × factor, factor = 2p capped at 1.9 — so, at the standard
 * strength (warn ≥ 4, block ≥ 8):
 * - p < 0.5: no hit. The calibration is fitted on training data far richer in
 *   fraud than real traffic, so a middling p over-states the risk; below 0.5
 *   the other detectors decide (a short "写真です <URL>" is left to the URL checks);
 * - p ≥ 0.5: score ≥ 4, the model alone warns — calibrated p 0.5 is the point
 *   where, on the calibration rows, a text of that score is fraud as often as not;
 * - p → 1: 7.6, still a warn: the model alone never blocks (it reads wording,
 *   and wording can be copied by a real notice); with one URL or sender sign
 *   of weight ≥ 0.4 it blocks.
 * A lure leads somewhere: a link, a number to call, an address to write to,
 * a keyword to reply. A text that gives the recipient nowhere to go but
 * brands' own or popular sites (a real carrier's delivery notice, a bank's
 * "call the number on your card") scores half ({@link NO_WAY_OUT_FACTOR}),
 * so wording alone, however close to a lure, does not warn: notices copy the
 * lures' wording (or the lures copy theirs), and what tells them apart is
 * where they send the reader — which the URL, sender and call-back checks
 * read. With the factor's cap the model then stays below warn alone.
 * Runs in the `post` stage and defers to POST_RECRUITMENT_CRIME: when that
 * detector (its own model and cues for 闇バイト posts) has fired, the content
 * model's reading of the same words would count them twice.
 * Texts with fewer than {@link LURE_MODEL_MIN_CHARS} characters outside the
 * placeholders are not scored: with a URL and two words the model sees little
 * more than the `<URL>` placeholder, and its prior decides.
 * Evidence: the five n-grams of the message that added most to the log-odds,
 * with their weights (computed only for a message that hits).
 */
export const LURE_MODEL_SIGNALS = defineSignals([
  {
    name: 'MESSAGE_LURE_MODEL',
    group: 'content',
    weight: 4,
    description: {
      ja: '文面が詐欺メッセージの特徴に一致する（日英の文面モデルの確率）',
      en: 'The wording matches fraud lures (probability from the Japanese and English content model)',
    },
    reason: {
      ja: '文面モデルが詐欺の確率 {probability} と判定しました（主な特徴: {features}）',
      en: 'The content model gives a fraud probability of {probability} (main features: {features})',
    },
    customer: {
      ja: '詐欺メッセージによく似た文面です',
      en: 'The wording closely resembles fraud messages',
    },
  },
]);

/** Below this calibrated probability the model does not hit. */
export const LURE_MODEL_FLOOR = 0.5;
/** Fewer characters than this outside placeholders and spaces: not scored. */
export const LURE_MODEL_MIN_CHARS = 12;

/** Characters of a normalised text outside its placeholders and spaces. */
export function contentLength(
  normalised: string,
  placeholders: readonly { kind: PlaceholderKind }[],
): number {
  let n = normalised.length;
  for (const r of placeholders) n -= PLACEHOLDER_TOKENS[r.kind].length;
  for (let i = 0; i < normalised.length; i++) if (normalised.charCodeAt(i) === 0x20) n--;
  return n;
}
/** The factor's cap: 4 × 1.9 = 7.6 stays under block (8). */
export const LURE_MODEL_MAX_FACTOR = 1.9;
/** Signals that read the same words with a model of their own: the content model then stays silent. */
const DEFERS_TO: ReadonlySet<string> = new Set(['POST_RECRUITMENT_CRIME', 'POST_RECRUITMENT_CRIME_CERTAIN']);
/** How many features the evidence names. */
const EVIDENCE_FEATURES = 5;

/** The factor's multiplier when the text leads nowhere a fraudster controls (see the signal's doc). */
export const NO_WAY_OUT_FACTOR = 0.5;

// A keyword to send back or a number to text or call: premium-SMS and "reply YES" lures lead there.
const REPLY_CUE = /\b(?:reply|txt|text|send|call|ring|whatsapp|telegram)\b|返信|ライン|line|テレグラム/u;

/**
 * Whether the message gives the recipient somewhere to go that its sender may control: a URL off
 * brands' own and popular sites, a phone number, an e-mail address, or a reply or call cue.
 */
export function leadsSomewhere(state: MessageState): boolean {
  for (const r of state.text.replacements) if (r.kind === 'phone' || r.kind === 'email') return true;
  for (const u of state.urls) if (!isBrandOwnHost(u.host) && !assessUrl(u).popular) return true;
  return REPLY_CUE.test(state.text.text);
}

/** factor = 2p, capped: p 0.5 → 1 (score 4, warn), p 0.95 → 1.9 (score 7.6). */
export function lureFactor(p: number): number {
  return Math.min(LURE_MODEL_MAX_FACTOR, 2 * p);
}

/** Evidence reads at most this many characters of the text (a long post's opening carries the lure). */
export const EVIDENCE_WINDOW = 2000;

/**
 * The top features of a text towards fraud, as readable n-grams with their summed contributions,
 * from its first {@link EVIDENCE_WINDOW} characters: labelling builds a string per feature, which
 * for 100 KB would take tens of milliseconds.
 */
export function topLureFeatures(m: MessageModel, normalised: string, n = EVIDENCE_FEATURES): string[] {
  const byIndex = new Map<number, { text: string; count: number }>();
  for (const f of labelledFeatures(normalised.slice(0, EVIDENCE_WINDOW), MESSAGE_FEATURES)) {
    const seen = byIndex.get(f.index);
    if (seen === undefined) byIndex.set(f.index, { text: f.text, count: 1 });
    else seen.count++;
  }
  return [...byIndex]
    .map(([index, { text, count }]) => ({ text: text.trim(), contribution: m.model.weightAt(index) * count }))
    .filter((f) => f.contribution > 0 && f.text !== '')
    .sort((a, b) => b.contribution - a.contribution || (a.text < b.text ? -1 : 1))
    .slice(0, n)
    .map((f) => `「${f.text}」+${f.contribution.toFixed(2)}`);
}

/** Evidence remembered per text (up to 1,000 characters): copies of a lure repeat it word for word. */
const explained = new LruCache<string, string[]>(10_000);

function lureEvidence(m: MessageModel, normalised: string): string[] {
  if (normalised.length > 1000) return topLureFeatures(m, normalised);
  let features = explained.get(normalised);
  if (features === undefined) {
    features = topLureFeatures(m, normalised);
    explained.set(normalised, features);
  }
  return features;
}

let shared: MessageModel | undefined;

/** The committed model, read once per process. */
function model(): MessageModel {
  shared ??= loadMessageModel();
  return shared;
}

/** MESSAGE_LURE_MODEL (I1): the content model's probability as a factor. */
export function lureModelPart(): MessagePart {
  const m = model();
  const detector: MessageDetector = {
    name: 'message.lure_model',
    stage: 'post',
    signals: ['MESSAGE_LURE_MODEL'],
    run(_event, ctx) {
      if (ctx.hits.some((h) => DEFERS_TO.has(h.signal))) return [];
      const { text: normalised, replacements } = ctx.state.text;
      if (contentLength(normalised, replacements) < LURE_MODEL_MIN_CHARS) return [];
      const p = messageProbability(m, normalised);
      if (!(p >= LURE_MODEL_FLOOR)) return [];
      const features = lureEvidence(m, normalised);
      const somewhere = leadsSomewhere(ctx.state);
      const hit: Hit = {
        signal: 'MESSAGE_LURE_MODEL',
        factor: somewhere ? lureFactor(p) : lureFactor(p) * NO_WAY_OUT_FACTOR,
        evidence: [`p=${p.toFixed(3)}`, ...(somewhere ? [] : ['leads-nowhere']), ...features],
        params: { probability: p.toFixed(2), features: features.join(' ') || '—' },
      };
      return [hit];
    },
  };
  return { signals: LURE_MODEL_SIGNALS, detectors: [detector] };
}
