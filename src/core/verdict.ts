import { ACTION_LABELS, type Action, severity } from './action.ts';
import { assertNever } from './assert-never.ts';
import type { DetectorOutcome, Stage } from './detector.ts';
import type { EnrichmentOutcome } from './enrichment.ts';
import type { IndicatorRef } from './indicator.ts';
import type { CompiledPolicy } from './policy.ts';
import { format, type LocalizedText } from './text.ts';

/** A hit as recorded in a verdict: what fired, how strongly, why, and what it added to the score. */
export interface VerdictHit {
  readonly signal: string;
  readonly group: string;
  readonly detector: string;
  readonly factor: number;
  readonly weight: number;
  /** weight × factor, before group caps. */
  readonly score: number;
  readonly evidence: readonly string[];
  readonly params?: Readonly<Record<string, string | number>>;
}

/**
 * One human-readable reason, in Japanese and English: the reviewer's text.
 * `customer`, when the signal declares one, is what may be read or shown to
 * the customer (filled from the same params); it never discloses other
 * people's applications, windows, counts or thresholds.
 */
export interface Reason extends LocalizedText {
  readonly signal: string;
  readonly customer?: LocalizedText;
}

/**
 * A notice a platform or shop shows beside the verdict (a resale-prohibition
 * notice on an allowed application, a warning label on a message): not a reason,
 * not scored. `code` is stable, like a signal name.
 *
 * @example { code: 'line.resale_prohibited', ja: '転売は禁止されています', en: 'Resale is prohibited' }
 */
export interface Notice extends LocalizedText {
  readonly code: string;
}

/**
 * Who forced the action, when something did: an allow or deny list entry, or
 * a signal whose forced action was at least as severe as the scored one (a
 * forced action below the scored one changed nothing and is not recorded).
 */
export interface Forced {
  readonly action: Action;
  /** The signal whose policy forced the action, or the override that matched. */
  readonly by: string;
  readonly kind: 'signal' | 'allow_override' | 'deny_override';
}

/**
 * The verdict: the action, the score, the hits with evidence, reasons in
 * Japanese and English, which policy version decided, and how long each stage
 * took (`post` includes scoring and explaining). Every verdict is written to
 * the decision log. Plain JSON data: it round-trips through `JSON.stringify`.
 */
export interface Verdict {
  readonly id: string;
  readonly orgId: string;
  readonly channel: string;
  readonly eventId: string;
  readonly action: Action;
  readonly score: number;
  readonly hits: readonly VerdictHit[];
  readonly forced?: Forced;
  readonly outcomes: readonly DetectorOutcome[];
  readonly reasons: readonly Reason[];
  readonly summary: LocalizedText;
  /** What the channel asks to be shown beside the verdict; absent when there is none. */
  readonly notices?: readonly Notice[];
  /** How each enrichment the detectors needed went (absent when none ran). */
  readonly enrichments?: readonly EnrichmentOutcome[];
  readonly indicators: readonly IndicatorRef[];
  /**
   * The policy that decided, and the named thresholds that replaced its own
   * for this event when the channel gave some (a subscriber's filter
   * strength, `ChannelModule.thresholds`).
   */
  readonly policy: { readonly id: string; readonly version: number; readonly thresholds?: string };
  /** Milliseconds per stage; `enrich`, when enrichments ran, from the first one's start to the last answer. */
  readonly timings: Readonly<Record<Stage | 'total', number>> & { readonly enrich?: number };
  readonly createdAt: string;
}

/** The part of a verdict that follows from hits and a policy alone. */
export interface Scored {
  readonly action: Action;
  readonly score: number;
  readonly hits: readonly VerdictHit[];
  readonly forced?: Forced;
}

/** A hit to be scored: a detector's hit after the engine checked it (also what a verdict records). */
export interface RawHit {
  readonly signal: string;
  readonly detector: string;
  readonly factor: number;
  readonly evidence: readonly string[];
  readonly params?: Readonly<Record<string, string | number>> | undefined;
}

// `+ 0` turns -0 into 0, so a verdict never carries a negative zero.
const round = (n: number) => Math.round(n * 1000) / 1000 + 0;

