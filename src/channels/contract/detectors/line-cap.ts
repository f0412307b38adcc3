import type { Hit } from '../../../core/index.ts';
import type { SimCounts } from '../contract-context.ts';
import { type ContractApplication, SIM_TYPES, type SimType } from '../contract-schema.ts';
import { NEEDS_HISTORY } from '../history.ts';
import { type CapGroup, type ContractSettings, fallbackEvidence } from '../settings.ts';
import {
  applicationEvidence,
  type ContractDetector,
  contextEvidence,
  countsText,
  coveringException,
  requestedLines,
  servicesOf,
  settingsOf,
} from './application.ts';
import { CAP_GROUP_LABELS, counted, HOLDER_TYPE_LABELS } from './labels.ts';

const CAP_GROUPS = ['voice', 'data'] as const satisfies readonly CapGroup[];
/** Recent applications of the holder listed on the hit, for the reviewer. */
const HISTORY_SHOWN = 5;
const PURPOSE_SHOWN = 200;

/** The cap group a SIM type counts in: SMS-capable data SIMs count like voice unless the carrier says otherwise. */
export function capGroupOf(simType: SimType, settings: ContractSettings): CapGroup {
  if (simType === 'voice') return 'voice';
  if (simType === 'data') return 'data';
  return settings.dataSmsCountsAs;
}

interface Over {
  readonly group: CapGroup;
  readonly types: readonly SimType[];
  readonly cap: number;
  readonly existing: number;
  readonly requested: number;
  readonly total: number;
}

/** The cap groups this application takes over the holder's cap. */
export function capsExceeded(
  app: ContractApplication,
  existing: SimCounts,
  settings: ContractSettings,
): Over[] {
  const caps = settings.lineCaps[app.holder.type];
  const requested = requestedLines(app);
  const over: Over[] = [];
  for (const group of CAP_GROUPS) {
    const cap = caps[group];
    if (cap === null) continue;
    const types = SIM_TYPES.filter((t) => capGroupOf(t, settings) === group);
    const asked = types.reduce((n, t) => n + requested[t], 0);
    // Lines held over the cap do not stop an application for lines of another group.
    if (asked === 0) continue;
    const held = types.reduce((n, t) => n + existing[t], 0);
    if (held + asked > cap) {
      over.push({ group, types, cap, existing: held, requested: asked, total: held + asked });
    }
  }
  return over;
}

/** The declared purposes of the requested lines, as one text. */
function purposeOf(app: ContractApplication): { ja: string; en: string } {
  const purposes = [...new Set(app.lines.map((l) => l.purpose).filter((p): p is string => p !== undefined))];
  if (purposes.length === 0)
    return { ja: '未記入：お客様に確認してください', en: 'none given: ask the customer' };
  const text = purposes.join(' / ');
  const short = text.length > PURPOSE_SHOWN ? `${text.slice(0, PURPOSE_SHOWN)}…` : text;
  return { ja: short, en: short };
}

/**
 * Line cap (上限契約台数, measure P2): the holder's lines held now plus the
 * lines requested, per cap group (voice with SMS-capable data SIMs; data-only)
 * and holder type, against the carrier's cap. Over the cap the application
 * goes to HQ as a review case carrying the declared purpose and whether the
 * pledge (誓約書) was signed, the counts by SIM type and the holder's recent
 * history. When HQ has approved an exception for this application, and it
 * covers every line requested now, the check reports that instead; a request
 * beyond the approved lines fires as before.
 */
export const lineCap: ContractDetector = {
  name: 'contract.line_cap',
  signals: ['CONTRACT_LINE_CAP_EXCEEDED'],
  needs: NEEDS_HISTORY,
  run(event, ctx) {
    const app = event.payload;
    const read = settingsOf(ctx);
    const context = servicesOf(ctx);
    const over = capsExceeded(app, context.existingLines, read.settings);
    if (over.length === 0) return [];
    const requested = requestedLines(app);
    const purpose = purposeOf(app);
    const common = [
      `holder_type=${app.holder.type}`,
      `existing_by_type=${countsText(context.existingLines)}`,
      `requested_by_type=${countsText(requested)}`,
      `purpose=${purpose.en}`,
      `pledge_signed=${app.pledgeSigned}`,
      `holder_applications=${context.holderApplications.length}`,
      ...context.holderApplications.slice(0, HISTORY_SHOWN).map(applicationEvidence),
      `recently_cancelled=${context.recentlyCancelled}`,
    ];
    const evidenceOf = (o: Over) => [
      `cap_group=${o.group} (${o.types.join('+')})`,
      `cap=${o.cap} existing=${o.existing} requested=${o.requested} total=${o.total}`,
    ];
    // An exception that covers this application waives the hit (the engine's waiver); one that does not is said here.
    const notCovered =
      context.exception && !coveringException(app, context)
        ? [
            `exception_case=${context.exception.caseId} approved ${countsText(context.exception.lines)} over ${countsText(context.exception.held)} held; requested ${countsText(requested)} over ${countsText(context.existingLines)} held now is beyond it`,
          ]
        : [];
    const holder = HOLDER_TYPE_LABELS[app.holder.type];
    return over.map(
      (o): Hit => ({
        signal: 'CONTRACT_LINE_CAP_EXCEEDED',
        evidence: [
          ...evidenceOf(o),
          ...common,
          ...notCovered,
          ...fallbackEvidence(read, 'lineCaps', 'dataSmsCountsAs'),
          ...contextEvidence(ctx),
        ],
        params: {
          holderTypeJa: holder.ja,
          holderTypeEn: holder.en,
          capGroupJa: CAP_GROUP_LABELS[o.group].ja,
          capGroupEn: CAP_GROUP_LABELS[o.group].en,
          cap: o.cap,
          capEn: counted(o.cap, 'line'),
          existing: o.existing,
          existingEn: counted(o.existing, 'line'),
          requested: o.requested,
          requestedEn: counted(o.requested, 'line'),
          total: o.total,
          purposeJa: purpose.ja,
          purposeEn: purpose.en,
          pledgeJa: app.pledgeSigned ? 'あり' : 'なし：受領してください',
          pledgeEn: app.pledgeSigned ? 'signed' : 'not signed: collect it',
        },
      }),
    );
  },
};
