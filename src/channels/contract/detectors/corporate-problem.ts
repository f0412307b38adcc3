import type { Hit } from '../../../core/index.ts';

/** What a corporate check found wrong: the words for the reason and the evidence. */
export interface CorporateProblem {
  readonly ja: string;
  readonly en: string;
  readonly evidence: readonly string[];
}

/**
 * The hit of a corporate check (P4) that found a problem: the signal, with
 * the problem in its reason. HQ's approved exception for the application
 * covers it (the channel's waiver, applied by the engine).
 */
export function corporateHit(
  signal: 'CONTRACT_CORP_EMPLOYMENT_UNVERIFIED' | 'CONTRACT_CORP_AUTHORITY_UNVERIFIED',
  problem: CorporateProblem,
): Hit {
  return { signal, evidence: problem.evidence, params: { problemJa: problem.ja, problemEn: problem.en } };
}
