/**
 * The console's mail quarantine pages (issue 11 item 4, E4), in Chromium.
 *
 * 1. Against the API contract: the `/v1/mail/…` answers are served by a fake
 *    in the browser context (Playwright `route`), so the pages are tested
 *    whatever the server's quarantine holds — the operator's list with cursor
 *    paging and filters in the URL, a recipient's view with the strength level
 *    changed, the detail (headers, the text shown as TEXT: markup in it never
 *    becomes elements, reasons, the decision link), release refused by the next
 *    hop (the error is shown, the mail stays quarantined), release done, the
 *    "not fraud" appeal giving its case link, delete after asking, a key without `cases:resolve`
 *    shown no action, and the accessibility basics at 390 px in ja and en.
 * 2. On the real server: lures screened by `POST /v1/screen/mail` are
 *    quarantined and listed (all, one recipient's, released); with the next
 *    hop down (a loopback port where nothing listens) a release shows the
 *    error and the mail stays quarantined, and its appeal opens a case the
 *    link leads to; with the next hop up (smtp-server on that port) the other
 *    mail is released and arrives there with its X-Mamoru-Released header.
 *    Skipped (at run time) while the server's API has no quarantine routes in
 *    `/openapi.json`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import qEn from '../../console/src/i18n/en/quarantine.json' with { type: 'json' };
import common from '../../console/src/i18n/ja/common.json' with { type: 'json' };
import q from '../../console/src/i18n/ja/quarantine.json' with { type: 'json' };
import {
  type ConsoleActor,
  type ConsoleHarness,
  describeBrowser,
  E2E_TIMEOUT,
  keyTraces,
  openActor,
  openApiRoutes,
  openConsoleHarness,
  undocumentedCalls,
} from '../helpers/console.ts';
import { freePort } from '../helpers/free-port.ts';
import { HOSTILE_TEXT, installFakeApi } from '../helpers/quarantine-fake.ts';
import { startSmtpSink } from '../helpers/smtp-sink.ts';

// ---------------------------------------------------------------------------
// Accessibility basics, as test/console/accessibility.test.ts checks the other pages.

function audit(narrow: boolean): string[] {
  const found: string[] = [];
  const visible = (el: Element) => {
    const box = (el as HTMLElement).getBoundingClientRect();
    const style = getComputedStyle(el);
    return style.visibility !== 'hidden' && style.display !== 'none' && (box.width > 0 || box.height > 0);
  };
  const main = document.querySelector('main') ?? document.body;
  const h1 = [...main.querySelectorAll('h1')];
  if (h1.length !== 1) found.push(`${h1.length} <h1> in <main>`);
  let level = 1;
  for (const h of main.querySelectorAll('h1, h2, h3, h4, h5, h6')) {
    const next = Number(h.tagName[1]);
    if (next > level + 1) found.push(`heading ${h.tagName} after h${level}: ${h.textContent?.slice(0, 40)}`);
    level = next;
  }
  for (const control of document.querySelectorAll('input, select, textarea, button')) {
    const el = control as HTMLInputElement;
    if (el.type === 'hidden' || !visible(el)) continue;
    const named =
      (el.labels && el.labels.length > 0) ||
      el.getAttribute('aria-label') ||
      el.getAttribute('aria-labelledby') ||
      (el.tagName === 'BUTTON' && el.textContent?.trim());
    if (!named) found.push(`unnamed <${el.tagName.toLowerCase()} ${el.id ? `id=${el.id}` : ''}>`);
  }
  for (const th of document.querySelectorAll('th'))
    if (!th.closest('thead') && !th.getAttribute('scope'))
      found.push(`<th> without scope: ${th.textContent?.slice(0, 30)}`);
  if (narrow && document.documentElement.scrollWidth > window.innerWidth + 1)
    found.push(`page is ${document.documentElement.scrollWidth} px wide at ${window.innerWidth} px`);
  return found;
}

/**
 * What the harness checks of its own actors, for one whose `/v1/mail` answers
 * come from the fake: no CSP violation, no page error, no key kept, and every
 * other `/v1` call documented in `/openapi.json`.
 */
