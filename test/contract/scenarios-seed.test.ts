import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOperation } from '../../src/cli/operation-commands.ts';
import type { Verdict } from '../../src/core/index.ts';
import type { Mamoru } from '../../src/mamoru.ts';
import { mamoruBackends } from '../helpers/mamoru-backends.ts';

/**
 * The contract rules of issue 7, written as scenarios in seed 001's terms
 * (measures P1–P6), present and absent: SMS-capable data SIMs never exempt,
 * added lines authenticated rather than re-verified, rings caught by their
 * third member, corporate lines with their real users, sign-ups by program,
 * the resale notice and the pledge, one application one case. End to end
 * (schema → load → detectors → policy → decision log → case) on PGlite, and
 * on PostgreSQL when DATABASE_URL is set.
 */

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();
const daysAgoDate = (days: number) => ago(24 * days).slice(0, 10);

const person = (name: string, birthDate: string, address: string) => ({ name, birthDate, address });
const icChipFace = (at = ago(0.1)) => ({
  method: 'ic_chip_face',
  assuranceLevel: 3,
  performedAt: at,
  documentExpiry: '2034-01-01',
});
const signalsOf = (v: Verdict) => v.hits.map((h) => h.signal).sort();
const hit = (v: Verdict, signal: string) => v.hits.find((h) => h.signal === signal);
const noticesOf = (v: Verdict) => (v.notices ?? []).map((n) => n.code);

