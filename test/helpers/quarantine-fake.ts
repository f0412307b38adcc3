/**
 * A fake of the mail quarantine API (issue 11 item 4, E4) as its contract
 * describes it, served inside a Chromium context with Playwright `route`: the
 * console's quarantine pages can be tested (and looked at) whatever the
 * server's quarantine holds. `q-down` is a mail whose next hop refuses the
 * release (503); the list answers two items a page whatever the limit, so that
 * the console must follow the cursor.
 */
import type { Page, Route } from 'playwright-core';

export interface FakeItem {
  id: string;
  decisionId: string;
  recipients: string[];
  from: string | null;
  subject: string;
  score: number;
  action: string;
  summary: { ja: string; en: string };
  receivedAt: string;
  expiresAt: string;
  status: 'quarantined' | 'released' | 'deleted' | 'expired';
  size: number;
  appeal: null | { caseId: string; status: string; reason: string };
}

/** A text preview with markup in it: the console must show it as text. */
export const HOSTILE_TEXT =
  '<img src=x onerror="window.__pwned=1"><b>太字</b> ログイン https://amazon-co-jp.verify.example/';

function fakeItems(): FakeItem[] {
  const item = (n: number, patch: Partial<FakeItem>): FakeItem => ({
    id: `q-${n}`,
    decisionId: `dec-${n}`,
    recipients: ['hanako@example.jp'],
    from: 'Amazon.co.jp <account-update@amazon-co-jp.verify.example>',
    subject: `【重要】アカウントが停止されました ${n}`,
    score: 9.5,
    action: 'hold',
    summary: { ja: `ブランドのなりすまし ${n}`, en: `Brand impersonation ${n}` },
    receivedAt: `2026-12-0${n}T09:30:00Z`,
    expiresAt: `2026-12-3${n > 1 ? 1 : 0}T09:30:00Z`,
    status: 'quarantined',
    size: 2048 * n,
    appeal: null,
    ...patch,
  });
  // Newest first, as the API answers.
  return [
    item(5, { id: 'q-down', subject: '次のホップが止まっているメール' }),
    item(4, { recipients: ['hanako@example.jp', 'taro@example.jp'] }),
    item(3, { recipients: ['taro@example.jp'] }),
    item(2, { status: 'released' }),
  ];
}

export interface FakeApi {
  readonly items: FakeItem[];
  readonly calls: { method: string; path: string; query: string; body: unknown }[];
  strength: Record<string, string>;
}

const problem = (route: Route, status: number, title: string, detail: string) =>
  route.fulfill({
    status,
    contentType: 'application/problem+json',
    body: JSON.stringify({ type: 'about:blank', title, status, detail }),
  });

/** Serve the contract's routes in this page's context; anything else under /v1/mail is a 404. */
export async function installFakeApi(page: Page): Promise<FakeApi> {
  const fake: FakeApi = { items: fakeItems(), calls: [], strength: { 'hanako@example.jp': 'standard' } };
  await page.context().route('**/v1/mail/**', async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    const body = request.postData() ? JSON.parse(request.postData() as string) : undefined;
    fake.calls.push({ method: request.method(), path: url.pathname, query: url.search, body });
    const json = (value: unknown, status = 200) =>
      route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(value) });
    const path = url.pathname;
    if (request.method() === 'GET' && path === '/v1/mail/quarantine') {
      const recipient = url.searchParams.get('recipient');
      const status = url.searchParams.get('status') ?? 'quarantined';
      const matching = fake.items.filter(
        (i) => i.status === status && (!recipient || i.recipients.includes(recipient)),
      );
      // Two a page, whatever the limit: the console must follow the cursor.
      const start = Number(url.searchParams.get('cursor') ?? 0);
      const next = start + 2 < matching.length ? String(start + 2) : null;
      return json({ items: matching.slice(start, start + 2), nextCursor: next });
    }
    const one = /^\/v1\/mail\/quarantine\/([^/]+)(?:\/(release|appeal|delete))?$/.exec(path);
    const item = one ? fake.items.find((i) => i.id === decodeURIComponent(one[1] ?? '')) : undefined;
    if (one && !item) return problem(route, 404, '見つかりません (Not found)', 'no such mail');
    if (one && item && request.method() === 'GET' && !one[2])
      return json({
        ...item,
        headers: [
          { name: 'Received', value: 'from mx.verify.example (203.0.113.9) by mx.example.jp' },
          { name: 'Received', value: 'from localhost by mx.verify.example' },
          { name: 'From', value: item.from ?? '' },
          { name: 'Subject', value: item.subject },
        ],
        textPreview: HOSTILE_TEXT,
        reasons: [
          {
            signal: 'MAIL_BRAND_SPOOF',
            ja: '差出人がブランドを装っています',
            en: 'The sender impersonates a brand',
          },
          {
            signal: 'MAIL_URL_TEXT_MISMATCH',
            ja: 'リンクの表示と行き先が違います',
            en: 'A link says one place and goes to another',
          },
        ],
      });
    if (one && item && request.method() === 'POST' && one[2] === 'release') {
      if (item.status !== 'quarantined')
        return problem(route, 409, '配信済みです (Already released)', 'released before');
      if (item.id === 'q-down')
        return problem(
          route,
          503,
          '次の配送先が受け付けませんでした (The next hop refused the mail)',
          '127.0.0.1:10026 に接続できません / cannot connect to 127.0.0.1:10026',
        );
      const to = (body as { recipients?: string[] } | undefined)?.recipients ?? item.recipients;
      item.status = 'released';
      return json({ id: item.id, status: 'released', releasedTo: to });
    }
    if (one && item && request.method() === 'POST' && one[2] === 'appeal') {
      item.appeal = { caseId: 'case-appeal-1', status: 'open', reason: String(body?.reason) };
      return json({ id: item.id, caseId: 'case-appeal-1' });
    }
    if (one && item && request.method() === 'POST' && one[2] === 'delete') {
      if (item.appeal?.status === 'open')
        return problem(route, 409, '審査中の申し立てがあります (An appeal is open)', 'appeal open');
      if (item.status !== 'quarantined')
        return problem(route, 409, '隔離中ではありません (Not quarantined)', 'not quarantined');
      item.status = 'deleted';
      return json({ id: item.id, status: 'deleted' });
    }
    if (path === '/v1/mail/strength' && request.method() === 'GET') {
      const recipient = url.searchParams.get('recipient') ?? '';
      return json({ recipient, strength: fake.strength[recipient] ?? 'standard' });
    }
    if (path === '/v1/mail/strength' && request.method() === 'POST') {
      const { recipient, strength } = body as { recipient: string; strength: string };
      fake.strength[recipient] = strength;
      return json({ recipient, strength });
    }
    return problem(route, 404, '見つかりません (Not found)', `${request.method()} ${path}`);
  });
  return fake;
}
