/**
 * Accessibility basics of every main page (C4 item 8), in Chromium at 390 px and
 * 1440 px, ja and en, as an admin on a server with some data: one <h1>, headings
 * without skipped levels, every form control with an accessible name, header
 * cells of tables with a scope (or in a <thead>), no page-wide sideways scroll at
 * 390 px (wide tables scroll inside their own box), and the keyboard reaches the
 * main controls with a visible focus.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  AGENCY_ID,
  type ConsoleHarness,
  describeBrowser,
  E2E_TIMEOUT,
  openConsoleHarness,
} from '../helpers/console.ts';

const PAGES = [
  '/',
  '/cases',
  '/decisions',
  '/screen',
  '/indicators',
  '/policies',
  '/policies/message',
  '/admin',
];

/** What the page breaks of the rules above, as readable lines (empty: none). */
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
      el.getAttribute('title') ||
      (el.tagName === 'BUTTON' && el.textContent?.trim()) ||
      (el.type === 'submit' && el.value);
    if (!named)
      found.push(`unnamed <${el.tagName.toLowerCase()} ${el.id ? `id=${el.id}` : ''} ${el.className}>`);
  }
  for (const th of document.querySelectorAll('th')) {
    if (!th.closest('thead') && !th.getAttribute('scope'))
      found.push(`<th> without scope: ${th.textContent?.slice(0, 30)}`);
  }
  if (narrow && document.documentElement.scrollWidth > window.innerWidth + 1)
    found.push(`page is ${document.documentElement.scrollWidth} px wide at ${window.innerWidth} px`);
  return found;
}

describeBrowser('accessibility basics of the main pages (Chromium)', { timeout: E2E_TIMEOUT }, () => {
  let h: ConsoleHarness;
  beforeAll(async () => {
    h = await openConsoleHarness();
    await h.server.api('admin', 'POST', '/v1/screen/message', {
      kind: 'sms',
      sender: '+819012345678',
      text: '【重要】お客様のアカウントが停止されました。確認はこちら https://amazon-co-jp.account-verify.example/login',
    });
    await h.server.api('agent', 'POST', '/v1/screen/contract', {
      applicationId: 'APP-A11Y-1',
      salesChannel: { type: 'agency', agencyId: AGENCY_ID },
      holder: {
        type: 'person',
        identity: { name: '山田 太郎', birthDate: '1980-01-02', address: '東京都千代田区千代田1-1' },
      },
      lines: [{ simType: 'voice', count: 6, purpose: '家族用' }],
      pledgeSigned: true,
    });
  });
  afterAll(async () => {
    if (!h) return;
    expect(await h.finish()).toEqual([]);
  });

  for (const width of [390, 1440])
    for (const language of ['ja', 'en'] as const)
      it(`${width} px, ${language}: one h1, ordered headings, named controls, scoped headers, no sideways page scroll`, async () => {
        const admin = await h.actor('admin', { width, language });
        const problems: string[] = [];
        for (const path of PAGES) {
          await admin.page.goto(h.url(path));
          await admin.page
            .locator('main h1')
            .first()
            .waitFor({ timeout: 30_000 })
            .catch((error: unknown) => {
              throw new Error(`${path}: no <h1> shown (${String(error).split('\n')[0]})`);
            });
          await admin.page.waitForLoadState('networkidle');
          for (const p of await admin.page.evaluate(audit, width < 600)) problems.push(`${path}: ${p}`);
        }
        const cases = await h.server.api<{ items: { id: string }[] }>('admin', 'GET', '/v1/cases');
        const caseId = cases.body.items[0]?.id;
        if (caseId) {
          await admin.page.goto(h.url(`/cases/${caseId}`));
          await admin.page.getByTestId('case-details').waitFor();
          for (const p of await admin.page.evaluate(audit, width < 600)) problems.push(`/cases/<id>: ${p}`);
        }
        expect(problems).toEqual([]);
      });

  it('reaches the sign-in field and the menu by keyboard, with a visible focus', async () => {
    const visitor = await h.actor('anonymous');
    await visitor.page.goto(h.url('/'));
    await visitor.page.locator('#api-key').waitFor();
    // Tab from the top of the page lands on the key field within a few steps.
    let reached = false;
    for (let i = 0; i < 6 && !reached; i++) {
      await visitor.page.keyboard.press('Tab');
      reached = await visitor.page.evaluate(() => document.activeElement?.id === 'api-key');
    }
    expect(reached).toBe(true);
    await visitor.page.keyboard.type(h.server.tokens.analyst);
    await visitor.page.keyboard.press('Enter');
    await visitor.page.locator('header.topbar').waitFor();
    // The skip link comes first; then the menu's links can be reached with Tab and show a focus ring.
    const outlined: string[] = [];
    for (let i = 0; i < 12; i++) {
      await visitor.page.keyboard.press('Tab');
      const focus = await visitor.page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        const ring = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0;
        const shadow = style.boxShadow !== 'none';
        return { tag: el.tagName, inNav: Boolean(el.closest('nav')), visibleFocus: ring || shadow };
      });
      if (focus?.inNav) outlined.push(String(focus.visibleFocus));
    }
    expect(outlined.length).toBeGreaterThan(0);
    expect(outlined.every((v) => v === 'true')).toBe(true);
  });
});
