import type { ChannelModule, ChannelPlugin, IndicatorRef } from '../../core/index.ts';
import { INTEL_SIGNALS, intelMatchDetectors } from '../../intel/index.ts';
import type { ChannelDeps } from '../channel-deps.ts';
import { contractCaseDetails } from './case-details.ts';
import { boundOutletOf, type ContractKeySet, redactContract } from './contract-keys.ts';
import { type ContractApplication, contractSchema } from './contract-schema.ts';
import { ContractStore } from './contract-store.ts';
import { addedLineAuth } from './detectors/added-line-auth.ts';
import type { ContractDetector } from './detectors/application.ts';
import { corporateAuthority } from './detectors/corporate-authority.ts';
import { corporateEmployment } from './detectors/corporate-employment.ts';
import { kycDocumentExpiry } from './detectors/kyc-document-expiry.ts';
import { kycMethod } from './detectors/kyc-method.ts';
import { kycMissing } from './detectors/kyc-missing.ts';
import { kycReliance } from './detectors/kyc-reliance.ts';
import { lineCap } from './detectors/line-cap.ts';
import { registeredUser } from './detectors/registered-user.ts';
import { registeredUserShared } from './detectors/registered-user-shared.ts';
import { sessionAutomation } from './detectors/session-automation.ts';
import { sharedAddress } from './detectors/shared-address.ts';
import { sharedDevice } from './detectors/shared-device.ts';
import { sharedIp } from './detectors/shared-ip.ts';
import { velocity } from './detectors/velocity.ts';
import { CONTRACT_HISTORY, contractHistory } from './history.ts';
import { CONTRACT_MESSAGES_JA } from './messages-ja.ts';
import { CONTRACT_MIGRATIONS } from './migrations/index.ts';
import { contractNotices } from './notices.ts';
import { contractOperations } from './operations.ts';
import { CONTRACT_DEFAULT_POLICY, contractSettingsIssues } from './policy.ts';
import { DEFAULT_CONTRACT_SETTINGS } from './settings.ts';
import { CONTRACT_SIGNALS } from './signals.ts';
import { contractWaiver } from './waiver.ts';

export type { ContractContext } from './contract-context.ts';
export { type ContractApplication, contractSchema } from './contract-schema.ts';
export { CONTRACT_DEFAULT_POLICY, contractSettingsIssues } from './policy.ts';
export { type ContractSettings, DEFAULT_CONTRACT_SETTINGS, readContractSettings } from './settings.ts';
export { CONTRACT_SIGNALS } from './signals.ts';

/** The contract detectors, one job each (MEASURES.md P1–P6). */
export const CONTRACT_DETECTORS: readonly ContractDetector[] = [
  lineCap,
  kycMissing,
  kycMethod,
  kycDocumentExpiry,
  kycReliance,
  addedLineAuth,
  corporateEmployment,
  corporateAuthority,
  velocity,
  sharedAddress,
  sharedDevice,
  sharedIp,
  sessionAutomation,
  registeredUser,
  registeredUserShared,
];

/**
 * The contract channel: a channel module whose store is reached only through
 * its own hooks and operations (record-line, import-lines), never from outside.
 */
export type ContractChannel = ChannelModule<ContractApplication, ContractKeySet>;

/**
 * The keyed identities of an application as indicators, so that the
 * carrier's deny lists and shared intel match them (`INTEL_MATCH_IDENTITY`,
 * and the policy's deny list): the holder's identity (for a corporation,
 * also its corporate number's key), the document / IC serial, the device
 * fingerprint and each registered user, all `identity` keyed hashes, never
 * raw; and the contact phone, the existing line of an added line (E.164) and
 * the contact e-mail, so numbers on the carrier's deny list match
 * (`INTEL_MATCH_PHONE`, `INTEL_MATCH_EMAIL`). The address is left out: many innocent people share one over
 * time, and a denied case shares its indicators.
 */
