import type { Hit } from '../../../core/index.ts';
import type { ContractApplication } from '../contract-schema.ts';
import { type ContractDetectorContext, coveringException, exceptionHit, servicesOf } from './application.ts';

/** What a corporate check found wrong: the words for the reason and the evidence. */
export interface CorporateProblem {
  readonly ja: string;
  readonly en: string;
  readonly evidence: readonly string[];
}

/**
 * The hit of a corporate check (P4) that found a problem: HQ's approved
 * exception for the application covers it, else the signal fires with the
 * problem in its reason.
 */
export function corporateHit(
  signal: 'CONTRACT_CORP_EMPLOYMENT_UNVERIFIED' | 'CONTRACT_CORP_AUTHORITY_UNVERIFIED',
  problem: CorporateProblem,
  app: ContractApplication,
  ctx: ContractDetectorContext,
): Hit {
  const exception = coveringException(app, servicesOf(ctx));
  if (exception) return exceptionHit(exception, signal, problem.evidence);
  return { signal, evidence: problem.evidence, params: { problemJa: problem.ja, problemEn: problem.en } };
}
