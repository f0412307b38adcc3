import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ContractTables } from '../../src/channels/contract/tables.ts';
import { runOperation } from '../../src/cli/operation-commands.ts';
import type { Verdict } from '../../src/core/index.ts';
import type { Mamoru } from '../../src/mamoru.ts';
import { Metrics } from '../../src/metrics.ts';
import { type App, buildServer } from '../../src/server/app.ts';
import { mamoruBackends } from '../helpers/mamoru-backends.ts';

/**
 * The contract channel's scenarios from issue 3 (MEASURES.md P1–P6), end to
 * end: application → load (lines, history, exceptions) → detectors → policy
 * → decision log → case → resolution → exception → re-screening. On PGlite,
 * and on PostgreSQL when DATABASE_URL is set.
 */

const HOUR = 3_600_000;
const ago = (hours: number) => new Date(Date.now() - hours * HOUR).toISOString();

/** A person's verified identity; each scenario uses its own people and addresses. */
const person = (name: string, birthDate: string, address: string, documentSerial?: string) => ({
  name,
  birthDate,
  address,
  ...(documentSerial ? { documentSerial } : {}),
});

const icChipFace = (at = ago(0.1)) => ({
  method: 'ic_chip_face',
  assuranceLevel: 3,
  performedAt: at,
  documentExpiry: '2034-01-01',
});

const signalsOf = (v: Verdict) => v.hits.map((h) => h.signal).sort();
const hit = (v: Verdict, signal: string) => v.hits.find((h) => h.signal === signal);

