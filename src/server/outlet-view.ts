import type { Case, CaseDetail } from '../cases/case.ts';
import type { CasePage } from '../cases/case-query.ts';
import type { Actor } from '../cases/roles.ts';
import type { Verdict } from '../core/index.ts';

/**
 * What an outlet-bound key (a shop's or sales agency's, P2) is shown of a
 * verdict or a case: the action, the reasons in Japanese and English (what
 * the clerk reads to the customer), the signals that fired — but not their
 * evidence, parameters or the case's reviewer details. Evidence is for HQ:
 * it names other outlets' applications, other holders on an address or
 * device, and the thresholds a ring would learn to stay under.
 *
 * Keys of the whole organisation see everything, unchanged.
 */
export function verdictFor(actor: Actor, verdict: Verdict): Verdict {
  return actor.outlet === undefined ? verdict : { ...verdict, hits: withoutEvidence(verdict.hits) };
}

export function caseFor<C extends Case | CaseDetail>(actor: Actor, item: C): C {
  if (actor.outlet === undefined) return item;
  const { details: _details, ...summary } = item.summary;
  return {
    ...item,
    summary: { ...summary, hits: withoutEvidence(summary.hits) },
  };
}

/** Hits (of a verdict or a case) with their evidence emptied and their parameters left out. */
function withoutEvidence<H extends { readonly evidence: readonly string[]; readonly params?: unknown }>(
  hits: readonly H[],
): Omit<H, 'params'>[] {
  return hits.map(({ params: _params, ...hit }) => ({ ...hit, evidence: [] }));
}

export function casePageFor(actor: Actor, page: CasePage): CasePage {
  return actor.outlet === undefined ? page : { ...page, items: page.items.map((c) => caseFor(actor, c)) };
}
