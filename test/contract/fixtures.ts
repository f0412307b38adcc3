import { type ContractApplication, contractSchema } from '../../src/channels/contract/contract-schema.ts';
import { type Action, newId, type ScreenEvent, type Verdict } from '../../src/core/index.ts';
import { createKeyedHasher } from '../../src/intel/keyed-hash.ts';

/** Test helpers of the contract data side: a hasher, applications, events and verdicts. */

export const HMAC_KEY = 'contract-test-key-0123456789abcdef';
export const hasher = createKeyedHasher(HMAC_KEY);

export const ORG_A = 'org_carrier_a';
export const ORG_B = 'org_carrier_b';

/** A person applying for one voice line at shop S1, with IC-chip KYC; override any part. */
export function application(overrides: Record<string, unknown> = {}): ContractApplication {
  return contractSchema.parse({
    applicationId: newId('app'),
    salesChannel: { type: 'shop', shopId: 'S1' },
    holder: {
      type: 'person',
      identity: {
        name: '山田 太郎',
        birthDate: '1980-01-02',
        address: '東京都千代田区千代田1-1',
        documentSerial: 'AB12345678',
      },
    },
    identityVerification: {
      method: 'ic_chip_face',
      assuranceLevel: 3,
      performedAt: '2026-03-01T10:00:00+09:00',
    },
    lines: [{ simType: 'voice', count: 1 }],
    pledgeSigned: false,
    ...overrides,
  });
}

/** A person's identity, varied by a number. */
export function person(i: number, address = `大阪府大阪市北区梅田${i}-1`) {
  return {
    type: 'person',
    identity: { name: `テスト 太郎${i}`, birthDate: '1990-05-05', address, documentSerial: `DOC${i}` },
  };
}

export function event(orgId: string, payload: ContractApplication): ScreenEvent<ContractApplication> {
  return { id: newId('evt'), orgId, channel: 'contract', receivedAt: new Date().toISOString(), payload };
}

/** A verdict as the engine would make it, for recording. */
export function verdict(orgId: string, action: Action = 'allow', createdAt = new Date()): Verdict {
  return {
    id: newId('dec'),
    orgId,
    channel: 'contract',
    eventId: newId('evt'),
    action,
    score: action === 'allow' ? 0 : 10,
    hits: [],
    outcomes: [],
    reasons: [],
    summary: { ja: 'テスト', en: 'test' },
    indicators: [],
    policy: { id: 'contract.default', version: 0 },
    timings: { pre: 0, detect: 0, post: 0, observe: 0, total: 0 },
    createdAt: createdAt.toISOString(),
  };
}

export const DAY = 86_400_000;
export const daysAgo = (days: number, from = Date.now()) => new Date(from - days * DAY);