for (const backend of mamoruBackends()) {
  describe(`seed 001 contract rules on ${backend.name}`, () => {
    let mamoru: Mamoru;
    let close: () => Promise<void>;
    let orgId: string;
    const screen = (payload: unknown) =>
      mamoru.screen({ id: 'key_hq', role: 'admin', orgId }, 'contract', payload) as Promise<
        Verdict & { case?: { id: string; status: string; reused: boolean } }
      >;
    const activate = (
      lineId: string,
      holder: ReturnType<typeof person>,
      extra: Record<string, unknown> = {},
    ) =>
      // The channel's record-line operation, as `mamoru contract record-line` runs it on the database.
      runOperation(mamoru, { id: 'test', role: 'admin', orgId }, 'contract', 'record-line', {
        lineId,
        holder,
        simType: 'voice',
        status: 'active',
        contractedAt: daysAgoDate(400),
        ...extra,
      });

    beforeAll(async () => {
      ({ mamoru, close } = await backend.open());
      orgId = (await mamoru.bootstrap({ demo: false }))!.orgId;
    });
    afterAll(() => close?.());

    it('a data SIM with SMS is never exempt from identity verification; a data-only tourist SIM is', async () => {
      const tourist = (applicationId: string, simType: string, name: string) => ({
        applicationId,
        salesChannel: { type: 'shop', shopId: 'shop-kansai-airport' },
        holder: { type: 'person', identity: person(name, '1985-05-05', 'Osaka Hilton, Osaka') },
        lines: [{ simType, count: 1, product: 'tourist_prepaid' }],
      });
      const sms = await screen(tourist('TOUR-1', 'data_sms', 'LEE MINHO'));
      expect(sms.action).toBe('block');
      expect(signalsOf(sms)).toEqual(['CONTRACT_DATA_SIM_NO_KYC']);
      expect(sms.reasons[0]!.ja).toContain('このお申込みは受け付けられません');
      expect(sms.reasons[0]!.customer?.ja).toContain('SMS付きデータSIMのご契約には本人確認が必要');
      const dataOnly = await screen(tourist('TOUR-2', 'data', 'WANG FANG'));
      expect(dataOnly.action).toBe('allow');
      expect(dataOnly.hits).toEqual([]);
      expect(noticesOf(dataOnly)).toEqual(['contract.resale_prohibited']);
    });

    it('an added line is judged on its authentication and on the line it names, not on a KYC record sent again', async () => {
      const holder = person('井上 真理', '1970-10-10', '愛知県名古屋市中区栄3-4-5');
      await activate('09011110001', holder); // the carrier keeps national numbers as line ids
      const other = person('松本 勇気', '1982-02-02', '愛知県名古屋市東区泉1-1-1');
      await activate('+819011110002', other);
      const added = (applicationId: string, authentication: string, lineNumber: string, extra = {}) => ({
        applicationId,
        salesChannel: { type: 'online' },
        holder: { type: 'person', identity: holder },
        lines: [{ simType: 'voice', count: 1 }],
        addedLine: { authentication, lineNumber },
        ...extra,
      });

      // MFA through My Page, no KYC record sent again: passes.
      const mfa = await screen(added('MYPAGE-1', 'biometric', '090-1111-0001'));
      expect(mfa.action).toBe('allow');
      expect(mfa.hits).toEqual([]);
      // ID + password: redo the authentication (step up), not "identity check missing".
      const weak = await screen(added('MYPAGE-2', 'password', '090-1111-0001'));
      expect(weak.action).toBe('step_up');
      expect(signalsOf(weak)).toEqual(['CONTRACT_ADDED_LINE_WEAK_AUTH']);
      expect(weak.reasons[0]!.ja).toContain('ワンタイムパスワード');
      expect(weak.reasons[0]!.ja).toContain('認証をやり直してください');
      // The holder was first verified online by a document copy in 2025 — legal then: not blocked now.
      const original = {
        identityVerification: {
          method: 'document_copy',
          assuranceLevel: 2,
          performedAt: '2025-06-01T10:00:00+09:00',
          documentExpiry: '2026-01-31',
        },
      };
      const legacy = await screen(added('MYPAGE-3', 'otp', '09011110001', original));
      expect(legacy.action).toBe('allow');
      expect(legacy.hits).toEqual([]);
      // Naming someone else's number: not an added line of this holder → HQ.
      const foreign = await screen(added('MYPAGE-4', 'biometric', '+819011110002'));
      expect(foreign.action).toBe('review');
      // (Its fourth application in a month is velocity too.)
      expect(signalsOf(foreign)).toEqual(['CONTRACT_ADDED_LINE_NOT_HELD', 'CONTRACT_VELOCITY']);
      expect(hit(foreign, 'CONTRACT_ADDED_LINE_NOT_HELD')!.evidence).toContain('state=other_holder');
      // The customer is not told whose line it is.
      expect(foreign.reasons[0]!.customer?.ja).not.toContain('他の名義');
      // A made-up "existing customer" who holds no line at all.
      const stranger = await screen({
        ...added('MYPAGE-5', 'otp', '+819099999999'),
        holder: { type: 'person', identity: person('偽 太郎', '1999-09-09', '愛知県名古屋市中区栄9-9-9') },
      });
      expect(stranger.action).toBe('review');
      expect(hit(stranger, 'CONTRACT_ADDED_LINE_NOT_HELD')!.evidence).toContain('state=unknown');
    });

    it('a ring of people at one address opening SMS-capable SIMs at different shops on one day is caught by its third member', async () => {
      const address = '神奈川県川崎市川崎区駅前本町11-2';
      const members = ['ring-a 一郎', 'ring-b 二郎', 'ring-c 三郎', 'ring-d 四郎'];
      const shops = ['shop-kawasaki', 'shop-yokohama', 'shop-musashikosugi', 'shop-tsurumi'];
      const verdicts: Verdict[] = [];
      for (const [i, name] of members.entries()) {
        verdicts.push(
          await screen({
            applicationId: `RING7-${i}`,
            salesChannel: { type: 'shop', shopId: shops[i] },
            holder: { type: 'person', identity: person(name, `199${i}-03-03`, address) },
            identityVerification: icChipFace(),
            lines: [{ simType: 'data_sms', count: 2 }],
            pledgeSigned: true,
          }),
        );
      }
      expect(verdicts.map((v) => v.action)).toEqual(['allow', 'allow', 'review', 'review']);
      expect(signalsOf(verdicts[2]!)).toEqual(['CONTRACT_SHARED_ADDRESS']);
      // Four SIMs issued, not nine.
      expect(verdicts.filter((v) => v.action === 'allow').reduce((n, v) => n + (v.notices ? 2 : 0), 0)).toBe(
        4,
      );
    });

    it('one address however it is written is one address: for the ring and for the holder’s cap', async () => {
      const forms = [
        '東京都新宿区西新宿二丁目8番1号',
        '新宿区西新宿２－８－１',
        '東京都 新宿区 西新宿 2‐8‐1 都庁第一本庁舎',
        '東京都新宿区西新宿二丁目八番一号 ハイツ新宿１０１号室',
      ];
      const verdicts: Verdict[] = [];
      for (const [i, address] of forms.entries()) {
        verdicts.push(
          await screen({
            applicationId: `ADDR7-${i}`,
            salesChannel: { type: 'shop', shopId: `shop-addr-${i}` },
            holder: { type: 'person', identity: person(`住所 ${i}`, `198${i}-08-08`, address) },
            identityVerification: icChipFace(),
            lines: [{ simType: 'data_sms', count: 1 }],
          }),
        );
      }
      expect(verdicts.map((v) => v.action)).toEqual(['allow', 'allow', 'review', 'review']);
      expect(hit(verdicts[3]!, 'CONTRACT_SHARED_ADDRESS')!.evidence).toContain('holders=4');
      // The holder who writes the address another way is the same holder: the cap is not reset.
      const holder = (address: string) => person('上限 確認', '1975-05-25', address);
      for (let i = 1; i <= 5; i++) await activate(`+819033330${i}00`, holder('東京都港区芝公園4-2-8'));
      const rewritten = await screen({
        applicationId: 'ADDR7-CAP',
        salesChannel: { type: 'shop', shopId: 'shop-shiba' },
        holder: { type: 'person', identity: holder('港区芝公園四丁目２番８号') },
        identityVerification: icChipFace(),
        lines: [{ simType: 'voice', count: 1 }],
      });
      expect(rewritten.action).toBe('review');
      expect(hit(rewritten, 'CONTRACT_LINE_CAP_EXCEEDED')!.params).toMatchObject({ existing: 5, total: 6 });
    });

    it('a family at one address, each opening one line at the same shop, is not a ring (near miss)', async () => {
      const address = '静岡県静岡市葵区追手町9-6';
      const family = ['家族 父', '家族 母', '家族 長男'];
      for (const [i, name] of family.entries()) {
        const v = await screen({
          applicationId: `FAMILY7-${i}`,
          salesChannel: { type: 'shop', shopId: 'shop-shizuoka' },
          holder: { type: 'person', identity: person(name, `19${70 + i * 10}-07-07`, address) },
          identityVerification: icChipFace(),
          lines: [{ simType: 'voice', count: 1 }],
        });
        expect(v.action, name).toBe('allow');
      }
    });

    it('velocity counts lines: three SIMs at one shop and three at another the same day go to HQ', async () => {
      const holder = person('速水 蓮', '1996-06-16', '東京都豊島区南池袋1-28-1');
      const application = (applicationId: string, shopId: string) => ({
        applicationId,
        salesChannel: { type: 'shop', shopId },
        holder: { type: 'person', identity: holder },
        identityVerification: icChipFace(),
        lines: [{ simType: 'data_sms', count: 3 }],
        pledgeSigned: true,
      });
      const first = await screen(application('VEL7-1', 'shop-ikebukuro'));
      expect(first.action).not.toBe('review');
      const second = await screen(application('VEL7-2', 'shop-shinjuku'));
      expect(second.action).toBe('review');
      expect(hit(second, 'CONTRACT_VELOCITY')!.evidence).toContain('lines=6 (sought before 3 + now 3) > 5');
    });

    it('corporate lines need their real users and the representative’s authority; one user under many holders is a ring', async () => {
      const corporate = (
        applicationId: string,
        corporateNumber: string,
        lines: unknown[],
        authority = true,
      ) => ({
        applicationId,
        salesChannel: { type: 'shop', shopId: 'shop-hojin-tokyo' },
        holder: {
          type: 'corporation',
          identity: person('法人 担当', '1981-01-01', '東京都千代田区丸の内1-1-1'),
          corporation: {
            corporateNumber,
            name: '株式会社テスト',
            employmentVerification: { method: 'phone_callback', verifiedAt: ago(24) },
            ...(authority ? { authority: { basis: 'letter_of_authority', issuedOn: daysAgoDate(5) } } : {}),
          },
        },
        identityVerification: icChipFace(),
        lines,
        pledgeSigned: true,
      });
      const user = (name: string) => ({ name, birthDate: '1990-12-12' });

      const noUsers = await screen(corporate('CORP7-1', '7000012050002', [{ simType: 'voice', count: 2 }]));
      expect(noUsers.action).toBe('review');
      expect(signalsOf(noUsers)).toEqual(['CONTRACT_CORP_REGISTERED_USER_MISSING']);

      const withUsers = await screen(
        corporate('CORP7-2', '7000012050002', [
          { simType: 'voice', count: 1, registeredUser: user('社員 一') },
          { simType: 'voice', count: 1, registeredUser: user('社員 二') },
        ]),
      );
      expect(withUsers.action).toBe('allow');
      expect(withUsers.hits).toEqual([]);

      const noAuthority = await screen(
        corporate(
          'CORP7-3',
          '7000012050002',
          [{ simType: 'voice', count: 1, registeredUser: user('社員 三') }],
          false,
        ),
      );
      expect(noAuthority.action).toBe('review');
      expect(signalsOf(noAuthority)).toEqual(['CONTRACT_CORP_AUTHORITY_UNVERIFIED']);

      // One person registered as the user of lines under many holders: two others hold lines for 名義 貸子.
      const lender = { name: '名義 貸子', birthDate: '1993-03-03' };
      await activate('+819022220001', person('別人 一', '1960-01-01', '埼玉県川口市1-1'), {
        registeredUser: lender,
      });
      await activate('+819022220002', person('別人 二', '1961-01-01', '埼玉県川口市2-2'), {
        registeredUser: lender,
      });
      const third = await screen({
        applicationId: 'USER7-1',
        salesChannel: { type: 'shop', shopId: 'shop-kawaguchi' },
        holder: { type: 'person', identity: person('別人 三', '1962-01-01', '埼玉県川口市3-3') },
        identityVerification: icChipFace(),
        lines: [{ simType: 'voice', count: 1, registeredUser: { ...lender, name: '名義　貸子' } }],
      });
      expect(third.action).toBe('review');
      expect(signalsOf(third)).toEqual(['CONTRACT_REGISTERED_USER_SHARED']);
      // The same user under one other holder is not a ring (near miss).
      const once = person('別人 四', '1963-01-01', '埼玉県川口市4-4');
      const single = { name: '一度 だけ', birthDate: '1994-04-04' };
      await activate('+819022220003', person('別人 五', '1964-01-01', '埼玉県川口市5-5'), {
        registeredUser: single,
      });
      const fine = await screen({
        applicationId: 'USER7-2',
        salesChannel: { type: 'shop', shopId: 'shop-kawaguchi' },
        holder: { type: 'person', identity: once },
        identityVerification: icChipFace(),
        lines: [{ simType: 'voice', count: 1, registeredUser: single }],
      });
      expect(fine.action).toBe('allow');
    });

    it('a back-dated application neither freshens old evidence nor hides from the next member of a ring', async () => {
      const corporate = {
        applicationId: 'BACK7-1',
        salesChannel: { type: 'agency', agencyId: 'agency-backdate' },
        holder: {
          type: 'corporation',
          identity: person('遡及 担当', '1979-09-19', '福岡県福岡市中央区天神1-8-1'),
          corporation: {
            corporateNumber: '4000012090001',
            name: '株式会社遡及',
            employmentVerification: { method: 'phone_callback', verifiedAt: ago(24 * 45) },
            authority: { basis: 'letter_of_authority', issuedOn: daysAgoDate(45) },
          },
        },
        identityVerification: icChipFace(ago(24 * 20)),
        lines: [{ simType: 'data', count: 1 }],
        submittedAt: ago(24 * 20),
      };
      const v = await screen(corporate);
      expect(v.action).toBe('review');
      expect(signalsOf(v)).toEqual(['CONTRACT_CORP_EMPLOYMENT_UNVERIFIED']);
      // Two holders of a ring back-date their applications by ten days; the third, today, still sees them.
      const address = '福岡県北九州市小倉北区城内1-1';
      const at = (i: number, days: number) => ({
        applicationId: `BACK7-R${i}`,
        salesChannel: { type: 'shop', shopId: `shop-kokura-${i}` },
        holder: { type: 'person', identity: person(`遡及 ${i}`, `198${i}-10-10`, address) },
        identityVerification: icChipFace(ago(24 * days + 0.1)),
        lines: [{ simType: 'data_sms', count: 2 }],
        pledgeSigned: true,
        submittedAt: ago(24 * days),
      });
      expect((await screen(at(1, 10))).action).toBe('allow');
      expect((await screen(at(2, 10))).action).toBe('allow');
      const third = await screen(at(3, 0));
      expect(third.action).toBe('review');
      expect(signalsOf(third)).toEqual(['CONTRACT_SHARED_ADDRESS']);
    });

    it('online sign-ups by program: many holders from one IP, or a form filled faster than a person can', async () => {
      const online = (i: number, session: Record<string, unknown>) => ({
        applicationId: `BOT7-${i}`,
        salesChannel: { type: 'online' },
        holder: {
          type: 'person',
          identity: person(`bot ${i}`, `200${i % 10}-01-0${(i % 9) + 1}`, `大阪府堺市堺区南瓦町${i}-1`),
        },
        identityVerification: { method: 'jpki_signature', assuranceLevel: 3, performedAt: ago(0.1) },
        lines: [{ simType: 'voice', count: 1 }],
        session,
      });
      const ip = '203.0.113.77';
      const actions: string[] = [];
      for (let i = 0; i < 4; i++)
        actions.push((await screen(online(i, { ipAddress: ip, formSeconds: 300 }))).action);
      expect(actions).toEqual(['allow', 'allow', 'allow', 'review']);
      const fast = await screen(online(7, { ipAddress: '198.51.100.7', formSeconds: 8, attempts: 1 }));
      expect(fast.action).toBe('review');
      expect(signalsOf(fast)).toEqual(['CONTRACT_SESSION_AUTOMATED']);
      expect(fast.reasons[0]!.ja).toContain('入力時間 8 秒');
      // The decision log keeps the IP only as a keyed hash.
      const logged = await mamoru.store.decisions.get(orgId, fast.id);
      expect(JSON.stringify(logged)).not.toContain('198.51.100.7');
    });

    it('the pledge: required from three SMS-capable lines and not signed → the verdict says to collect it', async () => {
      const holder = person('誓約 未了', '1977-07-17', '宮城県仙台市青葉区一番町1-1-1');
      const v = await screen({
        applicationId: 'PLEDGE7-1',
        salesChannel: { type: 'shop', shopId: 'shop-sendai' },
        holder: { type: 'person', identity: holder },
        identityVerification: icChipFace(),
        lines: [
          { simType: 'voice', count: 1 },
          { simType: 'data_sms', count: 2, registeredUser: { name: '誓約 子', birthDate: '2005-05-05' } },
        ],
      });
      expect(v.action).toBe('allow');
      expect(noticesOf(v)).toEqual(['contract.resale_prohibited', 'contract.collect_pledge']);
    });

    it('one application, one case: screening it again returns the case already open', async () => {
      const holder = person('重複 審査', '1966-06-06', '広島県広島市中区基町10-52');
      const application = {
        applicationId: 'ONCE7-1',
        salesChannel: { type: 'shop', shopId: 'shop-hiroshima' },
        holder: { type: 'person', identity: holder },
        identityVerification: icChipFace(),
        lines: [{ simType: 'voice', count: 6 }],
      };
      const first = await screen(application);
      expect(first.action).toBe('review');
      expect(noticesOf(first)).toEqual(['contract.collect_pledge', 'contract.collect_purpose']);
      const second = await screen(application);
      expect(second.case).toMatchObject({ id: first.case!.id, reused: true });
      const open = (await mamoru.cases.list(orgId, { limit: 100 })).items.filter(
        (c) => c.channel === 'contract' && c.summary.details?.applicationId === 'ONCE7-1',
      );
      expect(open).toHaveLength(1);
    });
  });
}
