import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CONTRACT_DEFAULT_POLICY, contractSettingsIssues } from '../../src/channels/contract/policy.ts';
import { CONTRACT_SIGNALS } from '../../src/channels/contract/signals.ts';
import type { SignalDeclaration, Verdict } from '../../src/core/index.ts';
import type { Mamoru } from '../../src/mamoru.ts';
import { mamoruBackends } from '../helpers/mamoru-backends.ts';

/**
 * Contract scenarios around the carrier's own data: a denied ring's keys
 * shared as intel and matched later (INTEL_MATCH_IDENTITY), a versioned
 * carrier policy with its own caps and deny list, and settings of the wrong
 * type falling back to the defaults. On PGlite, and on PostgreSQL when
 * DATABASE_URL is set.
 */

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();
const person = (name: string, birthDate: string, address: string, documentSerial: string) => ({
  name,
  birthDate,
  address,
  documentSerial,
});
const signalsOf = (v: Verdict) => v.hits.map((h) => h.signal).sort();
const application = (
  applicationId: string,
  identity: ReturnType<typeof person>,
  more: Record<string, unknown> = {},
) => ({
  applicationId,
  salesChannel: { type: 'shop', shopId: 'shop-nagoya' },
  holder: { type: 'person', identity },
  identityVerification: {
    method: 'ic_chip_face',
    assuranceLevel: 3,
    performedAt: ago(0.1),
    documentExpiry: '2033-03-03',
  },
  lines: [{ simType: 'voice', count: 1 }],
  ...more,
});

