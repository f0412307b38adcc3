import { describe, expect, it } from 'vitest';
import { application, CORPORATE_HOLDER, context, recent, run, signals } from './test-fixtures.ts';
import { velocity } from './velocity.ts';

const at = (day: number, outlet: string, more: Record<string, unknown> = {}) =>
  recent({
    applicationId: `app-${day}-${outlet}`,
    submittedAt: `2026-05-0${day}T03:00:00.000Z`,
    outlet,
    ...more,
  });

describe('contract.velocity (P6)', () => {
  it('reviews a fourth application within 30 days, listing the others', async () => {
    const services = context({
      holderApplications: [
        at(1, 'shop-a', { action: 'review' }),
        at(2, 'shop-a', { action: 'block' }),
        at(3, 'shop-a', { action: 'review' }),
      ],
    });
    const hits = await run(velocity, application({ salesChannel: { type: 'shop', shopId: 'shop-a' } }), {
      services,
    });
    expect(signals(hits)).toEqual(['CONTRACT_VELOCITY']);
    expect(hits[0]!.params).toMatchObject({
      windowDays: 30,
      applications: 4,
      applicationsEn: '4 applications',
      outlets: 1,
      outletsEn: '1 outlet',
    });
    expect(hits[0]!.evidence).toContain('applications=4 > 3');
    expect(hits[0]!.evidence.filter((e) => e.startsWith('application='))).toHaveLength(3);
  });

  it('counts lines granted shortly before with the lines requested now', async () => {
    const services = context({ holderApplications: [at(5, 'shop-shinjuku', { lines: 5 })] });
    const hits = await run(velocity, application(), { services });
    expect(hits[0]!.evidence).toContain('lines=6 (sought before 5 + now 1) > 5');
  });

  it('counts lines, not applications: an earlier application for three SIMs counts three, pending or granted', async () => {
    for (const action of ['allow', 'step_up', 'review'] as const) {
      const services = context({ holderApplications: [at(5, 'shop-a', { lines: 3, action })] });
      const hits = await run(velocity, application({ lines: [{ simType: 'data_sms', count: 3 }] }), {
        services,
      });
      expect(signals(hits), action).toEqual(['CONTRACT_VELOCITY']);
      expect(hits[0]!.evidence).toContain('lines=6 (sought before 3 + now 3) > 5');
    }
    // A refused application granted nothing (near miss).
    const refused = context({ holderApplications: [at(5, 'shop-a', { lines: 3, action: 'block' })] });
    expect(
      await run(velocity, application({ lines: [{ simType: 'data_sms', count: 3 }] }), { services: refused }),
    ).toEqual([]);
  });

  it('counts outlets across shops, agencies and online', async () => {
    const services = context({
      holderApplications: [at(5, 'shop-a', { action: 'review' }), at(6, 'online', { action: 'review' })],
    });
    const hits = await run(velocity, application(), { services });
    expect(hits[0]!.evidence).toContain('outlets=3 > 2');
  });

  it('catches cancel-and-reapply', async () => {
    const hits = await run(velocity, application(), { services: context({ recentlyCancelled: 2 }) });
    expect(hits[0]!.params).toMatchObject({ cancelled: 2 });
  });

  it('passes three applications, a single large application, one cancellation and old history (near misses)', async () => {
    const three = context({
      holderApplications: [
        at(1, 'shop-shinjuku', { action: 'review' }),
        at(2, 'shop-shinjuku', { action: 'review' }),
      ],
    });
    expect(await run(velocity, application(), { services: three })).toEqual([]);
    expect(await run(velocity, application({ lines: [{ simType: 'voice', count: 6 }] }))).toEqual([]);
    expect(await run(velocity, application(), { services: context({ recentlyCancelled: 1 }) })).toEqual([]);
    const old = context({
      holderApplications: [1, 2, 3].map((i) =>
        recent({ applicationId: `old-${i}`, submittedAt: '2026-03-01T00:00:00.000Z', outlet: `shop-${i}` }),
      ),
    });
    expect(await run(velocity, application(), { services: old })).toEqual([]);
  });

  it('has its own limits for corporations', async () => {
    const services = context({
      holderApplications: [1, 2, 3, 4].map((d) => at(d, 'shop-shinjuku', { lines: 50 })),
    });
    expect(await run(velocity, application({ holder: CORPORATE_HOLDER }), { services })).toEqual([]);
  });

  it('is covered by an approved exception unless a newer application arrived', async () => {
    const exception = {
      caseId: 'case_2',
      approvedBy: 'hq',
      approvedAt: '2026-05-06T00:00:00.000Z',
      held: { voice: 0, data_sms: 0, data: 0 },
      lines: { voice: 1, data_sms: 0, data: 0 },
    };
    const before = context({
      exception,
      holderApplications: [1, 2, 3].map((d) => at(d, 'shop-shinjuku', { action: 'review' })),
    });
    expect(signals(await run(velocity, application(), { services: before }))).toEqual([
      'CONTRACT_EXCEPTION_APPROVED',
    ]);
    const after = context({
      exception,
      holderApplications: [1, 2, 7].map((d) => at(d, 'shop-shinjuku', { action: 'review' })),
    });
    expect(signals(await run(velocity, application(), { services: after }))).toEqual(['CONTRACT_VELOCITY']);
  });

  it('follows the carrier’s window and limits, falling back on bad values', async () => {
    const services = context({ holderApplications: [at(1, 'shop-a', { action: 'review' })] });
    expect(
      await run(velocity, application(), {
        services,
        settings: { velocity: { person: { maxApplications: 1 } } },
      }),
    ).toHaveLength(1);
    expect(
      await run(velocity, application(), { services, settings: { velocity: { windowDays: 3 } } }),
    ).toEqual([]);
    const bad = await run(velocity, application(), {
      services: context({ recentlyCancelled: 5 }),
      settings: { velocity: { windowDays: 'a week' } },
    });
    expect(bad[0]!.evidence.some((e) => e.startsWith('setting_fallback=velocity.windowDays'))).toBe(true);
  });
});
