import { applyWaiver, type EnrichmentRef, type Hit } from '../../../core/index.ts';
import type { ContractContext, RecentApplication } from '../contract-context.ts';
import type { ContractKeySet } from '../contract-keys.ts';
import { type ContractApplication, contractSchema } from '../contract-schema.ts';
import { CONTRACT_HISTORY } from '../history.ts';
import { DEFAULT_CONTRACT_SETTINGS } from '../settings.ts';
import { contractWaiver } from '../waiver.ts';
import type { ContractDetector } from './application.ts';

/**
 * Fixtures for the contract detectors' tests (rspamd style: one fixture, one
 * check on, assert what fires and what does not). Not used outside tests.
 */

/** The time the fixtures are judged at: after the 2026-04-01 KYC rules. */
export const NOW = new Date('2026-05-10T03:00:00.000Z');

/** A person applying for one voice line at a shop, verified by IC chip and face. */
export const BASE_APPLICATION = {
  applicationId: 'app-1',
  salesChannel: { type: 'shop', shopId: 'shop-shinjuku' },
  holder: {
    type: 'person',
    identity: {
      name: '山田 太郎',
      birthDate: '1980-01-02',
      address: '東京都新宿区西新宿2-8-1',
      documentSerial: 'AB1234567',
    },
  },
  identityVerification: {
    method: 'ic_chip_face',
    assuranceLevel: 3,
    performedAt: '2026-05-10T11:55:00+09:00',
    documentExpiry: '2030-01-02',
  },
  lines: [{ simType: 'voice', count: 1 }],
  submittedAt: '2026-05-10T12:00:00+09:00',
} as const;

/** A corporation's representative and corporate number (check digit valid). */
export const CORPORATE_HOLDER = {
  type: 'corporation',
  identity: { name: '佐藤 花子', birthDate: '1975-03-04', address: '大阪府大阪市北区梅田1-1-1' },
  corporation: {
    corporateNumber: '7000012050002',
    name: '株式会社テスト',
    employmentVerification: { method: 'phone_callback', verifiedAt: '2026-05-01T10:00:00+09:00' },
  },
} as const;

/** The base application with top-level fields replaced, validated by the schema. */
export function application(overrides: Record<string, unknown> = {}): ContractApplication {
  return contractSchema.parse({ ...BASE_APPLICATION, ...overrides });
}

/** The keys of the fixtures' holder. */
const KEYS: ContractKeySet = {
  holder: 'a'.repeat(64),
  identity: 'a'.repeat(64),
  address: 'b'.repeat(64),
  registeredUsers: [],
} as unknown as ContractKeySet;

/** A context with nothing held and no history, fields replaced as given. */
export function context(overrides: Partial<ContractContext> = {}): ContractContext {
  return {
    keys: { holder: 'a'.repeat(64), identity: 'a'.repeat(64), address: 'b'.repeat(64), registeredUsers: [] },
    holderType: 'person',
    existingLines: { voice: 0, data_sms: 0, data: 0 },
    holderApplications: [],
    recentlyCancelled: 0,
    addressHolders: [],
    deviceHolders: [],
    ipHolders: [],
    sharedUsers: [],
    ...overrides,
  };
}

/** Another application seen recently. */
export function recent(overrides: Partial<RecentApplication> = {}): RecentApplication {
  return {
    applicationId: 'app-0',
    holderKey: 'c'.repeat(64),
    salesChannel: 'shop',
    outlet: 'shop-shibuya',
    lines: 1,
    smsLines: overrides.lines ?? 1,
    submittedAt: '2026-05-09T03:00:00.000Z',
    action: 'allow',
    ...overrides,
  };
}

/** Run one detector on an application, with settings merged over the defaults as the engine does. */
export async function run(
  detector: ContractDetector,
  app: ContractApplication,
  options: {
    readonly services?: ContractContext | undefined;
    readonly settings?: Record<string, unknown>;
    readonly now?: Date;
  } = {},
): Promise<Hit[]> {
  const hits = await detector.run(
    { id: 'evt-1', receivedAt: (options.now ?? NOW).toISOString(), payload: app },
    {
      now: options.now ?? NOW,
      orgId: 'org-1',
      indicators: [],
      intel: [],
      settings: { ...DEFAULT_CONTRACT_SETTINGS, ...options.settings },
      hits: [],
      state: KEYS,
      enriched: <T>(ref: EnrichmentRef<T>): T => {
        if (ref.name !== CONTRACT_HISTORY.name) throw new Error(`not a need: ${ref.name}`);
        return ('services' in options ? options.services : context()) as T;
      },
    },
  );
  for (const h of hits) {
    if (!detector.signals.includes(h.signal))
      throw new Error(`${detector.name} fired undeclared ${h.signal}`);
    if (h.evidence.length === 0) throw new Error(`${detector.name} fired ${h.signal} without evidence`);
  }
  // HQ's exception is the engine's one waiver: applied here as the engine applies it after the detectors.
  const history = 'services' in options ? options.services : context();
  if (!history) return [...hits];
  const waiver = contractWaiver({
    event: {
      id: 'evt-1',
      orgId: 'org-1',
      channel: 'contract',
      receivedAt: (options.now ?? NOW).toISOString(),
      payload: app,
    },
    now: options.now ?? NOW,
    settings: { ...DEFAULT_CONTRACT_SETTINGS, ...options.settings },
    state: KEYS,
    enriched: <T>(ref: EnrichmentRef<T>) => (ref.name === CONTRACT_HISTORY.name ? (history as T) : undefined),
  });
  return waiver ? applyWaiver(hits, waiver, (h) => h) : [...hits];
}

/** The signals of hits, sorted. */
export function signals(hits: readonly Hit[]): string[] {
  return hits.map((h) => h.signal).sort();
}