/** Sum in ascending order, so the total does not depend on the order the hits came in. */
function sum(values: number[]): number {
  if (values.length === 1) return values[0] as number;
  values.sort((a, b) => a - b);
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/**
 * Score hits under a compiled policy: sum weight × factor per group, cap each
 * group at its `maxScore`, map the total to an action by the thresholds (the
 * most severe action whose threshold is reached), then raise it to any forced
 * action. Disabled signals are dropped. Pure and independent of the order of
 * `raw`: the engine and the policy dry-run both use it, so they cannot disagree.
 *
 * `forced` is set only when a forced action decided the verdict: a forced
 * action below the scored one neither lowers it nor shows as forcing it. When
 * several signals force the same action, the first by name is named.
 */
export function scoreHits(policy: CompiledPolicy, raw: readonly RawHit[]): Scored {
  const hits: VerdictHit[] = [];
  const groups = new Map<string, number[]>();
  let forced: Forced | undefined;
  for (const h of raw) {
    const eff = policy.signals.get(h.signal);
    if (!eff?.enabled) continue;
    const score = eff.weight * h.factor;
    const group = eff.declaration.group;
    const scores = groups.get(group);
    if (scores) scores.push(score);
    else groups.set(group, [score]);
    hits.push(
      h.params
        ? {
            signal: h.signal,
            group,
            detector: h.detector,
            factor: h.factor,
            weight: eff.weight,
            score: round(score),
            evidence: h.evidence,
            params: h.params,
          }
        : {
            signal: h.signal,
            group,
            detector: h.detector,
            factor: h.factor,
            weight: eff.weight,
            score: round(score),
            evidence: h.evidence,
          },
    );
    const f = eff.forceAction;
    if (
      f !== undefined &&
      (forced === undefined ||
        severity(f) > severity(forced.action) ||
        (f === forced.action && h.signal < forced.by))
    ) {
      forced = { action: f, by: h.signal, kind: 'signal' };
    }
  }
  const totals: number[] = [];
  for (const [group, scores] of groups) {
    const groupSum = sum(scores);
    const max = policy.groupMax.get(group);
    totals.push(max !== undefined && groupSum > max ? max : groupSum);
  }
  const total = totals.length === 0 ? 0 : round(sum(totals));
  let action: Action = 'allow';
  for (const [a, min] of policy.thresholds) {
    if (total >= min) {
      action = a;
      break;
    }
  }
  if (forced && severity(forced.action) >= severity(action)) {
    return { action: forced.action, score: total, hits, forced };
  }
  return { action, score: total, hits };
}

/** What {@link explain} needs of a signal's declaration. */
export type Describe = (signal: string) =>
  | {
      readonly description: LocalizedText;
      readonly reason?: LocalizedText | undefined;
      readonly customer?: LocalizedText | undefined;
      readonly explainAlways?: boolean | undefined;
    }
  | undefined;

/**
 * Reasons for a verdict: the signals that mattered (a non-zero score, the one
 * that forced the action, or one declared `explainAlways`), the forcing one
 * first, then strongest first by absolute score, each once per distinct filled
 * text, in ja and en with the placeholders filled (and the customer's text
 * where the signal has one); and a one-line summary that names the top
 * reason's signal description.
 */
export function explain(scored: Scored, describe: Describe): { reasons: Reason[]; summary: LocalizedText } {
  const forcedBy = scored.forced?.by;
  const mattered = scored.hits.filter(
    (h) => h.score !== 0 || h.signal === forcedBy || describe(h.signal)?.explainAlways === true,
  );
  if (mattered.length > 1) {
    mattered.sort(
      (a, b) =>
        Number(b.signal === forcedBy) - Number(a.signal === forcedBy) ||
        Math.abs(b.score) - Math.abs(a.score),
    );
  }
  const reasons: Reason[] = [];
  for (const hit of mattered) {
    const decl = describe(hit.signal);
    const text = decl?.reason ?? decl?.description ?? { ja: hit.signal, en: hit.signal };
    const ja = format(text.ja, hit.params);
    const en = format(text.en, hit.params);
    const customer = decl?.customer
      ? { ja: format(decl.customer.ja, hit.params), en: format(decl.customer.en, hit.params) }
      : undefined;
    // The same signal with the same filled texts says nothing new. A scan: reasons are few, and
    // hashing a joined key per hit cost more than the whole scoring.
    if (
      reasons.some(
        (r) =>
          r.signal === hit.signal &&
          r.ja === ja &&
          r.en === en &&
          r.customer?.ja === customer?.ja &&
          r.customer?.en === customer?.en,
      )
    )
      continue;
    reasons.push(customer ? { signal: hit.signal, ja, en, customer } : { signal: hit.signal, ja, en });
  }
  const top = reasons[0];
  const topText = top ? (describe(top.signal)?.description ?? { ja: top.signal, en: top.signal }) : undefined;
  return { reasons, summary: summarise(scored, reasons.length, topText) };
}

/**
 * The one-line summary: the action, score and number of reasons, then the top
 * reason's description (`…（…）：<description>`, `… (…): <description>`), so a
 * clerk reads why without opening the reasons. An allow or deny list match
 * names the list instead: it is the only reason that counts.
 */
function summarise(scored: Scored, count: number, top: LocalizedText | undefined): LocalizedText {
  const label = ACTION_LABELS[scored.action];
  const forced = scored.forced;
  const reasons = `${count} reason${count === 1 ? '' : 's'}`;
  const withTop = (ja: string, en: string): LocalizedText =>
    top ? { ja: `${ja}：${top.ja}`, en: `${en}: ${top.en}` } : { ja, en };
  if (!forced) {
    if (count === 0)
      return { ja: `問題は検出されませんでした（${label.ja}）`, en: `No problem found (${label.en})` };
    return withTop(
      `判定: ${label.ja}（スコア ${scored.score}、理由 ${count} 件）`,
      `Verdict: ${label.en} (score ${scored.score}, ${reasons})`,
    );
  }
  switch (forced.kind) {
    case 'allow_override':
      return { ja: `許可リストに一致したため${label.ja}`, en: `${label.en}: matched the allow list` };
    case 'deny_override':
      return { ja: `拒否リストに一致したため${label.ja}`, en: `${label.en}: matched the deny list` };
    case 'signal':
      return withTop(
        `判定: ${label.ja}（${forced.by} により強制、スコア ${scored.score}、理由 ${count} 件）`,
        `Verdict: ${label.en} (forced by ${forced.by}, score ${scored.score}, ${reasons})`,
      );
    default:
      return assertNever(forced.kind, 'forced kind');
  }
}
