import {
  type Detector,
  type Hit,
  type IndicatorMatch,
  type IndicatorRef,
  type IndicatorVerdict,
  isSensitiveType,
} from '../core/index.ts';
import { INTEL_SIGNAL_BY_TYPE, INTEL_SIGNALS } from './intel-signals.ts';

const VERDICT_JA = {
  malicious: '悪性',
  suspicious: '不審',
  benign: '問題なし',
} as const satisfies Record<IndicatorVerdict, string>;

/** Matches listed in a hit's evidence at most (the strongest first). */
const MAX_EVIDENCE_MATCHES = 5;

/** The factor of one match: confidence / 100, halved for `suspicious`; 0 for `benign`. */
export function matchFactor(match: IndicatorMatch): number {
  if (match.verdict === 'benign') return 0;
  const factor = Math.max(0, Math.min(100, match.confidence)) / 100;
  return match.verdict === 'suspicious' ? factor / 2 : factor;
}

/**
 * Hits for intel matches: one hit per matched value, on the signal of its
 * type, with the factor of its strongest match. No I/O: the engine looked
 * the matches up once in the pre stage (`ctx.intel`).
 *
 * - `benign` matches fire nothing, and an organisation's own `benign`
 *   indicator silences every match on that value (its own correction of a
 *   false positive wins over what others share; measure E4).
 * - Evidence names the value (the keyed hash for sensitive types, never a
 *   raw number), the event field, and each match's verdict, confidence,
 *   source and scope. A match shared by a partner names that partner's
 *   organisation id (`shared_by=`): partners agreed to share with each
 *   other, and the analyst needs to know whom to contact (to freeze an
 *   account, M3). A `public` match of another organisation is marked
 *   `shared=public` without the publisher's id: the caller has no
 *   relationship with it, and who reported what is the publisher's
 *   business; its chosen `source` label already says where it came from.
 */
export function intelHits(
  orgId: string,
  indicators: readonly IndicatorRef[],
  matches: readonly IndicatorMatch[],
): Hit[] {
  const groups = new Map<string, IndicatorMatch[]>();
  for (const m of matches) {
    const key = `${m.type}\u0000${m.value}`;
    const group = groups.get(key);
    if (group) group.push(m);
    else groups.set(key, [m]);
  }
  const hits: Hit[] = [];
  for (const group of groups.values()) {
    if (group.some((m) => m.orgId === orgId && m.verdict === 'benign')) continue;
    const ranked = group
      .filter((m) => matchFactor(m) > 0)
      .sort(
        (a, b) => matchFactor(b) - matchFactor(a) || Number(b.orgId === orgId) - Number(a.orgId === orgId),
      );
    const best = ranked[0];
    if (!best) continue;
    const fields = [
      ...new Set(
        indicators
          .filter((r) => r.type === best.type && r.value === best.value && r.field)
          .map((r) => r.field!),
      ),
    ];
    const evidence = [`${best.type}=${best.value}`];
    if (fields.length > 0) evidence.push(`field=${fields.join(',')}`);
    for (const m of ranked.slice(0, MAX_EVIDENCE_MATCHES)) evidence.push(describeMatch(orgId, m));
    if (ranked.length > MAX_EVIDENCE_MATCHES)
      evidence.push(`more_matches=${ranked.length - MAX_EVIDENCE_MATCHES}`);
    hits.push({
      signal: INTEL_SIGNAL_BY_TYPE[best.type],
      factor: Math.round(matchFactor(best) * 1000) / 1000,
      evidence,
      params: {
        value: isSensitiveType(best.type) ? `${best.value.slice(0, 12)}…` : best.value,
        source: best.source,
        verdict: best.verdict,
        verdictJa: VERDICT_JA[best.verdict],
        confidence: best.confidence,
      },
    });
  }
  return hits;
}

function describeMatch(orgId: string, m: IndicatorMatch): string {
  const base = `verdict=${m.verdict} confidence=${m.confidence} source=${m.source} scope=${m.scope}`;
  // Only the caller's own indicator ids are of use to it (it can open them).
  if (m.orgId === orgId) return `${base} id=${m.id}`;
  return m.scope === 'partners' ? `${base} shared_by=${m.orgId}` : `${base} shared=public`;
}

const intelMatch: Detector = {
  name: 'intel.match',
  stage: 'detect',
  signals: INTEL_SIGNALS.map((s) => s.name),
  run: (_event, ctx) => intelHits(ctx.orgId, ctx.indicators, ctx.intel),
};

/**
 * The `INTEL_MATCH_*` detectors every channel includes (with
 * `INTEL_SIGNALS` among its signals): hits for the intel matches of the
 * indicators the channel's extractor pulled out of the event.
 *
 * @example
 * export const message: ChannelModule<MessagePayload> = {
 *   signals: [...INTEL_SIGNALS, ...MESSAGE_SIGNALS],
 *   detectors: [...intelMatchDetectors<MessagePayload>(), lureModel],
 *   …
 * };
 */
export function intelMatchDetectors<P = unknown, S = unknown>(): Detector<P, S>[] {
  return [intelMatch as Detector<P, S>];
}
