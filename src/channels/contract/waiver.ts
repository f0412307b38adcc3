import type { Screening, Waiver } from '../../core/index.ts';
import type { ContractContext, RecentApplication } from './contract-context.ts';
import type { ContractKeySet } from './contract-keys.ts';
import type { ContractApplication } from './contract-schema.ts';
import { coveringException, exceptionEvidence, japanDate } from './detectors/application.ts';
import { enDate, jaDate } from './detectors/labels.ts';
import { CONTRACT_HISTORY } from './history.ts';

/**
 * The review checks HQ's approved exception covers (P2: HQ decides the
 * exception to the cap and the checks that send an application to it). The
 * KYC rules and the added-line authentication are not covered: an approval
 * is no identity check.
 */
const COVERED: ReadonlySet<string> = new Set([
  'CONTRACT_LINE_CAP_EXCEEDED',
  'CONTRACT_VELOCITY',
  'CONTRACT_SHARED_ADDRESS',
  'CONTRACT_SHARED_DEVICE',
  'CONTRACT_SHARED_IP',
  'CONTRACT_CORP_EMPLOYMENT_UNVERIFIED',
  'CONTRACT_CORP_AUTHORITY_UNVERIFIED',
  'CONTRACT_CORP_REGISTERED_USER_MISSING',
  'CONTRACT_REGISTERED_USER_MISSING',
  'CONTRACT_REGISTERED_USER_SHARED',
]);

/**
 * Checks about other applications: the approval covers them only while no
 * application they count came after it (HQ approved what it saw; a new
 * application since is something HQ has not seen).
 */
const SEEN_IN: Readonly<Record<string, (c: ContractContext) => readonly RecentApplication[]>> = {
  CONTRACT_VELOCITY: (c) => c.holderApplications,
  CONTRACT_SHARED_ADDRESS: (c) => c.addressHolders,
  CONTRACT_SHARED_DEVICE: (c) => c.deviceHolders,
  CONTRACT_SHARED_IP: (c) => c.ipHolders,
};

/**
 * HQ's approved exception for this application as the engine's one waiver
 * (issue 8, item 5): when it covers every line requested now (see
 * `coveringException`), each covered review check's hit becomes
 * `CONTRACT_EXCEPTION_APPROVED` with what the check found kept as evidence.
 * Needs the history (`contract.history`): without it, nothing is waived.
 */
export function contractWaiver(
  screening: Screening<ContractApplication, ContractKeySet>,
): Waiver | undefined {
  const context = screening.enriched(CONTRACT_HISTORY);
  if (!context) return undefined;
  const exception = coveringException(screening.event.payload, context);
  if (!exception) return undefined;
  const approvedAt = Date.parse(exception.approvedAt);
  const approvedDay = japanDate(new Date(exception.approvedAt));
  return {
    signal: 'CONTRACT_EXCEPTION_APPROVED',
    covers: (hit) => {
      if (!COVERED.has(hit.signal)) return false;
      const seen = SEEN_IN[hit.signal];
      return !seen || seen(context).every((a) => Date.parse(a.submittedAt) <= approvedAt);
    },
    evidence: exceptionEvidence(exception),
    params: {
      caseId: exception.caseId,
      approvedAtJa: jaDate(approvedDay),
      approvedAtEn: enDate(approvedDay),
    },
  };
}
