/**
 * Policies (C4, issue 10 "must show"): with decisions present, an analyst
 * changes a threshold on /policies/message, runs the dry-run and sees how many
 * verdicts would change and which (the diff table) BEFORE saving; the stored
 * version does not move until save; after saving, the versions list shows the
 * new version. The dashboard counts the decisions and verifies the audit chain.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import common from '../../console/src/i18n/ja/common.json' with { type: 'json' };
import dashboard from '../../console/src/i18n/ja/dashboard.json' with { type: 'json' };
import policies from '../../console/src/i18n/ja/policies.json' with { type: 'json' };
import {
  type ConsoleHarness,
  describeBrowser,
  E2E_TIMEOUT,
  eventually,
  openConsoleHarness,
} from '../helpers/console.ts';

/** Lures (blocked, scores 11–40 with the message channel's default block at 8) and plain texts. */
const MESSAGES = [
  '【重要】お客様のアカウントが停止されました。確認はこちら https://amazon-co-jp.account-verify.example/login',
  '【佐川急便】お荷物のお届けにあがりましたが不在のため持ち帰りました。確認はこちら http://sagawa-delivery.example.top/track',
  'ポイントが失効します。本日中に手続きしてください https://rakuten-point.example.xyz/p',
  '【三井住友カード】ご利用確認のお願い https://smbc-card.example.info/verify',
  '当選おめでとうございます！賞金を受け取るには手数料の振込が必要です',
  '明日の会議は10時からです。よろしくお願いします。',
  '今日の夕飯はカレーでいい？',
];

const version = async (h: ConsoleHarness) => {
  const res = await h.server.api<{ version: number }>('analyst', 'GET', '/v1/policies/message');
  expect(res.status).toBe(200);
  return res.body.version;
};

describeBrowser(
  'dashboard and policies: decisions counted; a dry-run shows the changes before saving (Chromium)',
  { timeout: E2E_TIMEOUT },
  () => {
    let h: ConsoleHarness;
    beforeAll(async () => {
      h = await openConsoleHarness();
      for (const [i, text] of MESSAGES.entries()) {
        const res = await h.server.api('admin', 'POST', '/v1/screen/message', {
          kind: 'sms',
          sender: `+8190111100${i}`,
          text,
        });
        expect(res.status).toBe(200);
      }
      // The decision log is written in batches just after each verdict; the dry-run reads the log.
      await eventually(
        async () =>
          (
            await h.server.api<{ items: unknown[] }>(
              'analyst',
              'GET',
              '/v1/decisions?channel=message&limit=50',
            )
          ).body.items.length === MESSAGES.length,
      );
    });
    afterAll(async () => {
      if (!h) return;
      expect(await h.finish()).toEqual([]);
    });

    it('counts those decisions on the dashboard and verifies the audit chain on demand', async () => {
      const admin = await h.actor('admin');
      const kpis = admin.page.getByTestId('dashboard-kpis');
      await kpis.waitFor({ timeout: 30_000 });
      expect((await kpis.locator('.dashboard-kpi-value').first().textContent())?.trim()).toBe(
        String(MESSAGES.length),
      );
      await admin.page.getByTestId('dashboard-hourly-chart').waitFor();
      await admin.page.getByTestId('dashboard-top-signals').getByText('MESSAGE_LURE_MODEL').first().waitFor();
      const audit = admin.page.getByTestId('dashboard-audit');
      await audit.getByRole('button', { name: dashboard.audit.verify }).click();
      await audit.getByText(dashboard.audit.ok).waitFor({ timeout: 60_000 });
    });

    it('changes the block threshold, dry-runs, sees the diff, then saves a new version', async () => {
      const stored = await version(h);
      const analyst = await h.actor('analyst');
      const { page } = analyst;
      await page.goto(h.url('/policies/message'));
      const form = page.getByTestId('policy-form');
      await form.waitFor({ timeout: 30_000 });
      const block = form.getByLabel(common.action.block, { exact: true });
      expect(await block.inputValue()).toBe('8');
      await block.fill('30');
      await block.press('Tab');

      // Dry-run: the count and the diff table, before anything is saved.
      await page.getByTestId('policy-dry-run').click();
      const report = page.getByTestId('policy-dry-run-report');
      const changed = report.getByTestId('policy-changed-count');
      await changed.waitFor({ timeout: 60_000 });
      const count = Number((await changed.textContent())?.replace(/[^\d]/g, ''));
      expect(count).toBeGreaterThan(0);
      const diff = report.getByTestId('policy-diff-table');
      await expect.poll(() => diff.locator('tbody tr').count()).toBe(count);
      const firstRow = (await diff.locator('tbody tr').first().textContent()) ?? '';
      expect(firstRow).toContain(common.action.block);
      expect(firstRow).toContain(common.action.warn);
      expect(await version(h)).toBe(stored);

      // Save with a reason: a new version, listed.
      await page
        .getByLabel(policies.save.comment)
        .fill('ブロックのしきい値を 30 に（誤遮断の確認）/ block at 30');
      await page.getByTestId('policy-save').click();
      await expect.poll(() => version(h), { timeout: 30_000 }).toBe(stored + 1);
      const versions = page.getByTestId('policy-versions');
      await versions
        .locator('tbody tr td:first-child')
        .filter({ hasText: new RegExp(`^${stored + 1}`) })
        .first()
        .waitFor({ timeout: 30_000 });
      const saved = await h.server.api<{ document: { thresholds?: { block?: number } } }>(
        'analyst',
        'GET',
        '/v1/policies/message',
      );
      expect(saved.body.document.thresholds?.block).toBe(30);
    });
  },
);