export function contractIndicators(app: ContractApplication, keys: ContractKeySet): IndicatorRef[] {
  const refs: IndicatorRef[] = [{ type: 'identity', value: keys.identity, field: 'holder.identity' }];
  if (app.holder.type === 'corporation') {
    refs.push({ type: 'identity', value: keys.holder, field: 'holder.corporation.corporateNumber' });
  }
  if (keys.identityWithDocument)
    refs.push({ type: 'identity', value: keys.identityWithDocument, field: 'holder.identity' });
  if (keys.document) {
    refs.push({ type: 'identity', value: keys.document, field: 'holder.identity.documentSerial' });
  }
  if (keys.device) refs.push({ type: 'identity', value: keys.device, field: 'deviceFingerprint' });
  keys.registeredUserIdentities.forEach((key, i) => {
    if (key) refs.push({ type: 'identity', value: key, field: `lines.${i}.registeredUser` });
  });
  // Normalised by the schema already (E.164, lower-cased e-mail).
  if (app.contactPhone) refs.push({ type: 'phone', value: app.contactPhone, field: 'contactPhone' });
  if (app.addedLine?.lineNumber)
    refs.push({ type: 'phone', value: app.addedLine.lineNumber, field: 'addedLine.lineNumber' });
  if (app.contactEmail) refs.push({ type: 'email', value: app.contactEmail, field: 'contactEmail' });
  return refs;
}

const EXAMPLE: ContractApplication = {
  applicationId: 'APP-2026-000123',
  salesChannel: { type: 'shop', shopId: 'shop-shinjuku-01' },
  holder: {
    type: 'person',
    identity: {
      name: '山田 太郎',
      birthDate: '1985-04-12',
      address: '東京都新宿区西新宿2-8-1',
      documentSerial: 'MN1234567890',
    },
  },
  identityVerification: {
    method: 'ic_chip_face',
    assuranceLevel: 3,
    performedAt: '2026-04-15T10:55:00+09:00',
    documentExpiry: '2034-04-12',
  },
  lines: [{ simType: 'voice', count: 1, purpose: '本人利用 / own use' }],
  pledgeSigned: false,
};

/**
 * The contract channel (measures P1–P6): mobile line contract applications
 * screened at the moment of contract by shops, sales agencies (代理店) and
 * online sign-up. Built with the database, the keyed hasher and the
 * decision log's reads (`ChannelDeps`): its store
 * loads the holder's lines and history for the detectors, records each
 * screened application, keeps only keyed hashes in the decision log, and
 * turns HQ's approved exception cases into exceptions that let the same
 * application pass on re-screening, for the approved lines only.
 *
 * @example const contract = createContractChannel({ db: store.db, hasher, decisions: store.decisions });
 */
export function createContractChannel(deps: ChannelDeps): ContractChannel {
  const store = new ContractStore(deps);
  return {
    name: 'contract',
    title: { ja: '携帯電話の回線契約', en: 'Mobile line contracts' },
    schema: contractSchema,
    signals: [...INTEL_SIGNALS, ...CONTRACT_SIGNALS],
    detectors: [...intelMatchDetectors<ContractApplication, ContractKeySet>(), ...CONTRACT_DETECTORS],
    // The application's keyed hashes, made once per screening; an identity that cannot be keyed is refused, field named.
    begin: (event) => store.keys(event.payload),
    extract: (payload, _tools, screening) => contractIndicators(payload, screening.state),
    enrichments: [contractHistory(store)],
    waiver: contractWaiver,
    defaultPolicy: CONTRACT_DEFAULT_POLICY,
    defaultSettings: DEFAULT_CONTRACT_SETTINGS,
    settingsIssues: contractSettingsIssues,
    record: (verdict, screening) =>
      store.record(
        verdict,
        screening.event.payload,
        screening.state,
        screening.enriched(CONTRACT_HISTORY)?.existingLines,
      ),
    redact: (payload, _tools, screening) => redactContract(payload, screening.state),
    caseDetails: (_verdict, screening) =>
      contractCaseDetails(screening.event.payload, screening.enriched(CONTRACT_HISTORY)),
    onOutcome: (outcome) => store.onOutcome(outcome),
    // The shop or agency an application is made at: a shop's or agency's key screens its own only (P2).
    origin: (payload) => boundOutletOf(payload.salesChannel),
    originKinds: [
      { kind: 'shop', id: 'required' },
      { kind: 'agency', id: 'required' },
      { kind: 'online', id: 'none' },
    ],
    // One application (its id, holder and outlet, as the store keys it), one active case.
    subject: (payload, screening) =>
      `application:${payload.applicationId}|holder:${screening.state.holder}|outlet:${boundOutletOf(payload.salesChannel)}`,
    notices: contractNotices,
    messagesJa: CONTRACT_MESSAGES_JA,
    operations: contractOperations(store.lines),
    example: EXAMPLE,
  };
}

/**
 * The contract channel as the registry lists it (issue 8, item 1): its own
 * tables' migrations, run by the store before the channel is built on the
 * migrated database.
 */
export const contractPlugin: ChannelPlugin<ChannelDeps> = {
  name: 'contract',
  migrations: CONTRACT_MIGRATIONS,
  create: createContractChannel,
};
