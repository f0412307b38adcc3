import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contractKeys, redactContract } from '../../src/channels/contract/contract-keys.ts';
import type { ContractApplication } from '../../src/channels/contract/contract-schema.ts';
import { ContractStore } from '../../src/channels/contract/contract-store.ts';
import type { ContractTables } from '../../src/channels/contract/tables.ts';
import type { Store } from '../../src/store/index.ts';
import { storeBackends } from '../helpers/stores.ts';
import { application, DAY, daysAgo, event, hasher, ORG_A, ORG_B, person, verdict } from './fixtures.ts';

/** The contract store on every backend: counts, windows, distinct holders, exceptions, tenant isolation. */
for (const backend of storeBackends()) {
  describe(`contract store on ${backend.name}`, () => {
    let store: Store;
    let contract: ContractStore;
    beforeAll(async () => {
      store = await backend.open();
      contract = new ContractStore({ db: store.db, hasher, decisions: store.decisions });
    });
    afterAll(() => store.close());

    /**
     * Screen-and-record an application as `mamoru.screen` would, screened when it was submitted (history:
     * an application is placed no more than 48 hours before its screening, so the past is screened then).
     */
    const record = async (orgId: string, app: ContractApplication, action: 'allow' | 'review' = 'allow') => {
      const v = verdict(orgId, action, app.submittedAt ? new Date(app.submittedAt) : new Date());
      await contract.record(v, app, contract.keys(app));
      return v;
    };
    const load = (orgId: string, app: ContractApplication, windows = {}) =>
      contract.load(event(orgId, app), new Date(), windows);

    it('counts the lines a holder holds by SIM type (active and suspended), and recent cancellations', async () => {
      const holder = person(1);
      const app = application({ holder });
      const line = (lineId: string, simType: string, status: string, cancelledAt?: Date) =>
        contract.lines.prepare({
          lineId,
          holder: holder.identity,
          simType,
          status,
          contractedAt: '2024-01-01',
          ...(cancelledAt ? { cancelledAt: cancelledAt.toISOString() } : {}),
        });
      await contract.lines.upsertMany(ORG_A, [
        line('L1-1', 'voice', 'active'),
        line('L1-2', 'voice', 'active'),
        line('L1-3', 'voice', 'active'),
        line('L1-4', 'voice', 'suspended'),
        line('L1-5', 'data', 'active'),
        line('L1-6', 'data_sms', 'cancelled', daysAgo(5)),
        line('L1-7', 'voice', 'cancelled', daysAgo(40)),
      ]);
      // The same holder written with other spacing and width is the same holder.
      await contract.lines.record(ORG_A, {
        lineId: 'L1-8',
        holder: { ...holder.identity, name: 'テスト　 太郎１' },
        simType: 'voice',
      });
      const ctx = await load(ORG_A, app);
      expect(ctx.existingLines).toEqual({ voice: 5, data_sms: 0, data: 1 });
      expect(ctx.recentlyCancelled).toBe(1);
      expect(ctx.holderType).toBe('person');
      expect(ctx.keys.holder).toBe(contractKeys(app, hasher).holder);
      expect(await contract.lines.held(ORG_A, ctx.keys.holder)).toEqual(ctx.existingLines);
      // A longer velocity window sees the older cancellation too.
      expect((await load(ORG_A, app, { velocityDays: 60 })).recentlyCancelled).toBe(2);
    });

    it('a cancellation replaces the line’s state, so counts stay true', async () => {
      const holder = person(2);
      await contract.lines.record(ORG_A, { lineId: 'L2-1', holder: holder.identity, simType: 'voice' });
      const app = application({ holder });
      expect((await load(ORG_A, app)).existingLines.voice).toBe(1);
      const cancelled = await contract.lines.record(ORG_A, {
        lineId: 'L2-1',
        holder: holder.identity,
        simType: 'voice',
        status: 'cancelled',
        cancelledAt: new Date().toISOString(),
      });
      expect(cancelled.created).toBe(false);
      const ctx = await load(ORG_A, app);
      expect(ctx.existingLines.voice).toBe(0);
      expect(ctx.recentlyCancelled).toBe(1);
    });

    it('lists the holder’s other applications within the velocity window, newest first', async () => {
      const holder = person(3);
      const at = (days: number, shopId: string) =>
        application({
          holder,
          salesChannel: { type: 'shop', shopId },
          submittedAt: daysAgo(days).toISOString(),
        });
      for (const [days, shop] of [
        [1, 'S1'],
        [10, 'S2'],
        [29, 'S3'],
        [31, 'S4'],
      ] as const)
        await record(ORG_A, at(days, shop));
      const current = application({ holder, lines: [{ simType: 'voice', count: 2 }] });
      await record(ORG_A, current, 'review');
      const ctx = await load(ORG_A, current);
      expect(ctx.holderApplications.map((a) => a.outlet)).toEqual(['S1', 'S2', 'S3']);
      expect(ctx.holderApplications[0]).toMatchObject({
        holderKey: ctx.keys.holder,
        salesChannel: 'shop',
        lines: 1,
        action: 'allow',
      });
      expect(Date.parse(ctx.holderApplications[0]!.submittedAt)).toBeGreaterThan(Date.now() - 2 * DAY);
      expect((await load(ORG_A, current, { velocityDays: 7 })).holderApplications).toHaveLength(1);
      // Re-screening the same application id updates its one row.
      await record(ORG_A, { ...current, lines: [{ simType: 'data', count: 3 }] }, 'review');
      const other = application({ holder });
      const again = await load(ORG_A, other);
      expect(again.holderApplications.filter((a) => a.applicationId === current.applicationId)).toEqual([
        expect.objectContaining({ lines: 3, action: 'review' }),
      ]);
    });

    it('finds distinct other holders on one address within the window (a resale ring)', async () => {
      const ring = '福岡県福岡市博多区博多駅前9-9-9';
      const shops = ['S1', 'S2', 'A1'];
      for (let i = 0; i < 4; i++) {
        await record(
          ORG_A,
          application({
            holder: person(100 + i, ring),
            salesChannel:
              i === 2 ? { type: 'agency', agencyId: 'A1' } : { type: 'shop', shopId: shops[i % 3] },
            submittedAt: daysAgo(i % 2 === 0 ? 1 : 2).toISOString(),
          }),
        );
      }
      // One of them twice, one long ago, one elsewhere.
      await record(
        ORG_A,
        application({
          holder: person(101, ring),
          salesChannel: { type: 'shop', shopId: 'S2' },
          submittedAt: daysAgo(0.5).toISOString(),
        }),
      );
      await record(ORG_A, application({ holder: person(105, ring), submittedAt: daysAgo(10).toISOString() }));
      await record(ORG_A, application({ holder: person(106, '福岡県福岡市博多区博多駅前9-9-8') }));
      // The address written another way is the same address.
      const current = application({ holder: person(100, '福岡県福岡市博多区博多駅前９－９－９') });
      const ctx = await load(ORG_A, current);
      expect(ctx.addressHolders).toHaveLength(3);
      expect(new Set(ctx.addressHolders.map((a) => a.holderKey)).size).toBe(3);
      expect(ctx.addressHolders.map((a) => a.holderKey)).not.toContain(ctx.keys.holder);
      // Each other holder's latest application is the evidence.
      const twice = contractKeys(application({ holder: person(101, ring) }), hasher).holder;
      const latest = ctx.addressHolders.find((a) => a.holderKey === twice)!;
      expect(Date.parse(latest.submittedAt)).toBeGreaterThan(Date.now() - DAY);
      expect(new Set(ctx.addressHolders.map((a) => a.outlet))).toEqual(new Set(['S1', 'S2', 'A1']));
      const wider = await load(ORG_A, current, { sharedAddressDays: 14 });
      expect(wider.addressHolders).toHaveLength(4);
    });

    it('finds distinct other holders on one device, and none without a device', async () => {
      for (let i = 0; i < 3; i++)
        await record(ORG_A, application({ holder: person(200 + i), deviceFingerprint: 'device-ring-1' }));
      await record(
        ORG_A,
        application({
          holder: person(203),
          deviceFingerprint: 'device-ring-1',
          submittedAt: daysAgo(8).toISOString(),
        }),
      );
      const current = application({ holder: person(210), deviceFingerprint: ' device-ring-1 ' });
      expect((await load(ORG_A, current)).deviceHolders).toHaveLength(3);
      expect((await load(ORG_A, current, { sharedDeviceDays: 9 })).deviceHolders).toHaveLength(4);
      expect((await load(ORG_A, application({ holder: person(210) }))).deviceHolders).toEqual([]);
    });

    it('records an approved exception for the application’s lines; denied and expired allow nothing', async () => {
      const app = application({
        holder: person(300),
        lines: [
          { simType: 'voice', count: 4, purpose: '家族6人で使うため' },
          { simType: 'data', count: 1 },
        ],
        pledgeSigned: true,
      });
      const v = await record(ORG_A, app, 'review');
      const outcome = {
        caseId: 'case_300',
        orgId: ORG_A,
        decisionId: v.id,
        channel: 'contract',
        action: 'review' as const,
        effect: 'allow_once' as const,
        reason: '家族利用を確認 / family use confirmed',
        at: new Date().toISOString(),
        resolvedBy: 'key_hq_reviewer',
      };
      await contract.onOutcome({
        ...outcome,
        caseId: 'case_300_denied',
        resolution: 'denied',
        effect: 'refuse',
      });
      await contract.onOutcome({
        ...outcome,
        caseId: 'case_300_expired',
        resolution: null,
        effect: 'expired',
      });
      expect((await load(ORG_A, app)).exception).toBeUndefined();

      await contract.onOutcome({ ...outcome, resolution: 'approved' });
      await contract.onOutcome({ ...outcome, resolution: 'approved' }); // delivered again
      const ctx = await load(ORG_A, app);
      expect(ctx.exception).toEqual({
        caseId: 'case_300',
        approvedBy: 'key_hq_reviewer',
        approvedAt: new Date(outcome.at).toISOString(),
        lines: { voice: 4, data_sms: 0, data: 1 },
        held: { voice: 0, data_sms: 0, data: 0 },
      });
      // Another application id, or the same id for another holder, has no exception.
      expect((await load(ORG_A, { ...app, applicationId: 'other' })).exception).toBeUndefined();
      expect(
        (await load(ORG_A, { ...app, holder: person(301) } as ContractApplication)).exception,
      ).toBeUndefined();
      // The other organisation sees nothing of it.
      expect((await load(ORG_B, app)).exception).toBeUndefined();
      // Another channel's outcome is not the contract store's business.
      await contract.onOutcome({ ...outcome, caseId: 'case_x', channel: 'message', resolution: 'approved' });
      const rows = await store.db
        .$extendTables<ContractTables>()
        .selectFrom('contract_exceptions')
        .select('case_id')
        .where('org_id', '=', ORG_A)
        .execute();
      expect(rows.map((r) => r.case_id)).not.toContain('case_x');
    });

    it('approves from the decision log when the application was screened again before the case closed', async () => {
      const app = application({ holder: person(400), lines: [{ simType: 'voice', count: 6 }] });
      const first = verdict(ORG_A, 'review');
      await store.decisions.append(first, redactContract(app, contract.keys(app)));
      await contract.record(first, app, contract.keys(app));
      await record(ORG_A, app, 'review'); // the clerk pressed the button again: a second decision
      await contract.onOutcome({
        caseId: 'case_400',
        orgId: ORG_A,
        decisionId: first.id,
        channel: 'contract',
        action: 'review',
        resolution: 'approved',
        effect: 'allow_once',
        reason: 'ok',
        resolvedBy: 'key_hq',
        at: new Date().toISOString(),
      });
      expect((await load(ORG_A, app)).exception).toMatchObject({
        caseId: 'case_400',
        approvedBy: 'key_hq',
        lines: { voice: 6, data_sms: 0, data: 0 },
      });
      await expect(
        contract.onOutcome({
          caseId: 'case_401',
          orgId: ORG_A,
          decisionId: 'dec_unknown',
          channel: 'contract',
          action: 'review',
          resolution: 'approved',
          effect: 'allow_once',
          reason: 'ok',
          resolvedBy: 'key_hq',
          at: new Date().toISOString(),
        }),
      ).rejects.toMatchObject({ code: 'not_found' });
    });

    it('an application id reused by other holders, or at another outlet, hides none of the history', async () => {
      const ring = '宮城県仙台市青葉区中央7-7-7';
      // Four holders at one address, every one under the same (reused) application id.
      for (let i = 0; i < 4; i++)
        await record(
          ORG_A,
          application({
            applicationId: 'REUSED-1',
            holder: person(700 + i, ring),
            salesChannel: { type: 'shop', shopId: `S${i}` },
          }),
        );
      const current = application({ applicationId: 'REUSED-1', holder: person(704, ring) });
      expect((await load(ORG_A, current)).addressHolders).toHaveLength(4);
      // The same holder under the same id at another outlet is history; at this outlet it is this application.
      const holder = person(710);
      await record(
        ORG_A,
        application({ applicationId: 'REUSED-2', holder, salesChannel: { type: 'online' } }),
      );
      const atShop = application({ applicationId: 'REUSED-2', holder });
      await record(ORG_A, atShop);
      const history = (await load(ORG_A, atShop)).holderApplications;
      expect(history.map((a) => [a.applicationId, a.outlet])).toEqual([['REUSED-2', 'online']]);
    });

    it('an exception belongs to the representative HQ approved, and an approved step-up grants nothing', async () => {
      const corporate = (name: string, serial: string) =>
        application({
          applicationId: 'CORP-EXC-1',
          holder: {
            type: 'corporation',
            identity: {
              name,
              birthDate: '1970-01-01',
              address: '東京都港区芝公園4-2-8',
              documentSerial: serial,
            },
            corporation: {
              corporateNumber: '7000012050002',
              name: '株式会社テスト',
              employmentVerification: { method: 'phone_callback', verifiedAt: new Date().toISOString() },
            },
          },
          lines: [{ simType: 'voice', count: 30, purpose: '営業用' }],
        });
      const approvedRep = corporate('担当 一郎', 'REP1');
      const v = await record(ORG_A, approvedRep, 'review');
      const outcome = {
        caseId: 'case_corp',
        orgId: ORG_A,
        decisionId: v.id,
        channel: 'contract',
        action: 'review' as const,
        resolution: 'approved' as const,
        effect: 'allow_once' as const,
        reason: '法人契約を確認',
        at: new Date().toISOString(),
        resolvedBy: 'key_hq',
      };
      await contract.onOutcome(outcome);
      expect((await load(ORG_A, approvedRep)).exception).toMatchObject({ caseId: 'case_corp' });
      const otherRep = corporate('担当 次郎', 'REP2');
      expect(contract.keys(otherRep).holder).toBe(contract.keys(approvedRep).holder);
      expect((await load(ORG_A, otherRep)).exception).toBeUndefined();

      // A step-up approved (the customer authenticated again) writes no exception.
      const stepped = application({ holder: person(720) });
      const s = await record(ORG_A, stepped, 'review');
      await contract.onOutcome({ ...outcome, caseId: 'case_step', decisionId: s.id, action: 'step_up' });
      expect((await load(ORG_A, stepped)).exception).toBeUndefined();
    });

    it('keeps organisations apart: lines, applications and holders of one are never another’s', async () => {
      const holder = person(500, '北海道札幌市中央区1-1');
      await contract.lines.record(ORG_B, { lineId: 'L500', holder: holder.identity, simType: 'voice' });
      await record(ORG_B, application({ holder }));
      await record(
        ORG_B,
        application({ holder: person(501, '北海道札幌市中央区1-1'), deviceFingerprint: 'dev-500' }),
      );
      const app = application({ holder, deviceFingerprint: 'dev-500' });
      const a = await load(ORG_A, app);
      expect(a.existingLines).toEqual({ voice: 0, data_sms: 0, data: 0 });
      expect(a.holderApplications).toEqual([]);
      expect(a.addressHolders).toEqual([]);
      expect(a.deviceHolders).toEqual([]);
      const b = await load(ORG_B, app);
      expect(b.existingLines.voice).toBe(1);
      expect(b.holderApplications).toHaveLength(1);
      expect(b.addressHolders).toHaveLength(1);
      expect(b.deviceHolders).toHaveLength(1);
      // The same line id in two organisations is two lines.
      expect(
        (await contract.lines.record(ORG_A, { lineId: 'L500', holder: holder.identity, simType: 'data' }))
          .created,
      ).toBe(true);
    });

    it('stores keys only: no raw identity in any contract table', async () => {
      const marker = '秘密 花子';
      const holder = {
        type: 'person',
        identity: { name: marker, birthDate: '1970-07-07', address: '秘密県秘密市1' },
      };
      await record(ORG_A, application({ holder }));
      await contract.lines.record(ORG_A, { lineId: 'L600', holder: holder.identity, simType: 'voice' });
      for (const table of ['contract_holders', 'contract_lines', 'contract_applications'] as const) {
        const rows = await store.db.$extendTables<ContractTables>().selectFrom(table).selectAll().execute();
        const text = JSON.stringify(rows);
        expect(text).not.toContain('秘密');
        expect(text).not.toContain('1970-07-07');
      }
    });
  });
}
