/**
 * `mamoru eval message` and `mamoru eval url` (issue 9, "must show"), run as a
 * user would: a labelled file in, metrics as JSON out, exit 0; a missing file
 * exits 2 with a Japanese-first message.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'mamoru-eval-'));
const messages = join(dir, 'messages.jsonl');
writeFileSync(
  messages,
  [
    JSON.stringify({
      text: '【佐川急便】お荷物のお届けに伺いましたが不在のため持ち帰りました。再配達はこちら https://sagawa-qx.top',
      label: 'fraud',
    }),
    JSON.stringify({
      text: 'USPS: your package is on hold, unpaid shipping fee of $1.99. Pay now: https://usps-fee.top/pay',
      label: 'fraud',
      kind: 'sms',
      sender: '+12025550123',
    }),
    JSON.stringify({ text: '今から帰るね。駅に着いたら電話するよ', label: 'legit', kind: 'dm' }),
    JSON.stringify({ text: 'Your verification code is 482913. Do not share it.', label: 'legit' }),
    'not json',
    JSON.stringify({ text: 'hello', label: 'spam' }),
    JSON.stringify({ text: '', label: 'legit' }),
    JSON.stringify({ text: 'x', label: 'legit', kind: 'fax' }),
    '',
  ].join('\n'),
);

describe('mamoru eval message (I1, I3)', () => {
  it('screens every row through the message channel and prints the metrics as JSON', async () => {
    const { code, stdout } = await runCli(['eval', 'message', messages]);
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r.counts).toEqual({ n: 4, fraud: 2, legit: 2 });
    expect(r.recall).toBe(1);
    expect(r.fpr).toBe(0);
    expect(r.precision).toBe(1);
    expect(r.f1).toBe(1);
    expect(r.confusion).toEqual({ tp: 2, fp: 0, tn: 2, fn: 0 });
    expect(r.actions.allow).toBe(2);
    expect((r.actions.warn ?? 0) + (r.actions.block ?? 0)).toBe(2);
    expect(Object.keys(r.byKind).sort()).toEqual(['dm', 'sms']);
    expect(r.byKind.sms.counts).toEqual({ n: 3, fraud: 2, legit: 1 });
    expect(r.rejected.count).toBe(4);
    expect(r.rejected.lines.map((l: { line: number }) => l.line)).toEqual([5, 6, 7, 8]);
    expect(r.rejected.lines[1].reason).toContain('label');
    expect(r.rejected.lines[3].reason).toContain('kind');
    expect(r.note.ja).toContain('空');
    expect(r.note.en).toContain('EMPTY database');
    expect(r.policy).toBe('message.default');
  }, 60_000);

  it('takes a policy file (--policy) and reports only the first 20 bad lines', async () => {
    const policy = join(dir, 'policy.json');
    writeFileSync(
      policy,
      JSON.stringify({ id: 'strict', channel: 'message', thresholds: { warn: 100, block: 200 } }),
    );
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(
      bad,
      `${'{}\n'.repeat(25)}${JSON.stringify({ text: '【佐川急便】お荷物のお届けに伺いましたが不在のため持ち帰りました。再配達はこちら https://sagawa-qx.top', label: 'fraud' })}\n`,
    );
    const { code, stdout } = await runCli(['eval', 'message', bad, '--policy', policy]);
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r.policy).toBe('strict');
    expect(r.rejected.count).toBe(25);
    expect(r.rejected.lines).toHaveLength(20);
    expect(r.recall).toBe(0); // thresholds out of reach: nothing is flagged
    expect(r.actions).toEqual({ allow: 1 });
  }, 60_000);

  it('exits 2 with a Japanese-first message for a missing file', async () => {
    const { code, stderr } = await runCli(['eval', 'message', join(dir, 'missing.jsonl')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^mamoru: ファイルを読めません: .*cannot read the file/u);
  }, 60_000);
});

describe('mamoru eval url', () => {
  it('prints the URL metrics for a labelled CSV, and exits 2 for a missing file', async () => {
    const urls = join(dir, 'urls.csv');
    writeFileSync(
      urls,
      'url,label\nhttps://www.google.com/search?q=x,legit\nhttp://amazon-co-jp.account-verify.top/login,fraud\n',
    );
    const { code, stdout } = await runCli(['eval', 'url', urls]);
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r.counts).toEqual({ n: 2, fraud: 1, legit: 1 });
    expect(typeof r.rocAuc === 'number' || r.rocAuc === null).toBe(true);
    const missing = await runCli(['eval', 'url', join(dir, 'missing.csv')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^mamoru: ファイルを読めません/u);
  }, 60_000);
});
