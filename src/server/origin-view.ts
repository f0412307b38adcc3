import type { Case, CaseDetail } from '../cases/case.ts';
import type { CasePage } from '../cases/case-query.ts';
import type { Actor } from '../cases/roles.ts';
import { ACTION_LABELS, type Action, type LocalizedText, type Reason, type Verdict } from '../core/index.ts';

/**
 * What an origin-bound key (a shop's or sales agency's, P2) is shown of a
 * verdict or a case: the action, the summary, the reasons — each in the
 * customer's words where its signal has them (`reason.customer`, what the
 * clerk may read out), else the reviewer's — the notices, and the signals
 * that fired, but not their evidence, parameters or the case's reviewer
 * details. Evidence and the reviewer's texts are for HQ: they name other
 * origins' applications, other holders on an address or device, and the
 * counts and thresholds a ring would learn to stay under.
 *
 * Keys of the whole organisation see everything, unchanged.
 */
export function verdictFor<V extends Verdict>(actor: Actor, verdict: V): V {
  if (actor.origin === undefined) return verdict;
  const reasons = forCustomer(verdict.reasons);
  return {
    ...verdict,
    reasons,
    summary: customerSummary(verdict.action, reasons),
    hits: withoutEvidence(verdict.hits),
    // A detector's or an enrichment's message is HQ's diagnostic text (an error thrown by a
    // lookup may quote what it read); the origin sees how each went, by code (found by H8).
    outcomes: withoutMessage(verdict.outcomes),
    ...(verdict.enrichments ? { enrichments: withoutMessage(verdict.enrichments) } : {}),
  };
}

/** Outcomes (of detectors or enrichments) without their free-text message. */
function withoutMessage<O extends { readonly message?: string | undefined }>(
  outcomes: readonly O[],
): Omit<O, 'message'>[] {
  return outcomes.map(({ message: _message, ...outcome }) => outcome);
}

export function caseFor<C extends Case | CaseDetail>(actor: Actor, item: C): C {
  if (actor.origin === undefined) return item;
  const { details: _details, ...summary } = item.summary;
  const reasons = forCustomer(summary.reasons);
  return {
    ...item,
    summary: {
      ...summary,
      summary: customerSummary(item.action, reasons),
      reasons,
      hits: withoutEvidence(summary.hits),
    },
  };
}

/**
 * The one-line summary an origin reads: the action and the top reason in the
 * customer's words — not the reviewer's summary, which carries the score and
 * the rule that forced the action.
 */
function customerSummary(action: Action, reasons: readonly Reason[]): LocalizedText {
  const label = ACTION_LABELS[action];
  const top = reasons[0];
  return top
    ? { ja: `判定: ${label.ja}：${top.ja}`, en: `Verdict: ${label.en}: ${top.en}` }
    : { ja: `判定: ${label.ja}`, en: `Verdict: ${label.en}` };
}

/** Reasons in the customer's words where they have them; the reviewer's text is left out then. */
function forCustomer(reasons: readonly Reason[]): Reason[] {
  return reasons.map(({ customer, ...reason }) =>
    customer ? { signal: reason.signal, ja: customer.ja, en: customer.en } : reason,
  );
}

/** Hits (of a verdict or a case) with their evidence emptied and their parameters left out. */
function withoutEvidence<H extends { readonly evidence: readonly string[]; readonly params?: unknown }>(
  hits: readonly H[],
): Omit<H, 'params'>[] {
  return hits.map(({ params: _params, ...hit }) => ({ ...hit, evidence: [] }));
}

export function casePageFor(actor: Actor, page: CasePage): CasePage {
  return actor.origin === undefined ? page : { ...page, items: page.items.map((c) => caseFor(actor, c)) };
}
