/**
 * The contract exception flow (P2, issue 10 "must show"), in Chromium on a real
 * server: an agency (origin-bound agent key) screens a holder's 6th voice line on
 * /screen and sees the review; it opens the case and has no resolve controls (and
 * the API refuses it 403); HQ (a reviewer key) opens the case, sees the purpose
 * and the line counts, approves with a reason through the confirm step; the
 * agency screens the same application again and it passes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import cases from '../../console/src/i18n/ja/cases.json' with { type: 'json' };
import {
  AGENCY_ID,
  AGENCY_ORIGIN,
  type ConsoleHarness,
  describeBrowser,
  E2E_TIMEOUT,
  openConsoleHarness,
  screenOnPage,
} from '../helpers/console.ts';

const HOLDER = {
  name: '佐藤 花子',
  birthDate: '1979-11-23',
  address: '埼玉県さいたま市浦和区高砂3-15-1',
  documentSerial: 'SAI7788123',
};
const PURPOSE = '家族6人の見守り用 / for watching over a family of six';

const application = {
  applicationId: 'APP-E2E-000006',
  salesChannel: { type: 'agency', agencyId: AGENCY_ID },
  holder: { type: 'person', identity: HOLDER },
  identityVerification: {
    method: 'ic_chip_face',
    assuranceLevel: 3,
    performedAt: '2026-12-01T10:00:00+09:00',
  },
  lines: [{ simType: 'voice', count: 1, purpose: PURPOSE }],
  pledgeSigned: true,
};

describeBrowser(
  'contract exception: agency screens a 6th line, HQ approves, the re-screen passes (Chromium)',
  { timeout: E2E_TIMEOUT },
  () => {
    let h: ConsoleHarness;
    beforeAll(async () => {
      h = await openConsoleHarness();
      // The holder's five voice lines, as the carrier's provisioning loads them.
      const csv = ['line_id,name,birth_date,address,document_serial,sim_type,status,contracted_at'];
      for (let i = 1; i <= 5; i++)
        csv.push(
          `+8190555500${i}0,${HOLDER.name},${HOLDER.birthDate},${HOLDER.address},${HOLDER.documentSerial},voice,active,2025-0${i}-01`,
        );
      const loaded = await h.server.api<{ imported: number }>(
        'admin',
        'POST',
        '/v1/contract/lines/import',
        csv.join('\n'),
        { 'content-type': 'text/csv' },
      );
      expect(loaded.status, JSON.stringify(loaded.body)).toBe(200);
    });
    afterAll(async () => {
      if (!h) return;
      expect(await h.finish()).toEqual([]);
    });

    it('runs the whole exception through the console', async () => {
      // 1. The agency screens the 6th voice line: review, and a case it can open.
      // The agency works on a 390 px wide tablet or phone.
      const agency = await h.actor('agent', { width: 390, height: 844 });
      const first = await screenOnPage(agency.page, h.server.base, 'contract', application);
      expect(first.action).toBe('review');
      expect(first.caseLink).toMatch(/^\/cases\//);
      const caseId = decodeURIComponent((first.caseLink as string).slice('/cases/'.length));

      // 2. It finds the case in its queue and opens it: no resolve controls.
      await agency.page.goto(h.url('/cases'));
      const row = agency.page.locator(`[data-testid="case-row"][data-case-id="${caseId}"]`);
      await row.waitFor({ timeout: 30_000 });
      expect(await row.textContent()).toContain(AGENCY_ORIGIN);
      await row.getByRole('link').first().click();
      await agency.page.getByTestId('case-status').waitFor();
      await agency.page.getByTestId('case-details').waitFor();
      expect(await agency.page.getByTestId('case-resolve-approve').count()).toBe(0);
      expect(await agency.page.getByTestId('case-resolve-deny').count()).toBe(0);
      expect(await agency.page.getByRole('heading', { name: cases.resolve.title }).count()).toBe(0);
      // And the API would refuse it anyway.
      const refused = await h.server.api('agent', 'POST', `/v1/cases/${caseId}/resolve`, {
        resolution: 'approved',
        reason: '自分で承認 / approving myself',
      });
      expect(refused.status).toBe(403);

      // 3. HQ signs in and works the queue by keyboard: j to the case, a to take it, r to resolve it.
      const hq = await h.actor('reviewer');
      await hq.page.goto(h.url('/cases'));
      const hqRow = hq.page.locator(`[data-testid="case-row"][data-case-id="${caseId}"]`);
      await hqRow.waitFor({ timeout: 30_000 });
      for (let i = 0; i < 20 && (await hqRow.getAttribute('aria-selected')) !== 'true'; i++)
        await hq.page.keyboard.press('j');
      expect(await hqRow.getAttribute('aria-selected')).toBe('true');
      await hq.page.keyboard.press('a');
      const me = await h.server.api<{ keyId: string }>('reviewer', 'GET', '/v1/me');
      await expect
        .poll(
          async () => JSON.stringify((await h.server.api('reviewer', 'GET', `/v1/cases/${caseId}`)).body),
          {
            timeout: 30_000,
          },
        )
        .toContain(`"assignee":"${me.body.keyId}"`);
      await hq.page.keyboard.press('r');
      // The case opens with the reason field focused.
      const reason = hq.page.getByLabel(cases.resolve.reason);
      await reason.waitFor({ timeout: 30_000 });
      await expect.poll(() => reason.evaluate((el) => el === document.activeElement)).toBe(true);
      const details = hq.page.getByTestId('case-details');
      await details.waitFor();
      await details.getByText(PURPOSE).first().waitFor();
      const voice = details.getByRole('row', { name: new RegExp(`^${cases.contract.sim.voice}`) });
      const cells = (await voice.getByRole('cell').allTextContents()).map((c) => c.trim());
      expect(cells).toEqual(['5', '1', '6']); // held, requested, total

      // 4. Approves with a reason; the confirm step repeats what will happen.
      await hq.page
        .getByLabel(cases.resolve.reason)
        .fill('家族6人の利用を電話で確認 / checked by phone: a family of six');
      const approve = hq.page.getByTestId('case-resolve-approve');
      expect((await approve.textContent())?.trim()).toBe(cases.resolve.approve.allow_once);
      await approve.click();
      const confirm = hq.page.getByTestId('case-resolve-confirm');
      await confirm.waitFor();
      await hq.page.getByText(cases.resolve.confirmTitle).waitFor();
      // Nothing happened yet: the case still waits.
      const waiting = await h.server.api<{ case?: { status: string }; status?: string }>(
        'reviewer',
        'GET',
        `/v1/cases/${caseId}`,
      );
      expect(JSON.stringify(waiting.body)).not.toMatch(/"status":"(approved|denied|closed|resolved)"/);
      await confirm.click();
      await expect
        .poll(() => hq.page.getByTestId('case-status').getAttribute('data-status'), { timeout: 30_000 })
        .toBe('resolved');
      const resolved = await h.server.api('reviewer', 'GET', `/v1/cases/${caseId}`);
      expect(JSON.stringify(resolved.body)).toContain('"resolution":"approved"');

      // 5. The agency screens the same application again: it passes.
      await h.server.mamoru.outcomes.drain();
      await agency.page.goto(h.url('/screen'));
      const again = await screenOnPage(agency.page, h.server.base, 'contract', application);
      expect(again.action).toBe('allow');
    });
  },
);