async function ownProblems(base: string, actor: ConsoleActor): Promise<string[]> {
  const real = {
    ...actor,
    requests: actor.requests.filter((r) => !new URL(r.url).pathname.startsWith('/v1/mail/')),
  };
  return [
    ...actor.cspViolations.map((v) => `${actor.name}: CSP violation ${v}`),
    ...actor.pageErrors.map((e) => `${actor.name}: page error ${e}`),
    ...(await keyTraces(actor)).map((t) => `${actor.name}: key kept in ${t}`),
    ...(await undocumentedCalls(base, [real])).map((c) => `not in /openapi.json: ${c}`),
  ];
}

describeBrowser('quarantine pages against the API contract (Chromium)', { timeout: E2E_TIMEOUT }, () => {
  let h: ConsoleHarness;
  const actors: ConsoleActor[] = [];
  beforeAll(async () => {
    h = await openConsoleHarness();
  });
  afterAll(async () => {
    if (!h) return;
    const found: string[] = [];
    for (const actor of actors) found.push(...(await ownProblems(h.server.base, actor)));
    for (const actor of actors) await actor.context.close().catch(() => {});
    expect([...found, ...(await h.finish())]).toEqual([]);
  });
  const open = async (name: 'admin' | 'agent', options: { width?: number; language?: 'ja' | 'en' } = {}) => {
    const actor = await openActor(h.browser, h.server, name, options);
    actors.push(actor);
    return { actor, fake: await installFakeApi(actor.page) };
  };

  it('lists the quarantine newest first with cursor paging; filters live in the URL; a recipient sees and changes their strength', async () => {
    const { actor, fake } = await open('admin');
    const { page } = actor;
    // The menu leads there.
    await page.getByRole('navigation').getByRole('link', { name: q.nav }).click();
    await page.getByRole('heading', { level: 1, name: q.list.title }).waitFor();
    const rows = page.getByTestId('quarantine-row');
    await expect.poll(() => rows.count()).toBe(2);
    expect(await rows.evaluateAll((r) => r.map((e) => e.getAttribute('data-quarantine-id')))).toEqual([
      'q-down',
      'q-4',
    ]);
    await page.getByRole('button', { name: common.common.more }).click();
    await expect.poll(() => rows.count()).toBe(3);
    expect(await rows.nth(2).getAttribute('data-quarantine-id')).toBe('q-3');
    expect(fake.calls.some((c) => c.query.includes('cursor=2'))).toBe(true);
    const cells = (await rows.nth(1).getByRole('cell').allTextContents()).map((c) => c.trim());
    expect(cells).toContain('hanako@example.jp, taro@example.jp');
    expect(cells).toContain('ブランドのなりすまし 4');
    expect(cells).toContain('9.5');

    // The status filter: released mail, in the URL.
    await page.getByRole('combobox', { name: q.field.status, exact: true }).selectOption('released');
    await page.waitForURL(/status=released/);
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-quarantine-id')).toBe('q-2');

    // A recipient's view: the heading names them, the strength shows and changes.
    await page.goto(h.url('/quarantine?recipient=taro%40example.jp'));
    await page.getByRole('heading', { level: 1, name: 'taro@example.jp の隔離メール' }).waitFor();
    await expect.poll(() => rows.count()).toBe(2);
    expect(fake.calls.some((c) => c.query.includes('recipient=taro%40example.jp'))).toBe(true);
    const strength = page.getByTestId('quarantine-strength');
    await strength.getByTestId('quarantine-strength-current').waitFor();
    expect(await strength.getByTestId('quarantine-strength-current').getAttribute('data-strength')).toBe(
      'standard',
    );
    for (const level of ['low', 'standard', 'high'] as const)
      await strength.getByText(q.strength.level[level].what).waitFor();
    await strength.getByRole('radio', { name: q.strength.level.high.name }).check();
    await strength.getByRole('button', { name: q.strength.save }).click();
    await strength.getByText(q.strength.saved.replace('{{level}}', q.strength.level.high.name)).waitFor();
    expect(fake.calls.find((c) => c.method === 'POST')?.body).toEqual({
      recipient: 'taro@example.jp',
      strength: 'high',
    });
    expect(fake.strength['taro@example.jp']).toBe('high');

    // The recipient filter typed in the form lands in the URL.
    await page.goto(h.url('/quarantine'));
    const field = page.getByRole('textbox', { name: q.field.recipient, exact: true });
    await field.fill('hanako@example.jp');
    await field.press('Enter');
    await page.waitForURL(/recipient=hanako%40example\.jp/);
    await page.getByRole('heading', { level: 1, name: 'hanako@example.jp の隔離メール' }).waitFor();
  });

  it('shows a mail as text; a refused release keeps it quarantined; the appeal links its case; a release goes through', async () => {
    const { actor, fake } = await open('admin');
    const { page } = actor;
    await page.goto(h.url('/quarantine/q-down'));
    await page.getByRole('heading', { level: 1, name: q.detail.title }).waitFor();
    // The text preview is text: its markup is shown, never made into elements.
    const preview = page.getByTestId('quarantine-preview');
    expect(await preview.textContent()).toBe(HOSTILE_TEXT);
    expect(await preview.locator('img, b').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    await page.getByTestId('quarantine-reasons').getByText('差出人がブランドを装っています').waitFor();
    await page.getByTestId('quarantine-reasons').getByText('MAIL_BRAND_SPOOF').waitFor();
    expect(await page.getByTestId('quarantine-headers').locator('tbody tr').count()).toBe(4);
    expect(await page.getByTestId('quarantine-decision-link').getAttribute('href')).toBe('/decisions/dec-5');

    // Release against a next hop that refuses: the problem is shown, the mail stays quarantined.
    await page.getByRole('button', { name: q.release.button }).click();
    await page.getByText(q.release.question.replace('{{recipients}}', 'hanako@example.jp')).waitFor();
    await page.getByRole('button', { name: q.release.confirm, exact: true }).click();
    const failed = page.getByTestId('quarantine-release-error');
    await failed.getByRole('alert').getByText('次の配送先が受け付けませんでした').waitFor();
    await failed.getByText(q.release.failedKept).waitFor();
    await expect
      .poll(() => page.getByTestId('quarantine-status').getAttribute('data-status'))
      .toBe('quarantined');
    await page.getByRole('button', { name: q.release.button }).waitFor();

    // The appeal needs a reason, then gives the case's link.
    const appeal = page.getByTestId('quarantine-appeal');
    await appeal.getByRole('button', { name: q.appeal.button }).click();
    await appeal.getByText(q.appeal.reasonMissing).waitFor();
    expect(fake.calls.some((c) => c.path.endsWith('/appeal'))).toBe(false);
    await appeal.getByLabel(q.appeal.reason).fill('取引先からの正規の請求書です');
    await appeal.getByRole('button', { name: q.appeal.button }).click();
    const link = page.getByTestId('quarantine-case-link');
    await link.waitFor();
    expect(await link.getAttribute('href')).toBe('/cases/case-appeal-1');
    expect(fake.calls.find((c) => c.path.endsWith('/appeal'))?.body).toEqual({
      reason: '取引先からの正規の請求書です',
    });
    // Under an open appeal the mail cannot be deleted: the button is gone once the page has the appeal.
    await expect.poll(() => page.getByRole('button', { name: q.delete.button }).count()).toBe(0);
    await page.getByTestId('quarantine-appealed').getByText(q.appeal.done).waitFor();
    // The list shows the appeal's state.
    await page.goto(h.url('/quarantine'));
    await page
      .locator('[data-quarantine-id="q-down"]')
      .getByText(q.appeal.badge.replace('{{status}}', q.appeal.status.open))
      .waitFor();

    // From a recipient's view, a mail for two is released to that recipient only.
    await page.goto(h.url('/quarantine/q-4?recipient=taro%40example.jp'));
    const release = page.getByTestId('quarantine-release');
    await release.getByRole('checkbox', { name: 'taro@example.jp' }).waitFor();
    expect(await release.getByRole('checkbox', { name: 'taro@example.jp' }).isChecked()).toBe(true);
    expect(await release.getByRole('checkbox', { name: 'hanako@example.jp' }).isChecked()).toBe(false);
    await release.getByRole('button', { name: q.release.button }).click();
    await release.getByRole('button', { name: q.release.confirm, exact: true }).click();
    await page
      .getByTestId('quarantine-released')
      .getByText(q.release.done.replace('{{recipients}}', 'taro@example.jp'))
      .waitFor();
    expect(fake.calls.find((c) => c.path === '/v1/mail/quarantine/q-4/release')?.body).toEqual({
      recipients: ['taro@example.jp'],
    });
    await expect
      .poll(() => page.getByTestId('quarantine-status').getAttribute('data-status'))
      .toBe('released');
    expect(await page.getByRole('button', { name: q.release.button }).count()).toBe(0);
  });

  it('a mail released meanwhile by someone else (409): the page refreshes to released and offers no release', async () => {
    const { actor, fake } = await open('admin');
    const { page } = actor;
    await page.goto(h.url('/quarantine/q-3'));
    await page.getByRole('button', { name: q.release.button }).waitFor();
    const item = fake.items.find((i) => i.id === 'q-3');
    if (!item) throw new Error('the fake has no q-3');
    item.status = 'released';
    await page.getByRole('button', { name: q.release.button }).click();
    await page.getByRole('button', { name: q.release.confirm, exact: true }).click();
    await expect
      .poll(() => page.getByTestId('quarantine-status').getAttribute('data-status'))
      .toBe('released');
    expect(fake.calls.some((c) => c.path === '/v1/mail/quarantine/q-3/release')).toBe(true);
    expect(await page.getByText(q.release.failedKept).count()).toBe(0);
    expect(await page.getByRole('button', { name: q.release.button }).count()).toBe(0);
  });

  it('deletes a mail after asking, without delivering it', async () => {
    const { actor, fake } = await open('admin');
    const { page } = actor;
    await page.goto(h.url('/quarantine/q-3'));
    await page.getByRole('button', { name: q.delete.button }).click();
    await page.getByText(q.delete.question).waitFor();
    expect(fake.calls.some((c) => c.path.endsWith('/delete'))).toBe(false);
    await page.getByRole('button', { name: q.delete.confirm, exact: true }).click();
    await page.getByTestId('quarantine-deleted').getByText(q.delete.done).waitFor();
    await expect
      .poll(() => page.getByTestId('quarantine-status').getAttribute('data-status'))
      .toBe('deleted');
    expect(fake.calls.filter((c) => c.method === 'POST').map((c) => c.path)).toEqual([
      '/v1/mail/quarantine/q-3/delete',
    ]);
    expect(await page.getByRole('button', { name: q.release.button }).count()).toBe(0);
  });

  it('shows a key without cases:resolve the mail but no release or appeal, and without subscribers:read no strength', async () => {
    const { actor, fake } = await open('agent');
    const { page } = actor;
    await page.goto(h.url('/quarantine/q-3'));
    await page.getByTestId('quarantine-preview').waitFor();
    expect(await page.getByRole('button', { name: q.release.button }).count()).toBe(0);
    expect(await page.getByRole('button', { name: q.appeal.button }).count()).toBe(0);
    expect(await page.getByRole('button', { name: q.delete.button }).count()).toBe(0);
    await page.goto(h.url('/quarantine?recipient=taro%40example.jp'));
    await page.getByTestId('quarantine-table').waitFor();
    expect(await page.getByTestId('quarantine-strength').count()).toBe(0);
    expect(fake.calls.some((c) => c.path === '/v1/mail/strength')).toBe(false);
  });

  for (const [width, language] of [
    [390, 'ja'],
    [1440, 'en'],
  ] as const)
    it(`${width} px, ${language}: one h1, ordered headings, named controls, scoped headers, no sideways scroll`, async () => {
      const { actor } = await open('admin', { width, language });
      const { page } = actor;
      const found: string[] = [];
      for (const path of ['/quarantine', '/quarantine?recipient=hanako%40example.jp', '/quarantine/q-4']) {
        await page.goto(h.url(path));
        await page.locator('main h1').waitFor();
        await page.getByTestId(path.includes('q-4') ? 'quarantine-preview' : 'quarantine-table').waitFor();
        if (path.includes('recipient')) await page.getByTestId('quarantine-strength-current').waitFor();
        for (const p of await page.evaluate(audit, width < 600)) found.push(`${path}: ${p}`);
      }
      if (language === 'en') await page.getByRole('heading', { level: 1, name: qEn.detail.title }).waitFor();
      expect(found).toEqual([]);
    });
});

// ---------------------------------------------------------------------------
// On the real server, once the mail channel keeps a quarantine.

/** A lure to one recipient (the Subject reads 【重要】アカウントが停止されました). */
const lure = (to: string, n: number) =>
  [
    'From: "Amazon.co.jp" <account-update@amazon-co-jp.account-verify.example>',
    `To: ${to}`,
    'Reply-To: support@amazon-help-desk.example.top',
    'Subject: =?UTF-8?B?44CQ6YeN6KaB44CR44Ki44Kr44Km44Oz44OI44GM5YGc5q2i44GV44KM44G+44GX44Gf?=',
    'Date: Thu, 03 Dec 2026 09:30:00 +0900',
    `Message-ID: <lure-${n}@amazon-co-jp.account-verify.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'お客様のアカウントは停止されました。24時間以内に以下のリンクからログインし、お支払い情報を更新してください。',
    '更新されない場合、アカウントは削除されます。',
    `https://amazon-co-jp.account-verify.example/login?id=${8810 + n}`,
    '',
  ].join('\r\n');

/** An SMTP next hop on 127.0.0.1:`port` that keeps what it receives. */
const nextHop = (port: number) => startSmtpSink(port);

describeBrowser('quarantine pages on the real server (Chromium)', { timeout: E2E_TIMEOUT }, () => {
  let h: ConsoleHarness;
  let landed = false;
  let hopPort = 0;
  let hop: Awaited<ReturnType<typeof nextHop>> | undefined;
  const saved = { dns: process.env.MAMORU_MAIL_DNS, release: process.env.MAMORU_MAIL_RELEASE_SMTP };
  beforeAll(async () => {
    // No DNS outside loopback; released mail goes to a loopback port where nothing listens (yet).
    hopPort = await freePort();
    process.env.MAMORU_MAIL_DNS = 'off';
    process.env.MAMORU_MAIL_RELEASE_SMTP = `smtp://127.0.0.1:${hopPort}`;
    h = await openConsoleHarness();
    const routes = await openApiRoutes(h.server.base);
    landed = ['/v1/mail/quarantine', '/v1/mail/quarantine/x/release', '/v1/mail/quarantine/x/appeal'].every(
      (path) => routes.some((r) => r.re.test(path)),
    );
  });
  afterAll(async () => {
    await hop?.close();
    if (saved.dns === undefined) delete process.env.MAMORU_MAIL_DNS;
    else process.env.MAMORU_MAIL_DNS = saved.dns;
    if (saved.release === undefined) delete process.env.MAMORU_MAIL_RELEASE_SMTP;
    else process.env.MAMORU_MAIL_RELEASE_SMTP = saved.release;
    if (!h) return;
    expect(await h.finish()).toEqual([]);
  });

  it('screened lures are quarantined and listed; with the next hop down a release shows the error and keeps the mail, the appeal opens a case; with it up a release delivers', async (ctx) => {
    if (!landed) ctx.skip();
    // The page is under test, not the score: nothing is refused at SMTP time, so a lure is held.
    const policy = await h.server.api('admin', 'PUT', '/v1/policies/mail', {
      document: { thresholds: { block: 1000 } },
      comment: '隔離画面のテスト / quarantine page test',
    });
    expect(policy.status).toBeLessThan(300);
    const screen = async (to: string, n: number) => {
      const screened = await h.server.api<{ id: string; action: string }>(
        'admin',
        'POST',
        '/v1/screen/mail',
        {
          raw: lure(to, n),
          envelope: {
            clientIp: '203.0.113.9',
            clientHostname: 'mx.account-verify.example',
            helo: 'mx.account-verify.example',
            mailFrom: 'bounce@account-verify.example',
            rcptTo: [to],
          },
        },
      );
      expect(screened.status).toBe(200);
      expect(screened.body.action).toBe('hold');
      return screened.body.id;
    };
    const first = await screen('hanako@example.jp', 1);
    await screen('taro@example.jp', 2);

    const reviewer = await h.actor('reviewer');
    const { page } = reviewer;
    await page.goto(h.url('/quarantine'));
    await expect.poll(() => page.getByTestId('quarantine-row').count(), { timeout: 30_000 }).toBe(2);
    await page.goto(h.url('/quarantine?recipient=hanako%40example.jp'));
    await page.getByRole('heading', { level: 1, name: 'hanako@example.jp の隔離メール' }).waitFor();
    await expect.poll(() => page.getByTestId('quarantine-row').count(), { timeout: 30_000 }).toBe(1);
    await page.getByTestId('quarantine-open').click();
    await page.getByTestId('quarantine-preview').getByText('お客様のアカウントは停止されました').waitFor();
    await page.getByTestId('quarantine-subject').getByText('【重要】アカウントが停止されました').waitFor();
    expect(await page.getByTestId('quarantine-decision-link').getAttribute('href')).toBe(
      `/decisions/${first}`,
    );

    // Release with the next hop down: the error is shown and the mail stays quarantined.
    await page.getByRole('button', { name: q.release.button }).click();
    await page.getByRole('button', { name: q.release.confirm, exact: true }).click();
    await page.getByTestId('quarantine-release-error').getByRole('alert').waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.getByTestId('quarantine-status').getAttribute('data-status'))
      .toBe('quarantined');

    // "Not fraud": a case opens, and its page is reachable from here.
    const appeal = page.getByTestId('quarantine-appeal');
    await appeal.getByLabel(q.appeal.reason).fill('取引先からの正規のお知らせです');
    await appeal.getByRole('button', { name: q.appeal.button }).click();
    const link = page.getByTestId('quarantine-case-link');
    await link.waitFor({ timeout: 30_000 });
    expect(await link.getAttribute('href')).toMatch(/^\/cases\/[^/]+$/);
    await link.click();
    await page.getByTestId('case-details').waitFor({ timeout: 30_000 });
    // The case leads back to the mail.
    await page.getByTestId('case-quarantine-link').click();
    await page.getByTestId('quarantine-appealed').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('quarantine-status').getAttribute('data-status')).toBe('quarantined');

    // The next hop comes up: the other mail is released and arrives there, marked.
    hop = await nextHop(hopPort);
    await page.goto(h.url('/quarantine?recipient=taro%40example.jp'));
    await page.getByTestId('quarantine-open').click();
    await page.getByRole('button', { name: q.release.button }).click();
    await page.getByRole('button', { name: q.release.confirm, exact: true }).click();
    await page
      .getByTestId('quarantine-released')
      .getByText(q.release.done.replace('{{recipients}}', 'taro@example.jp'))
      .waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.getByTestId('quarantine-status').getAttribute('data-status'))
      .toBe('released');
    expect(hop.received.map((m) => m.to)).toEqual([['taro@example.jp']]);
    expect(hop.received[0]?.bytes.toString('utf8')).toMatch(/^X-Mamoru-Released: /);
    // The operator's list of released mail shows it.
    await page.goto(h.url('/quarantine?status=released'));
    await expect.poll(() => page.getByTestId('quarantine-row').count(), { timeout: 30_000 }).toBe(1);
  });
});

describe('quarantine catalogues', () => {
  it('name the two actions with the words of the brief', () => {
    expect(q.release.button).toBe('受信者に配信する（隔離を解除）');
    expect(q.appeal.button).toBe('詐欺ではないと申し立てる');
  });
});
