/**
 * The web console's weight and first load (C4): the main bundle of
 * `console/dist` (raw and gzip), and in Chromium on loopback, five cold loads
 * each (a new browser context, the cache disabled): the sign-in page's first
 * contentful paint, and the time from submitting the key to the dashboard's
 * KPI tiles on screen (GET /v1/me, the dashboard's code, GET /v1/stats/overview
 * on a database with a few hundred decisions). Medians of the five.
 *
 * `npm run bench console` (or `node bench/console.ts` alone).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Browser } from 'playwright-core';
import { CONSOLE_DIR } from '../src/server/console.ts';
import { CHROMIUM, launchChromium, startConsoleServer } from '../test/helpers/console.ts';
import { type BenchResult, percentile, report } from './report.ts';

const LOADS = 5;

/** The main bundle: the scripts and styles index.html loads; every other built file beside it. */
export async function bundleSizes(dir = CONSOLE_DIR): Promise<{
  main: { raw: number; gzip: number; files: string[] };
  all: { raw: number; gzip: number; files: number };
}> {
  const html = await readFile(join(dir, 'index.html'), 'utf8');
  const entries = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map(
    (m) => m[1] as string,
  );
  const size = async (file: string) => {
    const body = await readFile(join(dir, file));
    return { raw: body.length, gzip: gzipSync(body, { level: 9 }).length };
  };
  const main = { raw: 0, gzip: 0, files: entries };
  for (const file of entries) {
    const s = await size(file);
    main.raw += s.raw;
    main.gzip += s.gzip;
  }
  const all = { raw: 0, gzip: 0, files: 0 };
  for (const file of await readdir(join(dir, 'assets'))) {
    // The .br and .gz twins the build writes are the same assets, compressed.
    if (/\.(br|gz)$/.test(file)) continue;
    if (!(await stat(join(dir, 'assets', file))).isFile()) continue;
    const s = await size(join('assets', file));
    all.raw += s.raw;
    all.gzip += s.gzip;
    all.files++;
  }
  return { main, all };
}

async function oneColdLoad(
  browser: Browser,
  base: string,
  token: string,
): Promise<{ fcp: number; signInReady: number; toKpis: number }> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'ja-JP' });
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await page.goto(`${base}/`, { waitUntil: 'load' });
    await page.locator('#api-key').waitFor({ state: 'visible' });
    const signInReady = await page.evaluate(() => performance.now());
    const fcp = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const found = performance.getEntriesByName('first-contentful-paint')[0];
          if (found) return resolve(found.startTime);
          new PerformanceObserver((list) => {
            const entry = list.getEntriesByName('first-contentful-paint')[0];
            if (entry) resolve(entry.startTime);
          }).observe({ type: 'paint', buffered: true });
        }),
    );
    await page.locator('#api-key').fill(token);
    const started = await page.evaluate(() => performance.now());
    await page.locator('#api-key').press('Enter');
    await page.getByTestId('dashboard-kpis').waitFor({ state: 'visible', timeout: 60_000 });
    const toKpis = (await page.evaluate(() => performance.now())) - started;
    return { fcp, signInReady, toKpis };
  } finally {
    await context.close();
  }
}

export async function benchConsole(): Promise<BenchResult[]> {
  const sizes = await bundleSizes();
  const kib = (n: number) => n / 1024;
  const results: BenchResult[] = [
    {
      name: 'console main bundle (gzip)',
      unit: 'KiB',
      throughput: kib(sizes.main.gzip),
      count: sizes.main.files.length,
      seconds: 0,
      target: '≤ 300 KB gzip',
      note: `main bundle ${sizes.main.files.join(' + ')}: ${kib(sizes.main.raw).toFixed(1)} KiB raw, ${kib(sizes.main.gzip).toFixed(1)} KiB gzip; all ${sizes.all.files} built assets ${kib(sizes.all.raw).toFixed(1)} KiB raw, ${kib(sizes.all.gzip).toFixed(1)} KiB gzip`,
    },
  ];
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`console first load: no Chromium at ${CHROMIUM}; bundle size only\n`);
    return results;
  }
  const server = await startConsoleServer();
  const browser = await launchChromium();
  try {
    // A few hundred decisions, so that the dashboard's aggregate has something to group.
    for (let i = 0; i < 300; i++)
      await server.api('admin', 'POST', '/v1/screen/message', {
        kind: 'sms',
        sender: `+8190${String(10_000_000 + i)}`,
        text:
          i % 3 === 0
            ? `【重要】お客様のアカウントが停止されました ${i} https://amazon-co-jp.account-verify.example/login`
            : `明日の打ち合わせは${i % 12}時からです`,
      });
    // One warm-up load (Chromium's own start-up, the server's first requests), not counted.
    await oneColdLoad(browser, server.base, server.tokens.admin);
    const samples: { fcp: number; signInReady: number; toKpis: number }[] = [];
    for (let i = 0; i < LOADS; i++)
      samples.push(await oneColdLoad(browser, server.base, server.tokens.admin));
    const figure = (
      name: string,
      pick: (s: (typeof samples)[number]) => number,
      target: string,
      note: string,
    ) => {
      const sorted = samples.map(pick).sort((a, b) => a - b);
      const median = percentile(sorted, 0.5);
      return {
        name,
        unit: 'ms (median)',
        throughput: median,
        p50Ms: median,
        p99Ms: sorted[sorted.length - 1],
        count: sorted.length,
        seconds: sorted.reduce((a, b) => a + b, 0) / 1000,
        target,
        note: `${note}; ${LOADS} cold loads (new context, cache disabled): ${sorted.map((v) => v.toFixed(0)).join(', ')} ms`,
      } satisfies BenchResult;
    };
    results.push(
      figure('console sign-in FCP', (s) => s.fcp, '≤ 1,000 ms on loopback', 'first contentful paint of /'),
      figure(
        'console sign-in form ready',
        (s) => s.signInReady,
        '≤ 1,000 ms on loopback',
        'navigation start → the key field visible',
      ),
      figure(
        'console sign-in → dashboard KPIs',
        (s) => s.toKpis,
        '',
        'submit the key → GET /v1/me, the dashboard, GET /v1/stats/overview (300 decisions) → KPI tiles visible',
      ),
    );
  } finally {
    await browser.close();
    await server.close();
  }
  return results;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const file = await report(await benchConsole(), fileURLToPath(new URL('./results', import.meta.url)));
  process.stdout.write(`\nJSON: ${file}\n`);
}
