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
    expect(hits[0]!.params).toEqual({ windowDays: 7, otherHolders: 3, outlets: 3 });
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

  it('passes two other holders, the holder’s own applications and holders outside the window (near misses)', async () => {
    expect(
      await run(sharedAddress, application(), { services: context({ addressHolders: ring.slice(0, 2) }) }),
    ).toEqual([]);
    const own = recent({ applicationId: 'own', holderKey: 'a'.repeat(64) });
    expect(
      await run(sharedAddress, application(), {
        services: context({ addressHolders: [...ring.slice(0, 2), own] }),
      }),
    ).toEqual([]);
    const old = recent({
      applicationId: 'old',
      holderKey: '4'.repeat(64),
      submittedAt: '2026-04-01T00:00:00.000Z',
    });
    expect(
      await run(sharedAddress, application(), {
        services: context({ addressHolders: [...ring.slice(0, 2), old] }),
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
