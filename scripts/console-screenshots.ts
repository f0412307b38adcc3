/**
 * `npm run screenshots`: screenshots of the web console's main pages (C4) in
 * Japanese and English, 390 px and 1440 px wide, into docs/console/, with
 * docs/console/README.md showing them in a table.
 *
 * A throwaway server (PGlite in memory) gets a realistic day first: a holder's
 * five voice lines and a 6th applied for at an agency by a holder who shares an
 * address and a device with other applicants (a review case with a ring), SMS
 * lures and plain messages, an indicator feed, a stored policy version. Full
 * pages, cut at 3,000 px high (shorter where the PNG would pass ~400 KB).
 * Japanese text needs a CJK font (fonts-noto-cjk).
 *
 * SCREENSHOTS_ONLY=case,policies limits the pages (for a quick look).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import commonEn from '../console/src/i18n/en/common.json' with { type: 'json' };
import commonJa from '../console/src/i18n/ja/common.json' with { type: 'json' };
import {
  AGENCY_ID,
  type ConsoleServer,
  launchChromium,
  openActor,
  startConsoleServer,
} from '../test/helpers/console.ts';

const OUT = fileURLToPath(new URL('../docs/console/', import.meta.url));
const WIDTHS = [1440, 390] as const;
const LANGUAGES = ['ja', 'en'] as const;
const MAX_HEIGHT = 3000;
const MAX_BYTES = 400 * 1024;

const LURES = [
  '【重要】お客様のアカウントが停止されました。確認はこちら https://amazon-co-jp.account-verify.example/login',
  '【佐川急便】お荷物のお届けにあがりましたが不在のため持ち帰りました。確認はこちら http://sagawa-delivery.example.top/track',
  'ポイントが本日失効します。手続きはこちら https://rakuten-point.example.xyz/p',
  '【三井住友カード】ご利用確認のお願い https://smbc-card.example.info/verify',
  '当選おめでとうございます！賞金を受け取るには手数料の振込が必要です',
  '高額報酬！即日払い、荷物を受け取るだけの簡単なお仕事です。詳しくはテレグラムで',
];
const PLAIN = [
  '明日の会議は10時からです。よろしくお願いします。',
  '今日の夕飯はカレーでいい？',
  'ご予約ありがとうございます。12月8日15時にお待ちしております。',
  '【○○クリニック】明日の診察は午前11時です。保険証をお持ちください。',
];

/** Mail lures (issue 11): a brand's account notice and a parcel notice, each with its link. */
const MAIL_LURES: readonly ((to: string, n: number) => string)[] = [
  (to, n) =>
    [
      'From: "Amazon.co.jp" <account-update@amazon-co-jp.account-verify.example>',
      `To: ${to}`,
      'Subject: =?UTF-8?B?44CQ6YeN6KaB44CR44Ki44Kr44Km44Oz44OI44GM5YGc5q2i44GV44KM44G+44GX44Gf?=',
      'Date: Sat, 05 Dec 2026 09:30:00 +0900',
      `Message-ID: <shot-${n}@amazon-co-jp.account-verify.example>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'お客様のアカウントは停止されました。24時間以内に以下のリンクからログインし、お支払い情報を更新してください。',
      'https://amazon-co-jp.account-verify.example/login',
      '',
    ].join('\r\n'),
  (to, n) =>
    [
      'From: "佐川急便" <info@sagawa-delivery.example.top>',
      `To: ${to}`,
      'Subject: =?UTF-8?B?44GK6I2354mp44Gu44GK5bGK44GR44Gr44Gk44GE44Gm?=',
      'Date: Sat, 05 Dec 2026 11:02:00 +0900',
      `Message-ID: <shot-${n}@sagawa-delivery.example.top>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=UTF-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'お荷物のお届けにあがりましたが不在のため持ち帰りました。再配達の手続きはこちら http://sagawa-delivery.example.top/track',
      '',
    ].join('\r\n'),
];

const SHARED_ADDRESS = '埼玉県さいたま市浦和区高砂3-15-1';
const HOLDER = {
  name: '佐藤 花子',
  birthDate: '1979-11-23',
  address: SHARED_ADDRESS,
  documentSerial: 'SAI7788123',
};

interface Seeded {
  readonly caseId: string;
  readonly decisionId: string;
  /** A quarantined mail (issue 11), when the mail channel keeps a quarantine. */
  readonly quarantineId: string;
}

