/**
 * Lists (C4, issue 10 "must show"): an analyst imports an indicator file on
 * /indicators — the progress bar reaches the end, the report shows the one
 * rejected line with its number — and a message holding the imported phishing
 * URL, screened on /screen, is then blocked; the verdict explorer finds that
 * decision by the signal it matched (and both by the URL they carried).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import indicators from '../../console/src/i18n/ja/indicators.json' with { type: 'json' };
import {
  type ConsoleHarness,
  describeBrowser,
  E2E_TIMEOUT,
  openConsoleHarness,
  screenOnPage,
} from '../helpers/console.ts';

const PHISHING_URL = 'https://kaimono-navi-support.example/account/verify';

describeBrowser(
  'lists: an indicator file imported in the console blocks a message (Chromium)',
  { timeout: E2E_TIMEOUT },
  () => {
    let h: ConsoleHarness;
    let dir: string;
    beforeAll(async () => {
      h = await openConsoleHarness();
      dir = await mkdtemp(join(tmpdir(), 'mamoru-console-lists-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
      if (!h) return;
      expect(await h.finish()).toEqual([]);
    });

    it('imports a JSONL file with one bad line, then screens a message with its URL: blocked', async () => {
      const sms = (text: string) => ({ kind: 'sms', sender: '+819012340000', text });
      // Before the import, the same URL in a plain text is not blocked.
      const before = await h.server.api<{ action: string }>(
        'analyst',
        'POST',
        '/v1/screen/message',
        sms(`ご注文の確認はこちら ${PHISHING_URL}`),
      );
      expect(before.status).toBe(200);
      expect(before.body.action).not.toBe('block');

      const file = join(dir, 'feed.jsonl');
      await writeFile(
        file,
        [
          JSON.stringify({
            type: 'url',
            value: PHISHING_URL,
            verdict: 'malicious',
            confidence: 95,
            tags: ['phishing'],
          }),
          JSON.stringify({ type: 'domain', value: 'kaimono-navi-support.example', verdict: 'malicious' }),
          '{"type": "url", "value": ',
          JSON.stringify({ type: 'ip', value: '203.0.113.77', verdict: 'suspicious' }),
          '',
        ].join('\n'),
      );
      const analyst = await h.actor('analyst');
      const { page } = analyst;
      await page.goto(h.url('/indicators'));
      await page.getByTestId('indicator-import-file').setInputFiles(file);
      await page.getByLabel(indicators.import.source).fill('e2e-feed');
      await page.getByTestId('indicator-import-submit').click();

      const report = page.getByTestId('indicator-import-report');
      await report.waitFor({ timeout: 60_000 });
      const progress = page.getByTestId('indicator-import-progress');
      const [value, max] = await Promise.all([progress.getAttribute('value'), progress.getAttribute('max')]);
      expect(Number(value)).toBeGreaterThan(0);
      expect(Number(value)).toBe(Number(max));

      // One rejected line, its number (3) in the rejections table.
      const rejected = report.locator('tbody tr');
      await expect.poll(() => rejected.count()).toBe(1);
      expect((await rejected.first().locator('th').textContent())?.trim()).toBe('3');
      const facts = await report.locator('dl.facts dd').allTextContents();
      // processed, imported, updated, rejected, id
      expect(facts.slice(0, 4).map((f) => f.trim())).toEqual(['4', '3', '0', '1']);

      // The lists show it.
      await page.goto(h.url(`/indicators?type=url`));
      await page.getByTestId('indicator-table').getByText(PHISHING_URL).first().waitFor();

      // A message with that URL, screened on /screen, is blocked.
      const screened = await screenOnPage(
        page,
        h.server.base,
        'message',
        sms(`【重要】お支払い方法を更新してください ${PHISHING_URL}`),
      );
      expect(screened.action).toBe('block');

      // The verdict explorer: both messages carried the URL; only the second matched the list (INTEL_MATCH_URL).
      // The decision log is written in batches, just after the verdict: wait until the API lists it.
      await expect
        .poll(
          async () =>
            (
              await h.server.api<{ items: unknown[] }>(
                'analyst',
                'GET',
                '/v1/decisions?signal=INTEL_MATCH_URL',
              )
            ).body.items.length,
          { timeout: 30_000 },
        )
        .toBe(1);
      await page.goto(
        h.url(`/decisions?channel=message&indicator=${encodeURIComponent(PHISHING_URL)}&indicatorType=url`),
      );
      const rows = page.getByTestId('decision-row');
      await rows.first().waitFor({ timeout: 30_000 });
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(2);
      await page.goto(h.url('/decisions?signal=INTEL_MATCH_URL'));
      await rows.first().waitFor({ timeout: 30_000 });
      await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(1);
      await rows.first().getByRole('link').first().click();
      const verdict = page.getByTestId('verdict');
      await verdict.getByText('INTEL_MATCH_URL').first().waitFor({ timeout: 30_000 });
      expect(await verdict.getByTestId('verdict-action').getAttribute('data-action')).toBe('block');
    });
  },
);