for (const backend of mamoruBackends()) {
  describe(`contract policy and intel scenarios on ${backend.name}`, () => {
    let mamoru: Mamoru;
    let close: () => Promise<void>;
    let orgId: string;
    let other: string;
    let wide: string;
    let numbers: string;
    const as = (role: 'agent' | 'reviewer' | 'admin') => ({ id: `key_${role}`, role, orgId });

    beforeAll(async () => {
      ({ mamoru, close } = await backend.open());
      orgId = (await mamoru.bootstrap({ demo: false }))!.orgId;
      other = (await mamoru.store.orgs.create({ name: 'Carrier with an old policy' })).id;
      wide = (await mamoru.store.orgs.create({ name: 'Carrier with wide windows' })).id;
      numbers = (await mamoru.store.orgs.create({ name: 'Carrier with a number deny list' })).id;
    });
    afterAll(async () => close?.());

    it('a ring denied by HQ shares its keys; the same document, at a new address, matches them', async () => {
      const address = '愛知県名古屋市中村区名駅1-1-1 メゾン名駅305';
      const ring = ['松本 亮', '井上 剛', '木下 渉', '林 航'].map((name, i) =>
        person(name, `199${i}-10-1${i}`, address, `NGY00${i}`),
      );
      let last: Verdict | undefined;
      for (const [i, identity] of ring.entries()) {
        last = await mamoru.screen(
          as('agent'),
          'contract',
          application(`NGY-${i}`, identity, {
            salesChannel: { type: 'shop', shopId: `shop-${i % 3}` },
            submittedAt: ago(30 - i * 9),
          }),
        );
      }
      expect(last!.action).toBe('review');
      const ringCase = (await mamoru.cases.list(orgId, { limit: 100 })).items.find(
        (c) => c.decisionId === last!.id,
      );
      await mamoru.cases.resolve(as('reviewer'), ringCase!.id, {
        resolution: 'denied',
        reason: '転売目的の名義貸しと判断',
        shareIndicators: 'org',
      });
      await mamoru.outcomes.drain();

      const moved = { ...ring[3]!, address: '岐阜県岐阜市橋本町1-10-1' };
      const again = await mamoru.screen(as('agent'), 'contract', application('NGY-9', moved));
      expect(signalsOf(again)).toEqual(['INTEL_MATCH_IDENTITY']);
      expect(again.action).toBe('review');
      const match = again.hits[0]!;
      expect(match.evidence).toEqual(expect.arrayContaining(['field=holder.identity.documentSerial']));
      expect(match.evidence.some((e) => e.includes(`source=case:${ringCase!.id}`))).toBe(true);
    });

    it('a carrier versions its own policy: a cap of 6 voice lines and a deny-listed identity', async () => {
      const denied = person('森 大和', '1985-05-05', '静岡県静岡市葵区追手町9-6', 'SZK0001');
      const version = await mamoru.putPolicy(
        as('admin'),
        'contract',
        {
          ...CONTRACT_DEFAULT_POLICY,
          id: 'contract.family-plan',
          settings: { lineCaps: { person: { voice: 6 } } },
          overrides: {
            deny: [
              {
                type: 'identity',
                value: `${denied.name}|${denied.birthDate}|${denied.address}|${denied.documentSerial}`,
                reason: '不正契約の前歴',
              },
            ],
          },
        },
        '家族プラン向けに音声上限を6回線へ',
      );
      expect(version.version).toBe(1);

      const family = person('石川 恵', '1978-08-08', '静岡県浜松市中区元城町103-2', 'SZK0002');
      const six = await mamoru.screen(
        as('agent'),
        'contract',
        application('SZK-1', family, {
          lines: [
            { simType: 'voice', count: 2 },
            ...['石川 光', '石川 空', '石川 海', '石川 陸'].map((name) => ({
              simType: 'voice',
              count: 1,
              registeredUser: { name, birthDate: '2012-12-12', address: family.address },
            })),
          ],
        }),
      );
      expect(six.action).toBe('allow');
      expect(six.policy).toEqual({ id: 'contract.family-plan', version: 1 });

      const blocked = await mamoru.screen(as('agent'), 'contract', application('SZK-2', denied));
      expect(blocked.action).toBe('block');
      expect(blocked.forced).toMatchObject({ kind: 'deny_override', by: 'POLICY_DENY_LISTED' });
    });

    it('numbers on the carrier’s deny list match a contact number or the line an added line hangs on, however written', async () => {
      await mamoru.putPolicy({ id: 'key_admin', role: 'admin', orgId: numbers }, 'contract', {
        ...CONTRACT_DEFAULT_POLICY,
        overrides: {
          deny: [
            { type: 'phone', value: '+81 90-1111-2222', reason: '転売に使われた回線' },
            { type: 'email', value: 'Broker@Example.JP', reason: '転売業者の連絡先' },
          ],
        },
      });
      const agent = { id: 'key_agent', role: 'agent' as const, orgId: numbers };
      const customer = person('小林 悠', '1988-08-18', '千葉県千葉市中央区1-1', 'CHB0001');
      const byContact = await mamoru.screen(
        agent,
        'contract',
        application('CHB-1', customer, { contactPhone: '０９０－１１１１－２２２２' }),
      );
      expect(byContact.action).toBe('block');
      expect(byContact.forced).toMatchObject({ kind: 'deny_override', by: 'POLICY_DENY_LISTED' });
      expect(byContact.indicators).toContainEqual({
        type: 'phone',
        value: '+819011112222',
        field: 'contactPhone',
      });

      const addedTo = await mamoru.screen(
        agent,
        'contract',
        application('CHB-2', customer, {
          addedLine: { authentication: 'passkey', lineNumber: '09011112222' },
        }),
      );
      expect(addedTo.action).toBe('block');
      const byEmail = await mamoru.screen(
        agent,
        'contract',
        application('CHB-3', person('小林 空', '1991-10-20', '千葉県千葉市中央区3-3', 'CHB0003'), {
          contactEmail: 'broker@example.jp',
        }),
      );
      expect(byEmail.action).toBe('block');
      const clean = await mamoru.screen(
        agent,
        'contract',
        application('CHB-4', person('小林 海', '1992-11-21', '千葉県千葉市中央区4-4', 'CHB0004'), {
          contactPhone: '090-1111-2223',
          contactEmail: 'yu@example.jp',
        }),
      );
      expect(clean.action).toBe('allow');
    });

    it('a policy whose settings are wrong is refused naming them; one stored earlier falls back to the defaults and says so', async () => {
      const settings = { lineCaps: { person: { voice: 'five' } }, velocty: { windowDays: 3 } };
      expect(contractSettingsIssues(settings)).toEqual([
        { path: 'settings.lineCaps.person.voice', message: expect.stringContaining('expected number') },
        { path: 'settings.velocty', message: 'unknown setting: the policy is refused' },
      ]);
      await expect(
        mamoru.putPolicy(as('admin'), 'contract', { ...CONTRACT_DEFAULT_POLICY, settings }),
      ).rejects.toMatchObject({
        code: 'invalid_policy',
        issues: expect.arrayContaining([
          expect.objectContaining({ path: 'settings.lineCaps.person.voice' }),
          expect.objectContaining({ path: 'settings.velocty' }),
        ]),
      });
      // A policy written before this check (straight into the store) still screens, on the defaults.
      await mamoru.store.policies.put({
        orgId: other,
        channel: 'contract',
        document: { ...mamoru.defaultPolicy('contract'), settings },
        createdBy: 'migration',
      });
      const holder = person('岡田 怜', '1991-01-19', '京都府京都市下京区烏丸通塩小路下ル', 'KYT0001');
      const verdict = await mamoru.screen(
        { id: 'key_agent_other', role: 'agent', orgId: other },
        'contract',
        application('KYT-1', holder, { lines: [{ simType: 'voice', count: 6 }] }),
      );
      expect(verdict.action).toBe('review');
      const cap = verdict.hits.find((h) => h.signal === 'CONTRACT_LINE_CAP_EXCEEDED')!;
      expect(cap.params).toMatchObject({ cap: 5 });
      expect(cap.evidence.some((e) => e.startsWith('setting_fallback=lineCaps.person.voice'))).toBe(true);
      expect(verdict.outcomes.filter((o) => o.outcome === 'error')).toEqual([]);
    });

    it('a carrier that stores only its settings keeps the default thresholds, forced actions and review SLA', async () => {
      const carrier = (await mamoru.store.orgs.create({ name: 'Carrier storing settings only' })).id;
      const admin = { id: 'key_admin', role: 'admin' as const, orgId: carrier };
      const agent = { id: 'key_agent', role: 'agent' as const, orgId: carrier };
      const stored = await mamoru.policies.put(
        admin,
        'contract',
        { settings: { lineCaps: { person: { voice: 6 } } } },
        '家族プラン向けに音声上限を6回線へ（設定のみ）',
      );
      expect(stored.document).toEqual({ settings: { lineCaps: { person: { voice: 6 } } } });
      expect(stored.effective.thresholds).toEqual(CONTRACT_DEFAULT_POLICY.thresholds);
      // The forced actions the signals declare, shown in the effective policy.
      expect(stored.effective.signals).toEqual(
        Object.fromEntries(
          (CONTRACT_SIGNALS as readonly SignalDeclaration[])
            .filter((s) => s.forceAction)
            .map((s) => [s.name, { forceAction: s.forceAction }]),
        ),
      );
      expect(stored.effective.signals.CONTRACT_LINE_CAP_EXCEEDED).toEqual({ forceAction: 'review' });

      // The carrier's cap of 6 applies and keeps the default's forced review: two lines pass, seven go to HQ.
      const within = await mamoru.screen(
        agent,
        'contract',
        application('LAY-1', person('西村 翼', '1982-02-12', '大阪府大阪市北区梅田1-1', 'OSK0001'), {
          lines: [{ simType: 'voice', count: 2 }],
        }),
      );
      expect(signalsOf(within)).not.toContain('CONTRACT_LINE_CAP_EXCEEDED');
      const seven = await mamoru.screen(
        agent,
        'contract',
        application('LAY-2', person('西村 陽', '1984-04-14', '大阪府大阪市北区梅田2-2', 'OSK0002'), {
          lines: [{ simType: 'voice', count: 7 }],
        }),
      );
      expect(seven.hits.find((h) => h.signal === 'CONTRACT_LINE_CAP_EXCEEDED')?.params).toMatchObject({
        cap: 6,
      });
      expect(seven.action).toBe('review');

      // A holder on the carrier's own list scores 8: only the default review threshold (6) sends it to HQ.
      const listed = person('北村 蓮', '1990-09-09', '大阪府堺市堺区南瓦町3-1', 'OSK0003');
      await mamoru.intel.upsert(carrier, {
        type: 'identity',
        value: `${listed.name}|${listed.birthDate}|${listed.address}|${listed.documentSerial}`,
        verdict: 'malicious',
        confidence: 100,
        source: 'carrier',
      });
      const flagged = await mamoru.screen(agent, 'contract', application('LAY-3', listed));
      expect(signalsOf(flagged)).toEqual(['INTEL_MATCH_IDENTITY']);
      expect(flagged.forced).toBeUndefined();
      expect(flagged.action).toBe('review');
      expect(flagged.policy).toEqual({ id: 'contract.default', version: 1 });
      const opened = (await mamoru.cases.list(carrier, { limit: 100 })).items.find(
        (c) => c.decisionId === flagged.id,
      );
      // The default's 72-hour review SLA is kept too.
      expect(Date.parse(opened!.dueAt) - Date.parse(flagged.createdAt)).toBe(72 * HOUR);

      // HQ tries a lighter weight first: exact re-scoring names the one verdict that would change.
      const lighter = await mamoru.policies.dryRun(admin, 'contract', {
        settings: { lineCaps: { person: { voice: 6 } } },
        signals: { INTEL_MATCH_IDENTITY: { weight: 4 } },
      });
      expect(lighter).toMatchObject({ mode: 'rescore', checked: 3, changed: 1, rescoredOnly: { count: 0 } });
      expect(lighter.changes).toEqual([
        {
          decisionId: flagged.id,
          createdAt: flagged.createdAt,
          mode: 'rescored',
          from: { action: 'review', score: flagged.score },
          to: { action: 'step_up', score: 4 },
        },
      ]);
      // A tighter cap needs the detectors and the history they loaded: every application is said to be re-scored only.
      const tighter = await mamoru.policies.dryRun(admin, 'contract', {
        settings: { lineCaps: { person: { voice: 1 } } },
      });
      expect(tighter).toMatchObject({
        mode: 'rescore_only',
        rescoredOnly: {
          count: 3,
          note: {
            ja: '再採点のみ：設定の変更は再評価されていません',
            en: 're-scored only: settings changes not re-evaluated',
          },
        },
      });
      expect([...tighter.rescoredOnly.decisionIds].sort()).toEqual([within.id, seven.id, flagged.id].sort());
    });

    it('the history loaded follows the carrier’s windows: a ring spread over 20 days is caught with a 30-day address window only', async () => {
      const address = '福岡県福岡市博多区博多駅前2-2-2 コーポ博多101';
      const ring = ['中島 純', '前田 蓮', '藤田 湊', '後藤 樹'].map((name, i) =>
        person(name, `198${i}-02-0${i + 1}`, address, `FKO00${i}`),
      );
      // Each member is screened on the day it applies (an application is placed no more than 48 hours
      // before its screening): the clock is set to each day in turn.
      const screenRing = async (org: string, prefix: string) => {
        const base = Date.now();
        let last: Verdict | undefined;
        vi.useFakeTimers({ toFake: ['Date'] });
        try {
          for (const [i, identity] of ring.entries()) {
            const at = new Date(base - (20 - i * 7) * 24 * 3_600_000);
            vi.setSystemTime(at);
            last = await mamoru.screen(
              { id: 'key_agent', role: 'agent', orgId: org },
              'contract',
              application(`${prefix}-${i}`, identity, { submittedAt: at.toISOString() }),
            );
          }
        } finally {
          vi.useRealTimers();
        }
        return last!;
      };
      const byDefault = await screenRing(orgId, 'FKO');
      expect(signalsOf(byDefault)).not.toContain('CONTRACT_SHARED_ADDRESS');

      await mamoru.putPolicy({ id: 'key_admin', role: 'admin', orgId: wide }, 'contract', {
        ...CONTRACT_DEFAULT_POLICY,
        settings: { sharedAddress: { windowDays: 30, minOtherHolders: 3 } },
      });
      const widened = await screenRing(wide, 'FKW');
      expect(signalsOf(widened)).toContain('CONTRACT_SHARED_ADDRESS');
      expect(widened.action).toBe('review');
    });
  });
}
