import { ACTION_LABELS, type Action, maxAction } from './action.ts';
import type { DetectorOutcome, Stage } from './detector.ts';
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

/** One human-readable reason, in Japanese and English. */
export interface Reason extends LocalizedText {
  readonly signal: string;
}

/** Who forced the action, when something did. */
export interface Forced {
  readonly action: Action;
  /** The signal whose policy forced the action, or the override that matched. */
  readonly by: string;
  readonly kind: 'signal' | 'allow_override' | 'deny_override';
}

/**
 * The verdict: the action, the score, the hits with evidence, reasons in
 * Japanese and English, which policy version decided, and how long each stage
 * took. Every verdict is written to the decision log.
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
  readonly indicators: readonly IndicatorRef[];
  readonly policy: { readonly id: string; readonly version: number };
  readonly timings: Readonly<Record<Stage | 'total', number>>;
  readonly createdAt: string;
}

/** The part of a verdict that follows from hits and a policy alone. */
export interface Scored {
  readonly action: Action;
  readonly score: number;
  readonly hits: readonly VerdictHit[];
  readonly forced?: Forced;
}

interface RawHit {
  readonly signal: string;
  readonly detector: string;
  readonly factor: number;
  readonly evidence: readonly string[];
  readonly params?: Readonly<Record<string, string | number>> | undefined;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

/**
 * Score hits under a compiled policy: sum weight × factor per group, cap each
 * group at its `maxScore`, map the total to an action by the thresholds, then
 * raise it to any forced action. Disabled signals are dropped. Pure: the
 * engine and the policy dry-run both use it, so they cannot disagree.
 */
export function scoreHits(policy: CompiledPolicy, raw: readonly RawHit[]): Scored {
  const hits: VerdictHit[] = [];
  const groups = new Map<string, number>();
  let forced: Forced | undefined;
  for (const h of raw) {
    const eff = policy.signals.get(h.signal);
    if (!eff?.enabled) continue;
    const score = eff.weight * h.factor;
    const group = eff.declaration.group;
    groups.set(group, (groups.get(group) ?? 0) + score);
    const hit: VerdictHit = {
      signal: h.signal,
      group,
      detector: h.detector,
      factor: h.factor,
      weight: eff.weight,
      score: round(score),
      evidence: h.evidence,
      ...(h.params ? { params: h.params } : {}),
    };
    hits.push(hit);
    if (eff.forceAction && (!forced || maxAction(forced.action, eff.forceAction) !== forced.action)) {
      forced = { action: eff.forceAction, by: h.signal, kind: 'signal' };
    }
  }
  let total = 0;
  for (const [group, sum] of groups) {
    const max = policy.groupMax.get(group);
    total += max !== undefined && sum > max ? max : sum;
  }
  total = round(total);
  let action: Action = 'allow';
  for (const [a, min] of policy.thresholds) {
    if (total >= min) {
      action = a;
      break;
    }
  }
  if (forced) action = maxAction(action, forced.action);
  return forced ? { action, score: total, hits, forced } : { action, score: total, hits };
}

/** Reasons for a verdict: the signals that mattered, strongest first, in ja and en. */
export function explain(
  scored: Scored,
  describe: (signal: string) => { description: LocalizedText; reason?: LocalizedText } | undefined,
): { reasons: Reason[]; summary: LocalizedText } {
  const reasons: Reason[] = [];
  const ordered = [...scored.hits].sort(
    (a, b) =>
      Number(b.signal === scored.forced?.by) - Number(a.signal === scored.forced?.by) ||
      Math.abs(b.score) - Math.abs(a.score),
  );
  const seen = new Set<string>();
  for (const hit of ordered) {
    if (hit.score === 0 && hit.signal !== scored.forced?.by) continue;
    const key = `${hit.signal}\u0000${JSON.stringify(hit.params ?? {})}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const decl = describe(hit.signal);
    const text = decl?.reason ?? decl?.description ?? { ja: hit.signal, en: hit.signal };
    reasons.push({ signal: hit.signal, ja: format(text.ja, hit.params), en: format(text.en, hit.params) });
  }
  const label = ACTION_LABELS[scored.action];
  let summary: LocalizedText;
  if (scored.forced?.kind === 'allow_override') {
    summary = { ja: `許可リストに一致したため${label.ja}`, en: `${label.en}: matched the allow list` };
  } else if (scored.forced?.kind === 'deny_override') {
    summary = { ja: `拒否リストに一致したため${label.ja}`, en: `${label.en}: matched the deny list` };
  } else if (reasons.length === 0) {
    summary = { ja: `問題は検出されませんでした（${label.ja}）`, en: `No problem found (${label.en})` };
  } else {
    summary = {
      ja: `判定: ${label.ja}（スコア ${scored.score}、理由 ${reasons.length} 件）`,
      en: `Verdict: ${label.en} (score ${scored.score}, ${reasons.length} reason${reasons.length === 1 ? '' : 's'})`,
    };
  }
  return { reasons, summary };
}
