import { describe, expect, it } from 'vitest';
import { sharedAddress } from './shared-address.ts';
import { application, context, recent, run, signals } from './test-fixtures.ts';

/** Three other holders at one address, through three shops, within two days. */
const ring = [
  recent({
    applicationId: 'r1',
    holderKey: '1'.repeat(64),
    outlet: 'shop-a',
    submittedAt: '2026-05-08T03:00:00.000Z',
    lines: 2,
  }),
  recent({
    applicationId: 'r2',
    holderKey: '2'.repeat(64),
    outlet: 'shop-b',
    submittedAt: '2026-05-09T01:00:00.000Z',
    lines: 2,
  }),
  recent({
    applicationId: 'r3',
    holderKey: '3'.repeat(64),
    outlet: 'shop-c',
    submittedAt: '2026-05-09T09:00:00.000Z',
    lines: 2,
  }),
];

describe('contract.shared_address (P6)', () => {
  it('reviews the fourth holder at one address, with the ring as evidence', async () => {
    const hits = await run(sharedAddress, application({ salesChannel: { type: 'shop', shopId: 'shop-a' } }), {
      services: context({ addressHolders: ring }),
    });
    expect(signals(hits)).toEqual(['CONTRACT_SHARED_ADDRESS']);
    expect(hits[0]!.params).toEqual({
      windowDays: 7,
      windowDaysEn: '7 days',
      otherHolders: 3,
      otherHoldersEn: '3 holders',
      outlets: 3,
      outletsEn: '3 outlets',
      smsLines: 7,
      smsLinesEn: '7 lines',
    });
    expect(hits[0]!.evidence).toContain('other_holders=3 >= 3');
    expect(hits[0]!.evidence).toEqual(
      expect.arrayContaining([
        'address=bbbbbbbbbbbb…',
        'holders=4',
        'outlets=shop-a,shop-b,shop-c',
        'span=2026-05-08T03:00:00.000Z .. 2026-05-10T03:00:00.000Z (48 h)',
        'lines=6 by others',
      ]),
    );
    expect(hits[0]!.evidence.filter((e) => e.startsWith('application='))).toHaveLength(3);
  });

  it('reviews the third holder already when the ring spreads over shops or asks for many SMS-capable lines', async () => {
    // Two other holders at two other shops: the third holder is caught before the ring has its SIMs.
    const spread = await run(sharedAddress, application(), {
      services: context({ addressHolders: ring.slice(0, 2) }),
    });
    expect(signals(spread)).toEqual(['CONTRACT_SHARED_ADDRESS']);
    expect(spread[0]!.evidence.some((e) => e.startsWith('spread: other_holders=2 >= 2 over outlets='))).toBe(
      true,
    );
    // All at one shop, but 2 + 2 + 1 SMS-capable lines.
    const oneShop = ring.slice(0, 2).map((a) => ({ ...a, outlet: 'shop-shinjuku' }));
    const many = await run(sharedAddress, application({ lines: [{ simType: 'data_sms', count: 1 }] }), {
      services: context({ addressHolders: oneShop }),
    });
    expect(signals(many)).toEqual(['CONTRACT_SHARED_ADDRESS']);
    expect(many[0]!.evidence).toContain('spread: other_holders=2 >= 2 asking sms_lines=5 >= 5');
  });

  it('passes a family at one shop, the holder’s own applications and holders outside the window (near misses)', async () => {
    // Three holders at one address, one shop, one line each: a family, not a ring.
    const family = ring.slice(0, 2).map((a) => ({ ...a, outlet: 'shop-shinjuku', lines: 1, smsLines: 1 }));
    expect(
      await run(sharedAddress, application(), { services: context({ addressHolders: family }) }),
    ).toEqual([]);
    const own = recent({ applicationId: 'own', holderKey: 'a'.repeat(64), outlet: 'shop-shinjuku' });
    expect(
      await run(sharedAddress, application(), {
        services: context({ addressHolders: [ring[0]!, own] }),
      }),
    ).toEqual([]);
    const old = recent({
      applicationId: 'old',
      holderKey: '4'.repeat(64),
      submittedAt: '2026-04-01T00:00:00.000Z',
    });
    expect(
      await run(sharedAddress, application(), {
        services: context({ addressHolders: [ring[0]!, old] }),
      }),
    ).toEqual([]);
  });

  it('follows the carrier’s threshold, falling back on a bad value', async () => {
    const services = context({ addressHolders: ring.slice(0, 1) });
    expect(
      await run(sharedAddress, application(), {
        services,
        settings: { sharedAddress: { minOtherHolders: 1 } },
      }),
    ).toHaveLength(1);
    const bad = await run(sharedAddress, application(), {
      services: context({ addressHolders: ring }),
      settings: { sharedAddress: { minOtherHolders: 0 } },
    });
    expect(bad[0]!.evidence.some((e) => e.startsWith('setting_fallback=sharedAddress.minOtherHolders'))).toBe(
      true,
    );
  });

  it('is covered by an approved exception unless a newer holder arrived', async () => {
    const exception = {
      caseId: 'case_3',
      approvedBy: 'hq',
      approvedAt: '2026-05-10T00:00:00.000Z',
      held: { voice: 0, data_sms: 0, data: 0 },
      lines: { voice: 1, data_sms: 0, data: 0 },
    };
    expect(
      signals(
        await run(sharedAddress, application(), { services: context({ addressHolders: ring, exception }) }),
      ),
    ).toEqual(['CONTRACT_EXCEPTION_APPROVED']);
    const newer = recent({
      applicationId: 'r4',
      holderKey: '4'.repeat(64),
      submittedAt: '2026-05-10T01:00:00.000Z',
    });
    expect(
      signals(
        await run(sharedAddress, application(), {
          services: context({ addressHolders: [...ring, newer], exception }),
        }),
      ),
    ).toEqual(['CONTRACT_SHARED_ADDRESS']);
  });
});