async function must<T>(what: string, res: Promise<{ status: number; body: T }>): Promise<T> {
  const answer = await res;
  if (answer.status >= 300) throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

async function seed(server: ConsoleServer): Promise<Seeded> {
  // The holder's five voice lines.
  const csv = ['line_id,name,birth_date,address,document_serial,sim_type,status,contracted_at'];
  for (let i = 1; i <= 5; i++)
    csv.push(
      `+8190555500${i}0,${HOLDER.name},${HOLDER.birthDate},${HOLDER.address},${HOLDER.documentSerial},voice,active,2025-0${i}-01`,
    );
  await must(
    'lines',
    server.api('admin', 'POST', '/v1/contract/lines/import', csv.join('\n'), { 'content-type': 'text/csv' }),
  );
  // Other applicants on the same address and device (the ring), then the holder's 6th line at the agency.
  const device = 'tablet-urawa-07';
  for (let i = 0; i < 3; i++)
    await must(
      'ring application',
      server.api('admin', 'POST', '/v1/screen/contract', {
        applicationId: `APP-2026-0120${i}`,
        salesChannel: { type: 'agency', agencyId: AGENCY_ID },
        holder: {
          type: 'person',
          identity: {
            name: ['高橋 健', '田中 美咲', '伊藤 翔'][i],
            birthDate: `199${i}-0${i + 2}-1${i}`,
            address: SHARED_ADDRESS,
            documentSerial: `RNG${i}00${i}`,
          },
        },
        identityVerification: {
          method: 'ic_chip_face',
          assuranceLevel: 3,
          performedAt: '2026-12-05T10:00:00+09:00',
        },
        lines: [{ simType: 'data_sms', count: 2 }],
        deviceFingerprint: device,
        pledgeSigned: false,
      }),
    );
  const sixth = await must<{ id: string; action: string; case?: { id: string } }>(
    '6th line',
    server.api('agent', 'POST', '/v1/screen/contract', {
      applicationId: 'APP-2026-012099',
      salesChannel: { type: 'agency', agencyId: AGENCY_ID },
      holder: { type: 'person', identity: HOLDER },
      identityVerification: {
        method: 'ic_chip_face',
        assuranceLevel: 3,
        performedAt: '2026-12-06T10:00:00+09:00',
      },
      lines: [{ simType: 'voice', count: 1, purpose: '家族の見守り用 / to watch over the family' }],
      deviceFingerprint: device,
      pledgeSigned: true,
    }),
  );
  // A corporate application without the employment check (P4): another case for HQ.
  await must(
    'corporate application',
    server.api('admin', 'POST', '/v1/screen/contract', {
      applicationId: 'APP-2026-012150',
      salesChannel: { type: 'shop', shopId: 'shinjuku-01' },
      holder: {
        type: 'corporation',
        identity: {
          name: '鈴木 一郎',
          birthDate: '1972-08-09',
          address: '東京都千代田区丸の内一丁目1番1号',
          documentSerial: 'MN1234567890',
        },
        corporation: { corporateNumber: '7123456789012', name: '株式会社サンプル商事' },
      },
      identityVerification: {
        method: 'ic_chip_face',
        assuranceLevel: 3,
        performedAt: '2026-12-06T09:30:00+09:00',
      },
      lines: [{ simType: 'data_sms', count: 8, purpose: '営業車両の端末用 / for the sales fleet' }],
      pledgeSigned: true,
    }),
  );
  // Messages: lures and plain texts, from a few senders.
  let blocked = '';
  for (const [i, text] of [...LURES, ...PLAIN, ...LURES.slice(0, 3)].entries()) {
    const v = await must<{ id: string; action: string }>(
      'message',
      server.api('admin', 'POST', '/v1/screen/message', {
        kind: i % 4 === 3 ? 'dm' : 'sms',
        sender: i % 2 ? `+8180${String(12345600 + i)}` : `AMAZON-JP${i}`,
        text,
      }),
    );
    if (v.action === 'block' && !blocked) blocked = v.id;
  }
  // An indicator feed.
  const feed = [
    'type,value,verdict,confidence,source,scope,tags,description',
    'url,https://amazon-co-jp.account-verify.example/login,malicious,95,jpcert-feed,partners,phishing;amazon,Amazon を装うフィッシング / Amazon phishing',
    'domain,sagawa-delivery.example.top,malicious,90,jpcert-feed,partners,phishing;delivery,',
    'phone,+81 50-1234-5678,suspicious,70,analyst,org,smishing,SMS の送信元 / SMS sender',
    'ip,203.0.113.7,suspicious,60,analyst,org,residential-proxy,',
    'bank_account,0001-123 普通 1234567,malicious,85,case,partners,mule,',
  ];
  await must(
    'indicators',
    server.api('analyst', 'POST', '/v1/indicators/import?source=seed', feed.join('\n'), {
      'content-type': 'text/csv',
    }),
  );
  // A stored policy version.
  await must(
    'policy',
    server.api('admin', 'PUT', '/v1/policies/message', {
      document: { thresholds: { block: 9 } },
      comment: 'ブロックのしきい値を 9 に / block at 9',
    }),
  );
  // Mail (issue 11): lures held in quarantine for two recipients (nothing refused at SMTP time here).
  await must(
    'mail policy',
    server.api('admin', 'PUT', '/v1/policies/mail', {
      document: { thresholds: { block: 1000 } },
      comment: '受信拒否をせず隔離する / quarantine instead of refusing',
    }),
  );
  for (const [i, to] of ['hanako@example.jp', 'taro@example.jp', 'hanako@example.jp'].entries())
    await must(
      'mail',
      server.api('admin', 'POST', '/v1/screen/mail', {
        raw: MAIL_LURES[i % MAIL_LURES.length]?.(to, i),
        envelope: {
          clientIp: '203.0.113.9',
          clientHostname: 'mx.account-verify.example',
          helo: 'mx.account-verify.example',
          mailFrom: 'bounce@account-verify.example',
          rcptTo: [to],
        },
      }),
    );
  const quarantine = await server.api<{ items?: { id: string }[] }>('admin', 'GET', '/v1/mail/quarantine');
  return {
    caseId: sixth.case?.id ?? '',
    decisionId: blocked || sixth.id,
    quarantineId: quarantine.body.items?.[0]?.id ?? '',
  };
}

interface Shot {
  readonly name: string;
  readonly title: { readonly ja: string; readonly en: string };
  /** Signed in (default) or the sign-in page. */
  readonly anonymous?: boolean;
  /** Start the picture at this element (less 140 px: its heading) instead of the top of the page. */
  readonly from?: string;
  open(page: Page, base: string, seeded: Seeded): Promise<void>;
}

const visible = (page: Page, testId: string) =>
  page.getByTestId(testId).first().waitFor({ state: 'visible', timeout: 30_000 });

async function policyDryRun(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/policies/message`);
  await visible(page, 'policy-form');
  const lang = (await page.evaluate(() => document.documentElement.lang)) === 'en' ? 'en' : 'ja';
  const block = page
    .getByTestId('policy-form')
    .getByLabel((lang === 'en' ? commonEn : commonJa).action.block, { exact: true });
  await block.fill('30');
  await block.press('Tab');
  await page.getByTestId('policy-dry-run').click();
  await visible(page, 'policy-changed-count');
}

const SHOTS: readonly Shot[] = [
  {
    name: 'signin',
    title: { ja: 'サインイン', en: 'Sign-in' },
    anonymous: true,
    open: async (page, base) => {
      await page.goto(`${base}/`);
      await page.locator('#api-key').waitFor();
    },
  },
  {
    name: 'dashboard',
    title: { ja: 'ダッシュボード', en: 'Dashboard' },
    open: async (page, base) => {
      await page.goto(`${base}/`);
      await visible(page, 'dashboard-kpis');
    },
  },
  {
    name: 'cases',
    title: { ja: '案件キュー', en: 'Case queue' },
    open: async (page, base) => {
      await page.goto(`${base}/cases`);
      await visible(page, 'case-row');
    },
  },
  {
    name: 'case',
    title: { ja: '案件（回線上限の例外）', en: 'Case (line-cap exception)' },
    open: async (page, base, seeded) => {
      await page.goto(`${base}/cases/${seeded.caseId}`);
      await visible(page, 'case-details');
    },
  },
  {
    name: 'decisions',
    title: { ja: '判定ログ', en: 'Verdict explorer' },
    open: async (page, base) => {
      await page.goto(`${base}/decisions`);
      await visible(page, 'decision-row');
    },
  },
  {
    name: 'decision',
    title: { ja: '判定', en: 'Decision' },
    open: async (page, base, seeded) => {
      await page.goto(`${base}/decisions/${seeded.decisionId}`);
      await visible(page, 'verdict');
    },
  },
  {
    name: 'screen',
    title: { ja: '審査（判定結果つき）', en: 'Screen (with a verdict)' },
    open: async (page, base) => {
      await page.goto(`${base}/screen?channel=message`);
      await visible(page, 'screen-payload');
      await page.getByTestId('screen-payload').fill(
        JSON.stringify(
          {
            kind: 'sms',
            sender: '+819012345678',
            text: '【重要】お客様のアカウントが停止されました。確認はこちら https://amazon-co-jp.account-verify.example/login',
          },
          null,
          2,
        ),
      );
      await page.getByTestId('screen-submit').click();
      await page.getByTestId('screen-result').getByTestId('verdict').waitFor({ timeout: 30_000 });
    },
  },
  {
    name: 'indicators',
    title: { ja: 'リスト（指標）', en: 'Lists (indicators)' },
    open: async (page, base) => {
      await page.goto(`${base}/indicators`);
      await page.getByTestId('indicator-table').locator('tbody tr').first().waitFor({ timeout: 30_000 });
    },
  },
  {
    name: 'policies',
    title: { ja: 'ポリシー', en: 'Policies' },
    open: (page, base) => policyDryRun(page, base),
  },
  {
    name: 'policy-dry-run',
    title: { ja: 'ポリシーの試行結果（保存前）', en: 'Policy dry-run (before saving)' },
    from: 'policy-dry-run',
    open: (page, base) => policyDryRun(page, base),
  },
  {
    name: 'quarantine',
    title: {
      ja: '隔離メール（受信者ごと、強さの設定つき）',
      en: "Quarantined mail (one recipient's, with the strength)",
    },
    open: async (page, base) => {
      await page.goto(`${base}/quarantine?recipient=hanako%40example.jp`);
      await visible(page, 'quarantine-row');
      await visible(page, 'quarantine-strength-current');
    },
  },
  {
    name: 'quarantine-mail',
    title: { ja: '隔離メールの詳細（配信・申し立て）', en: 'A quarantined mail (release, appeal)' },
    open: async (page, base, seeded) => {
      await page.goto(`${base}/quarantine/${seeded.quarantineId}`);
      await visible(page, 'quarantine-preview');
    },
  },
  {
    name: 'admin',
    title: { ja: '管理（キー・組織）', en: 'Admin (keys, organisations)' },
    open: async (page, base) => {
      await page.goto(`${base}/admin`);
      await page.locator('main table tbody tr').first().waitFor({ timeout: 30_000 });
    },
  },
];

/** Where an element starts on the full page, less a margin. */
async function topOf(page: Page, testId: string): Promise<number> {
  const box = await page.getByTestId(testId).first().boundingBox();
  const scrolled = await page.evaluate(() => window.scrollY);
  return Math.max(0, Math.round((box?.y ?? 0) + scrolled - 140));
}

async function main(): Promise<void> {
  const only = process.env.SCREENSHOTS_ONLY?.split(',').filter(Boolean);
  const shots = only ? SHOTS.filter((s) => only.includes(s.name)) : SHOTS;
  await mkdir(OUT, { recursive: true });
  // Mail is screened with its DNS checks off: no query leaves the machine.
  process.env.MAMORU_MAIL_DNS = 'off';
  const server = await startConsoleServer();
  const browser = await launchChromium();
  const failed: string[] = [];
  try {
    const seeded = await seed(server);
    for (const lang of LANGUAGES)
      for (const width of WIDTHS) {
        const signedIn = await openActor(browser, server, 'admin', { language: lang, width, height: 900 });
        const anonymous = await openActor(browser, server, 'anonymous', {
          language: lang,
          width,
          height: 900,
        });
        for (const shot of shots) {
          const actor = shot.anonymous ? anonymous : signedIn;
          const file = `${shot.name}-${lang}-${width}.png`;
          try {
            await shot.open(actor.page, server.base, seeded);
            await actor.page.waitForLoadState('networkidle');
            // Fonts and charts settle.
            await actor.page.evaluate(() => document.fonts.ready.then(() => undefined));
            await actor.page.waitForTimeout(300);
            // Full page, cut at 3,000 px; shorter again while the PNG is over ~400 KB.
            const top = shot.from ? await topOf(actor.page, shot.from) : 0;
            const pageHeight = await actor.page.evaluate(() => document.documentElement.scrollHeight);
            let height = Math.min(pageHeight - top, MAX_HEIGHT);
            const take = () =>
              actor.page.screenshot({ fullPage: true, clip: { x: 0, y: top, width, height } });
            let png = await take();
            while (png.length > MAX_BYTES && height > 1200) {
              height = Math.round(height * 0.8);
              png = await take();
            }
            await writeFile(`${OUT}${file}`, png);
            process.stdout.write(`${file}\n`);
          } catch (error) {
            failed.push(`${file}: ${String(error).split('\n')[0]}`);
          }
        }
        for (const a of [signedIn, anonymous]) {
          const problems = [...a.cspViolations, ...a.pageErrors];
          if (problems.length) failed.push(`${a.name} ${lang} ${width}: ${problems.join('; ')}`);
          await a.context.close();
        }
      }
    if (!only) await writeFile(`${OUT}README.md`, readme());
  } finally {
    await browser.close();
    await server.close();
  }
  if (failed.length) {
    process.stderr.write(`\nnot taken:\n${failed.map((f) => `  ${f}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

/** docs/console/README.md: every page, Japanese first. */
function readme(): string {
  const cell = (name: string, lang: string, width: number) =>
    `[<img src="${name}-${lang}-${width}.png" alt="${name} ${lang} ${width}px" width="${width === 390 ? 120 : 240}">](${name}-${lang}-${width}.png)`;
  const table = (lang: 'ja' | 'en') =>
    [
      lang === 'ja' ? '| 画面 | 1440 px | 390 px |' : '| page | 1440 px | 390 px |',
      '| --- | --- | --- |',
      ...SHOTS.map((s) => `| ${s.title[lang]} | ${cell(s.name, lang, 1440)} | ${cell(s.name, lang, 390)} |`),
    ].join('\n');
  return `# コンソールの画面 / Console screenshots

Mamoru のウェブコンソール（\`/\`、issue 10 C4）の主な画面です。\`npm run screenshots\`
（scripts/console-screenshots.ts）が使い捨てのサーバーにデータ（回線上限の例外案件とリング、SMS
の誘導文と通常のメッセージ、指標、ポリシーの版、隔離されたメール）を入れて撮り直します。幅 1440 px と 390 px、
縦は 3,000 px まで（PNG が約 400 KB を超えるときはさらに短く）です。

The web console's main pages (served at \`/\`, issue 10 C4). \`npm run screenshots\`
(scripts/console-screenshots.ts) takes them again on a throwaway server seeded with a line-cap
exception case and its ring, SMS lures and plain messages, indicators, a policy version and quarantined mail. 1440 px
and 390 px wide, full pages cut at 3,000 px high (shorter where the PNG would pass ~400 KB).

## 日本語

${table('ja')}

## English

${table('en')}

## 端から端までのテスト / End-to-end tests

\`npx vitest run test/console/\`（\`npm test\` にも含まれます）は、本物のサーバー（PGlite、
\`DATABASE_URL\` があれば PostgreSQL の新しいデータベース）と Debian の Chromium
（\`/usr/bin/chromium\`、\`MAMORU_CHROMIUM\` で変更）で、代理店の 6 回線目の審査から本部の承認と
再審査まで、指標ファイルの取り込みとそのURLを含むメッセージの遮断、ポリシーの保存前の試行、CSP
とキーの扱い、権限ごとのメニュー、アクセシビリティの基本を確かめます。Chromium のない環境では
\`MAMORU_SKIP_BROWSER=1\` でブラウザのテストを飛ばせます（CI は \`.ci/run\` で入れます）。
\`npm run bench console\` はバンドルの大きさと初回表示の時間を測ります。

\`npx vitest run test/console/\` (part of \`npm test\`) drives Debian's Chromium (\`/usr/bin/chromium\`,
or \`MAMORU_CHROMIUM\`) against a real server (PGlite; a fresh PostgreSQL database with
\`DATABASE_URL\`): an agency's 6th line to HQ's approval and the re-screen, an indicator file imported
and a message with its URL blocked, a policy dry-run before saving, the CSP and the key's handling,
each role's menu, and accessibility basics. Without Chromium, \`MAMORU_SKIP_BROWSER=1\` skips the browser
suites (CI installs it in \`.ci/run\`). \`npm run bench console\` measures the bundle and the first load.

| file | what it checks |
| --- | --- |
| test/console/contract-exception.test.ts | P2: agency screens a 6th voice line (review), cannot resolve (no controls, API 403); HQ works the queue by keyboard, sees purpose and line counts, approves after a confirm step; the re-screen is allowed |
| test/console/lists.test.ts | indicator import with progress and a per-line report; the message with that URL is blocked; the verdict explorer finds it |
| test/console/policies.test.ts | the dashboard counts the decisions and verifies the audit chain; a threshold changed, dry-run count and diff table before saving; the version moves only on save |
| test/console/security.test.ts | CSP on every console response, no inline script, key never in localStorage, cookies, URLs or logs; agent menu and forbidden pages |
| test/console/accessibility.test.ts | one h1, heading order, named controls, scoped headers, no sideways scroll at 390 px; keyboard and focus |
| test/console/catalogues.test.ts | ja/en catalogues with the same keys, no empty text, no literal text in components |

Every browser test also fails on a CSP violation, an uncaught page error, or a \`/v1\` call that
\`/openapi.json\` does not describe (test/helpers/console.ts).
`;
}

await main();
