import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateUrlFile, parseUrlLabel, recallAtFpr } from './eval-url.ts';
import { hostFeatures, restFeatures, URL_DIMENSION, urlFeatures, urlModel, urlParts } from './url-model.ts';

describe('url model (issue 9 item 2)', () => {
  it('reads URLs without scheme, www., port, userinfo or fragment', () => {
    expect(urlParts('HTTPS://user@WWW.Example.COM:8443/A/b?x=1#frag')).toEqual({
      host: 'example.com',
      rest: '/a/b?x=1',
    });
    expect(urlParts('http://example.com')).toEqual({ host: 'example.com', rest: '/' });
    // The era of the data (http, www.) is not a feature.
    expect(urlFeatures('http://www.example.com/a')).toEqual(urlFeatures('https://example.com/a'));
  });

  it('hashes into its dimension and never throws', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 5000 }), (s) => {
        for (const i of urlFeatures(s).keys()) expect(i >= 0 && i < URL_DIMENSION).toBe(true);
      }),
    );
  });

  it('the committed model separates a kit URL from an ordinary page, with thresholds in its file', () => {
    const m = urlModel();
    expect(m.thresholds.weak).toBeLessThanOrEqual(m.thresholds.warn);
    expect(m.predict('https://secure-login-account-verify.xyz/signin/update.php')).toBeGreaterThan(
      m.predict('https://www.example.org/history/edo-period.html'),
    );
    expect(m.explain('https://secure-login-account-verify.xyz/signin/update.php').length).toBeGreaterThan(0);
  });
});

describe('url model, round 2 features', () => {
  const named = (url: string) => {
    const names: string[] = [];
    const { host, rest } = urlParts(url);
    hostFeatures(host, (_i, _v, name) => names.push(name ?? ''), true);
    restFeatures(rest, (_i, _v, name) => names.push(name ?? ''), true);
    return names;
  };

  it('reads the shape of machine-made names and kit paths', () => {
    const f = named('https://xkqzjwvb7.top/a8f3k2x9q1/3f9c0e1d7b2a/login.php?id=5');
    expect(f).toContain('dom-len:9');
    expect(f).toContain('dom-consonant-run:7');
    expect(f).toContain('dom-alternations:1');
    expect(f).toContain('tld-len:top:9');
    expect(f).toContain('path-seg1:a8f3k2x9q1');
    expect(f).toContain('path:random-segment');
    expect(f).toContain('path:hex-run-8');
    expect(f).toContain('query-key:id');
    const plain = named('https://gardenclub.org/events/spring-show.html');
    expect(plain).not.toContain('path:random-segment');
    expect(plain.some((n) => n.startsWith('path:hex-run'))).toBe(false);
  });

  it('the committed model reads random names as riskier than words (on average)', () => {
    const m = urlModel();
    const random = [
      'https://qwzxkjhv.top/',
      'https://hjkytdf.xyz/',
      'https://zzftssly.cn/',
      'https://wihvikw.shop/',
    ];
    const words = [
      'https://gardenclub.org/',
      'https://citylibrary.org/',
      'https://bakeryshop.jp/',
      'https://musicschool.net/',
    ];
    const mean = (list: string[]) => list.reduce((s, u) => s + m.predict(u), 0) / list.length;
    expect(mean(random)).toBeGreaterThan(mean(words));
  });

  it('reads 100 KB of arbitrary Unicode in bounded time', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 50_000, maxLength: 100_000 }), (s) => {
        const started = performance.now();
        urlModel().predict(`https://${s}/${s}`);
        expect(performance.now() - started).toBeLessThan(500);
      }),
      { numRuns: 5 },
    );
  });
});

describe('evaluateUrlFile (mamoru eval url)', () => {
  const file = (name: string, body: string) => {
    const path = join(tmpdir(), `mamoru-url-eval-${process.pid}-${name}`);
    writeFileSync(path, body);
    return path;
  };

  it('reads CSV with quoted URLs and counts bad lines with their numbers', async () => {
    const path = file(
      'a.csv',
      'url,label\nhttps://amazon-co-jp.xyz/login,phishing\n"https://www.example.org/a,b.html",benign\nnot a url at all,fraud\nhttps://x.example/,maybe\n',
    );
    const r = await evaluateUrlFile(path);
    expect(r.counts).toEqual({ n: 2, fraud: 1, legit: 1 });
    expect(r.confusion).toEqual({ tp: 1, fp: 0, tn: 1, fn: 0 });
    expect(r.rejected.count).toBe(2);
    expect(r.rejected.lines.map((l) => l.line)).toEqual([4, 5]);
  });

  it('reads JSON lines and rejects broken ones', async () => {
    const path = file(
      'b.jsonl',
      '{"url":"http://203.0.113.5/x","label":"fraud"}\n{oops\n{"url":"https://www.example.org/","label":"legit"}\n',
    );
    const r = await evaluateUrlFile(path);
    expect(r.counts.n).toBe(2);
    expect(r.recall).toBe(1);
    expect(r.fpr).toBe(0);
    expect(r.rejected.lines).toEqual([{ line: 2, reason: 'not valid JSON' }]);
  });

  it('labels and operating points', () => {
    expect(parseUrlLabel('Phish')).toBe(true);
    expect(parseUrlLabel('legitimate')).toBe(false);
    expect(parseUrlLabel('spam')).toBeUndefined();
    const scored = [
      { p: 0.9, fraud: true },
      { p: 0.8, fraud: false },
      { p: 0.7, fraud: true },
      { p: 0.1, fraud: false },
    ];
    expect(recallAtFpr(scored, 0).recall).toBe(0.5);
    expect(recallAtFpr(scored, 0.5).recall).toBe(1);
  });
});

const SHARED = new URL('../../../shared/data/url/jpcert-phishurl-train.csv', import.meta.url);
describe.skipIf(!existsSync(SHARED))('url data split (needs ../shared/data)', () => {
  it('puts no site on both sides and tests on later months', async () => {
    const { urlDataset } = await import('./train-url.ts');
    const d = urlDataset();
    const trainSites = new Set([...d.train, ...d.validation].map((r) => r.site));
    expect(d.test.some((r) => trainSites.has(r.site))).toBe(false);
    const lastTrain =
      d.train
        .map((r) => r.date ?? '')
        .sort()
        .at(-1) ?? '';
    expect(d.test.every((r) => r.date === undefined || r.date > lastTrain)).toBe(true);
  }, 60_000);
});
