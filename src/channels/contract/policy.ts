import type { FieldIssue, PolicyDocumentInput } from '../../core/index.ts';
import { readContractSettings } from './settings.ts';

export { type ContractSettings, DEFAULT_CONTRACT_SETTINGS, type KycRule } from './settings.ts';

/**
 * The contract channel's default policy (`contract.default`, version 0 until
 * a carrier stores its own through the policy API, which versions every
 * change). Each signal's forced action (the decisions of MEASURES.md P1–P6:
 * block for the KYC rules, step_up for weak added-line authentication and
 * KYC relied on from elsewhere, review for everything HQ decides) is
 * declared once, with the signal, in `signals.ts`; a carrier's policy may
 * override it under `signals.<NAME>.forceAction`, and `GET /v1/signals/contract`
 * lists them as they stand.
 *
 * `CONTRACT_REGISTERED_USER_MISSING` scores 2 per line: two lines missing
 * reach `step_up` (4), three reach `review` (6; the group is capped there).
 * Intel matches score as declared (an identity listed as malicious, 8,
 * reaches review).
 *
 * There is no `block` threshold: a score never refuses a contract by itself.
 * Refusing service is the carrier's legal decision (電気通信事業法 121条,
 * the duty to provide service, which the working group says must be squared
 * with refusing many-line contracts), so scores lead at most to review by a
 * person; `block` comes only from the forced KYC rules and the deny list.
 *
 * Settings are empty here: the channel's `defaultSettings`
 * (`DEFAULT_CONTRACT_SETTINGS`) apply, and a carrier's `settings` override
 * them key by key.
 */
export const CONTRACT_DEFAULT_POLICY = {
  id: 'contract.default',
  channel: 'contract',
  description: '回線契約の既定ポリシー（P1–P6）/ Default mobile line contract policy (P1–P6)',
  thresholds: { step_up: 4, review: 6 },
  groups: {
    line_cap: { maxScore: 6 },
    kyc: { maxScore: 12 },
    auth: { maxScore: 6 },
    corporate: { maxScore: 6 },
    resale: { maxScore: 12 },
    registration: { maxScore: 6 },
    intel: { maxScore: 20 },
  },
  // HQ answers exception and ring reviews within three days; a step-up waits a day for the customer.
  caseSlaHours: { review: 72, step_up: 24 },
  settings: {},
} as const satisfies PolicyDocumentInput;

/**
 * What is wrong with a policy's contract `settings` (empty when fine): each
 * value of the wrong type or out of range, and each unknown key, with its
 * path under `settings.`. Screening never fails on these — the detector
 * uses the default and says so in its evidence — but a policy with issues
 * should be refused when it is stored.
 *
 * @example contractSettingsIssues({ lineCaps: { person: { voice: -1 } } })
 * // [{ path: 'settings.lineCaps.person.voice', message: 'Too small: expected number to be >=0' }]
 */
export function contractSettingsIssues(settings: Readonly<Record<string, unknown>>): FieldIssue[] {
  // A fresh object: the reader remembers results per object, and the caller's may be reused.
  return readContractSettings({ ...settings })
    .issues.map((i) => ({ path: `settings.${i.path}`, message: i.message }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