for (const backend of mamoruBackends()) {
  describe(`contract scenarios on ${backend.name}`, () => {
    let mamoru: Mamoru;
    let close: () => Promise<void>;
    let app: App;
    let orgId: string;
    let adminToken: string;
    const tokens: Record<'agent' | 'reviewer', string> = { agent: '', reviewer: '' };

    const inject = async (token: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
      const res = await app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
      return { status: res.statusCode, body: res.json() as Record<string, unknown> };
    };
    const shop = { id: 'key_shop', role: 'agent' as const, orgId: '' };
    const screen = (payload: unknown) => mamoru.screen({ ...shop, orgId }, 'contract', payload);
    const caseOf = async (decisionId: string) =>
      (await mamoru.cases.list(orgId, { limit: 100 })).items.find((c) => c.decisionId === decisionId);
    const activate = (lineId: string, holder: ReturnType<typeof person>, simType = 'voice') =>
      // The channel's record-line operation, as `mamoru contract record-line` runs it on the database.
      runOperation(mamoru, { id: 'test', role: 'admin', orgId }, 'contract', 'record-line', {
        lineId,
        holder,
        simType,
        status: 'active',
        contractedAt: ago(24 * 10),
      });

    beforeAll(async () => {
      ({ mamoru, close } = await backend.open());
      const boot = await mamoru.bootstrap({ demo: false });
      orgId = boot!.orgId;
      adminToken = boot!.token;
      app = await buildServer({ mamoru, metrics: new Metrics({ defaults: false }), logger: false });
      for (const role of ['agent', 'reviewer'] as const) {
        const created = await inject(adminToken, 'POST', '/v1/keys', { name: `${role} key`, role });
        expect(created.status).toBe(201);
        tokens[role] = created.body.token as string;
      }
    });
    afterAll(async () => {
      await app?.close();
      await close?.();
    });

    it('a family of 6: over the cap → HQ review with purpose and pledge; the agency cannot approve; HQ approves; the same application passes, a 7th line does not', async () => {
      const holder = person('鈴木 一郎', '1975-06-01', '埼玉県さいたま市浦和区高砂3-15-1', 'FAM0001');
      const family = ['鈴木 花子', '鈴木 翔', '鈴木 葵', '鈴木 蓮', '鈴木 陽菜'];
      const application = {
        applicationId: 'FAM-1',
        salesChannel: { type: 'agency', agencyId: 'agency-urawa' },
        holder: { type: 'person', identity: holder },
        identityVerification: icChipFace(),
        lines: [
          { simType: 'voice', count: 1, purpose: '本人利用' },
          ...family.map((name, i) => ({
            simType: 'voice',
            count: 1,
            purpose: '家族利用（6人家族）',
            registeredUser: person(name, `20${String(i).padStart(2, '0')}-04-01`, holder.address),
          })),
        ],
        pledgeSigned: true,
      };

      const first = await inject(tokens.agent, 'POST', '/v1/screen/contract', application);
      expect(first.status).toBe(200);
      const verdict = first.body as unknown as Verdict;
      expect(verdict.action).toBe('review');
      expect(verdict.forced).toMatchObject({ by: 'CONTRACT_LINE_CAP_EXCEEDED', kind: 'signal' });
      expect(signalsOf(verdict)).toEqual(['CONTRACT_LINE_CAP_EXCEEDED']);
      expect(verdict.reasons[0]!.ja).toBe(
        '個人のお客様の音声・SMS付き回線の上限は 5 回線です。ご契約中の 0 回線と今回の 6 回線で 6 回線となるため、本部が利用目的（本人利用 / 家族利用（6人家族））を確認して例外として認めるか審査します（誓約書: あり）',
      );
      expect(verdict.reasons[0]!.en).toBe(
        'A person may hold up to 5 lines (voice and SMS-capable). The 0 lines held and the 6 lines requested make 6, so HQ reviews the declared purpose (本人利用 / 家族利用（6人家族）) to decide on an exception (pledge: signed)',
      );
      // What the clerk reads to the customer names no threshold.
      expect(verdict.reasons[0]!.customer?.ja).not.toMatch(/\d/);
      expect(hit(verdict, 'CONTRACT_LINE_CAP_EXCEEDED')!.evidence).toEqual(
        expect.arrayContaining(['cap=5 existing=0 requested=6 total=6', 'pledge_signed=true']),
      );

      const opened = await caseOf(verdict.id);
      expect(opened).toMatchObject({ status: 'open', action: 'review', channel: 'contract' });
      expect(opened!.summary.reasons[0]!.ja).toContain('家族利用');
      // Everything HQ needs is on the case: counts by SIM type, the rule that fired, purposes, pledge, history.
      expect(opened!.summary.hits).toEqual([
        expect.objectContaining({
          signal: 'CONTRACT_LINE_CAP_EXCEEDED',
          evidence: expect.arrayContaining(['cap=5 existing=0 requested=6 total=6']),
        }),
      ]);
      expect(opened!.summary.details).toMatchObject({
        applicationId: 'FAM-1',
        salesChannel: { type: 'agency', agencyId: 'agency-urawa' },
        linesRequested: { voice: 6, data_sms: 0, data: 0 },
        linesHeld: { voice: 0, data_sms: 0, data: 0 },
        linesWithRegisteredUser: 5,
        purposes: ['本人利用', '家族利用（6人家族）'],
        pledgeSigned: true,
        identityVerification: { method: 'ic_chip_face', assuranceLevel: 3 },
        holderHistory: [],
      });
      expect(JSON.stringify(opened!.summary)).not.toContain(holder.name);

      const byAgency = await inject(tokens.agent, 'POST', `/v1/cases/${opened!.id}/resolve`, {
        resolution: 'approved',
        reason: '代理店判断で承認',
      });
      expect(byAgency.status).toBe(403);
      const byHq = await inject(tokens.reviewer, 'POST', `/v1/cases/${opened!.id}/resolve`, {
        resolution: 'approved',
        reason: '6人家族で各回線の利用者登録あり。誓約書確認済み',
      });
      expect(byHq.status).toBe(200);
      await mamoru.outcomes.drain();

      // Seven lines on the approved application: beyond what HQ approved (the exception stays unused).
      const seventh = { ...application, lines: [...application.lines, { simType: 'voice', count: 1 }] };
      const beyond = await screen(seventh);
      expect(beyond.action).toBe('review');
      expect(
        hit(beyond, 'CONTRACT_LINE_CAP_EXCEEDED')!.evidence.some((e) => e.includes('is beyond it')),
      ).toBe(true);

      const again = await inject(tokens.agent, 'POST', '/v1/screen/contract', application);
      const passed = again.body as unknown as Verdict;
      expect(passed.action).toBe('allow');
      expect(signalsOf(passed)).toEqual(['CONTRACT_EXCEPTION_APPROVED']);
      expect(hit(passed, 'CONTRACT_EXCEPTION_APPROVED')!.evidence).toEqual(
        expect.arrayContaining([`exception_case=${opened!.id}`, 'approved_lines=voice:6,data_sms:0,data:0']),
      );
      // The summary says so, not only the JSON; the shop reads the resale notice.
      expect(passed.summary.ja).toContain('本部が承認した例外');
      expect(passed.summary.en).toContain('exception approved by HQ');
      expect(passed.notices?.map((n) => n.code)).toEqual(['contract.resale_prohibited']);
      expect(await caseOf(passed.id)).toBeUndefined();

      // One exception, one use: the same application again, before the carrier reports the lines active,
      // goes to HQ again — and joins the case already open for it (the 7-line screening's), no second case.
      const twice = await inject(tokens.agent, 'POST', '/v1/screen/contract', application);
      expect(twice.body.action).toBe('review');
      const beyondCase = (twice.body as { case?: { id: string; reused: boolean } }).case;
      expect(beyondCase).toMatchObject({ reused: true });
      expect(beyondCase!.id).toBe((await caseOf(beyond.id))!.id);

      // The six approved lines are activated; the approved application screened again asks HQ again.
      for (let i = 1; i <= 6; i++) await activate(`+8190000010${i}`, holder);
      const replayed = await screen(application);
      expect(replayed.action).toBe('review');
      expect(hit(replayed, 'CONTRACT_LINE_CAP_EXCEEDED')!.params).toMatchObject({
        existing: 6,
        requested: 6,
      });
      const next = await screen({
        ...application,
        applicationId: 'FAM-2',
        lines: [{ simType: 'voice', count: 1 }],
      });
      expect(next.action).toBe('review');
      expect(hit(next, 'CONTRACT_LINE_CAP_EXCEEDED')!.params).toMatchObject({
        existing: 6,
        requested: 1,
        total: 7,
      });
    });

    it('an approval whose delivery a stopped process lost is delivered by the sweep: the application then passes', async () => {
      const holder = person('森 健太', '1979-09-09', '千葉県千葉市中央区中央1-1-1');
      const application = {
        applicationId: 'LOST-1',
        salesChannel: { type: 'shop', shopId: 'shop-chiba' },
        holder: { type: 'person', identity: holder },
        identityVerification: icChipFace(),
        lines: [{ simType: 'voice', count: 6, purpose: '家族利用' }],
        pledgeSigned: true,
      };
      const first = await screen(application);
      expect(first.action).toBe('review');
      const opened = (await caseOf(first.id))!;
      await inject(tokens.reviewer, 'POST', `/v1/cases/${opened.id}/resolve`, {
        resolution: 'approved',
        reason: '家族利用を確認',
      });
      await mamoru.outcomes.drain();
      // As if the server had stopped between the resolution's commit and the channel's action.
      await mamoru.store.db
        .$extendTables<ContractTables>()
        .deleteFrom('contract_exceptions')
        .where('case_id', '=', opened.id)
        .execute();
      await mamoru.store.db
        .updateTable('cases')
        .set({ outcome_delivered_at: null })
        .where('id', '=', opened.id)
        .execute();
      expect((await screen(application)).action).toBe('review');

      expect(await mamoru.cases.redeliverOutcomes(new Date(Date.now() + 2 * 60_000))).toBeGreaterThan(0);
      await mamoru.outcomes.drain();
      const passed = await screen(application);
      expect(passed.action).toBe('allow');
      expect(hit(passed, 'CONTRACT_EXCEPTION_APPROVED')!.evidence).toContain(`exception_case=${opened.id}`);
    });

    it('lines imported without a document serial count for the holder who shows one, whatever the document', async () => {
      const onFile = person('村上 春香', '1983-03-03', '兵庫県神戸市中央区加納町6-5-1');
      for (let i = 1; i <= 5; i++) await activate(`+8190000020${i}`, onFile);
      const withCard = await screen({
        applicationId: 'SERIAL-1',
        salesChannel: { type: 'shop', shopId: 'shop-kobe' },
        holder: { type: 'person', identity: { ...onFile, documentSerial: 'MYNUMBER-CARD-0001' } },
        identityVerification: icChipFace(),
        lines: [{ simType: 'voice', count: 3 }],
      });
      expect(withCard.action).toBe('review');
      expect(hit(withCard, 'CONTRACT_LINE_CAP_EXCEEDED')!.params).toMatchObject({
        existing: 5,
        requested: 3,
      });
    });

    it('a resale ring: one address, 4 identities, 3 shops, 2 days → review with the ring as evidence', async () => {
      // The same address written four ways (full-width digits, spaces, a long dash).
      const addresses = [
        '東京都足立区千住1-2-3 コーポ千住101',
        '東京都足立区千住１－２－３　コーポ千住１０１',
        '東京都足立区千住1ー2ー3コーポ千住101',
        '東京都 足立区 千住 1-2-3 コーポ千住101',
      ];
      const names = ['田中 健', '佐々木 誠', '高橋 大輔', '伊藤 拓也'];
      const shops = ['shop-kitasenju', 'shop-ueno', 'shop-ikebukuro', 'shop-kitasenju'];
      const hours = [47, 30, 10, 0.05];
      const verdicts: Verdict[] = [];
      for (let i = 0; i < 4; i++) {
        verdicts.push(
          await screen({
            applicationId: `RING-${i + 1}`,
            salesChannel: { type: 'shop', shopId: shops[i] },
            holder: {
              type: 'person',
              identity: person(names[i]!, `199${i}-0${i + 1}-15`, addresses[i]!, `RING000${i}`),
            },
            identityVerification: icChipFace(ago(hours[i]! + 0.1)),
            lines: [{ simType: 'voice', count: 2 }],
            submittedAt: ago(hours[i]!),
          }),
        );
      }
      // Caught before it has its SIMs: the third holder, at a third shop, already goes to HQ.
      expect(verdicts.slice(0, 2).map((v) => v.action)).toEqual(['allow', 'allow']);
      expect(verdicts[2]!.action).toBe('review');
      expect(signalsOf(verdicts[2]!)).toEqual(['CONTRACT_SHARED_ADDRESS']);
      expect(
        hit(verdicts[2]!, 'CONTRACT_SHARED_ADDRESS')!.evidence.some((e) =>
          e.startsWith('spread: other_holders=2 >= 2 over outlets=3 >= 2'),
        ),
      ).toBe(true);
      const ring = verdicts[3]!;
      expect(ring.action).toBe('review');
      expect(ring.forced?.by).toBe('CONTRACT_SHARED_ADDRESS');
      expect(signalsOf(ring)).toEqual(['CONTRACT_SHARED_ADDRESS']);
      const evidence = hit(ring, 'CONTRACT_SHARED_ADDRESS')!.evidence;
      expect(evidence).toEqual(
        expect.arrayContaining([
          'holders=4',
          'outlets=shop-ikebukuro,shop-kitasenju,shop-ueno',
          'channels=shop',
          'lines=6 by others',
        ]),
      );
      for (const id of ['RING-1', 'RING-2', 'RING-3'])
        expect(evidence.some((e) => e.startsWith(`application=${id} `))).toBe(true);
      expect(evidence.find((e) => e.startsWith('span='))).toMatch(/\((4[67](\.\d)?) h\)$/);
      expect(ring.reasons[0]!.ja).toBe(
        '同じご住所で過去 7 日間に他に 3 名義のお申込み（3 か所の店舗・窓口、SMS 可能な回線 8 回線）があるため、本部で審査します',
      );
      expect(ring.reasons[0]!.customer?.ja).toBe('お申込み内容を確認するため、本部で審査のうえご連絡します');
      const ringCase = await caseOf(ring.id);
      expect(ringCase).toMatchObject({ action: 'review', status: 'open' });
      // The reviewer sees the ring on the case itself: the other holders' applications on this address.
      const shown = await inject(tokens.reviewer, 'GET', `/v1/cases/${ringCase!.id}`);
      expect(shown.status).toBe(200);
      const summary = shown.body.summary as {
        hits: { signal: string; evidence: string[] }[];
        details: { sameAddressHolders: { applicationId: string; outlet: string }[] };
      };
      expect(summary.hits.map((h) => h.signal)).toEqual(['CONTRACT_SHARED_ADDRESS']);
      expect(summary.hits[0]!.evidence).toContain('holders=4');
      expect(summary.details.sameAddressHolders.map((a) => a.applicationId).sort()).toEqual([
        'RING-1',
        'RING-2',
        'RING-3',
      ]);
      expect(JSON.stringify(shown.body)).not.toContain(names[0]!);
    });

    it('a corporate order of 200 data-only IoT lines: allowed with fresh employment verification, reviewed without', async () => {
      const corporation = (applicationId: string, verified: boolean) => ({
        applicationId,
        salesChannel: { type: 'shop', shopId: 'shop-hojin-osaka' },
        holder: {
          type: 'corporation',
          identity: person('中村 美咲', '1980-09-09', '大阪府大阪市中央区本町2-1-1', 'CORP0001'),
          corporation: {
            corporateNumber: '4000012090001',
            name: '株式会社みらいIoT',
            ...(verified
              ? {
                  employmentVerification: { method: 'phone_callback', verifiedAt: ago(48) },
                  authority: { basis: 'letter_of_authority', issuedOn: ago(24 * 10).slice(0, 10) },
                }
              : {}),
          },
        },
        identityVerification: icChipFace(),
        lines: [{ simType: 'data', count: 200, product: 'iot_module', purpose: '自動販売機の遠隔監視' }],
      });
      const verified = await screen(corporation('CORP-1', true));
      expect(verified.action).toBe('allow');
      expect(verified.hits).toEqual([]);
      const unverified = await screen(corporation('CORP-2', false));
      expect(unverified.action).toBe('review');
      expect(signalsOf(unverified)).toEqual([
        'CONTRACT_CORP_AUTHORITY_UNVERIFIED',
        'CONTRACT_CORP_EMPLOYMENT_UNVERIFIED',
      ]);
      expect(unverified.reasons.map((r) => r.ja)).toContain(
        '法人のお申込みには、ご担当者様の在籍確認が必要です（在籍確認の記録がありません）。本部で確認して審査します',
      );
    });

    it('an added line by password only steps up, naming the accepted factors; by passkey it is allowed', async () => {
      const holder = person('小林 優子', '1988-12-24', '神奈川県横浜市西区みなとみらい3-3-1', 'ADD0001');
      await activate('+819000002001', holder);
      const added = (applicationId: string, authentication: string) => ({
        applicationId,
        salesChannel: { type: 'online' },
        holder: { type: 'person', identity: holder },
        identityVerification: { method: 'jpki_signature', assuranceLevel: 3, performedAt: ago(0.1) },
        lines: [{ simType: 'voice', count: 1 }],
        addedLine: { authentication },
      });
      const weak = await screen(added('ADD-1', 'password'));
      expect(weak.action).toBe('step_up');
      expect(signalsOf(weak)).toEqual(['CONTRACT_ADDED_LINE_WEAK_AUTH']);
      expect(weak.reasons[0]!.ja).toBe(
        '追加回線のお申込みは「ID・パスワード」だけでは受け付けられません。「ワンタイムパスワード」「生体認証」「パスキー」「店頭でのICチップ読取り」のいずれかで認証をやり直してください',
      );
      const strong = await screen(added('ADD-2', 'passkey'));
      expect(strong.action).toBe('allow');
      expect(strong.hits).toEqual([]);
    });

    it('a document photo online: blocked from 2026-04-01 naming the allowed methods, allowed by the older rule set before', async () => {
      const online = (applicationId: string, holder: ReturnType<typeof person>, at: string) => ({
        applicationId,
        salesChannel: { type: 'online' },
        holder: { type: 'person', identity: holder },
        identityVerification: {
          method: 'document_photo',
          assuranceLevel: 2,
          performedAt: at,
          documentExpiry: '2031-05-05',
        },
        lines: [{ simType: 'voice', count: 1 }],
        submittedAt: at,
      });
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        vi.setSystemTime(new Date('2026-04-10T10:00:00+09:00'));
        const after = await screen(
          online(
            'WEB-1',
            person('渡辺 彩', '1992-02-29', '福岡県福岡市博多区博多駅前1-1-1'),
            '2026-04-10T09:58:00+09:00',
          ),
        );
        expect(after.action).toBe('block');
        expect(signalsOf(after)).toEqual(['CONTRACT_KYC_METHOD_NOT_ALLOWED']);
        expect(after.reasons[0]!.ja).toBe(
          'オンラインでのお申込みでは「本人確認書類の画像送信」による本人確認は認められていないため（2026年4月1日から適用）、このお申込みは受け付けられません。「マイナンバーカードの署名用電子証明書（公的個人認証）」「ICチップの読取りと顔照合」のいずれかで本人確認をやり直し、あらためてお申し込みください',
        );
        expect(after.reasons[0]!.en).toContain('rule in force from 1 April 2026');
        expect(after.reasons[0]!.en).toContain(
          'the JPKI signature certificate of the My Number Card or IC-chip reading with a face match',
        );

        vi.setSystemTime(new Date('2026-03-20T10:00:00+09:00'));
        const before = await screen(
          online(
            'WEB-2',
            person('山本 翼', '1990-07-07', '北海道札幌市中央区北1条西2-1'),
            '2026-03-20T09:58:00+09:00',
          ),
        );
        expect(before.action).toBe('allow');
        expect(before.hits).toEqual([]);
      } finally {
        vi.useRealTimers();
      }
    });

    it('a data SIM without identity verification is blocked; an exempt tourist product is allowed', async () => {
      const noKyc = (applicationId: string, holder: ReturnType<typeof person>, product: string) => ({
        applicationId,
        salesChannel: { type: 'shop', shopId: 'shop-narita-airport' },
        holder: { type: 'person', identity: holder },
        lines: [{ simType: 'data', count: 1, product }],
      });
      const router = await screen(
        noKyc('DATA-1', person('木村 直樹', '1983-03-03', '千葉県成田市花崎町1-1'), 'home_router'),
      );
      expect(router.action).toBe('block');
      expect(signalsOf(router)).toEqual(['CONTRACT_DATA_SIM_NO_KYC']);
      expect(router.reasons[0]!.ja).toBe(
        'データ専用SIM（1 回線）は本人確認なしではご契約いただけないため、このお申込みは受け付けられません。本人確認書類で本人確認を行ったうえで、あらためてお申し込みください',
      );
      expect(router.reasons[0]!.en).toContain('(1 line)');
      const tourist = await screen(
        noKyc('DATA-2', person('SMITH JOHN', '1979-11-11', 'Hotel Nikko Narita, Chiba'), 'tourist_prepaid'),
      );
      expect(tourist.action).toBe('allow');
      expect(tourist.hits).toEqual([]);
    });

    it('keeps only keyed hashes of the application in the decision log', async () => {
      const verdict = await screen({
        applicationId: 'LOG-1',
        salesChannel: { type: 'shop', shopId: 'shop-sendai' },
        holder: {
          type: 'person',
          identity: person('加藤 真一', '1970-01-31', '宮城県仙台市青葉区中央1-1-1', 'LOG0001'),
        },
        identityVerification: icChipFace(),
        lines: [{ simType: 'voice', count: 1 }],
      });
      const logged = JSON.stringify(await mamoru.store.decisions.get(orgId, verdict.id));
      for (const raw of ['加藤', '1970-01-31', '仙台市', 'LOG0001']) expect(logged).not.toContain(raw);
      // The person (name|birthdate|address), the person with the serial, and the serial alone.
      expect(verdict.indicators.map((i) => i.field)).toEqual([
        'holder.identity',
        'holder.identity',
        'holder.identity.documentSerial',
      ]);
    });
  });
}
