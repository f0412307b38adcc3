import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvalFileError, evaluateMessageFile } from './evaluate.ts';

const dir = mkdtempSync(join(tmpdir(), 'mamoru-eval-msg-'));

describe('evaluateMessageFile (issue 9: mamoru eval message)', () => {
  it('streams a large file row by row, counting every row once', async () => {
    const rows = [
      {
        text: 'Royal Mail: your parcel is held due to an unpaid fee of £1.49. Pay now at royalmail-fee.help',
        label: 'fraud',
      },
      { text: '明日の打ち合わせは14時からオンラインに変更になりました。', label: 'legit' },
      { text: 'Running 10 mins late, save me a seat', label: 'legit', kind: 'rcs' },
    ];
    const path = join(dir, 'big.jsonl');
    const n = 3000;
    writeFileSync(path, Array.from({ length: n }, (_, i) => JSON.stringify(rows[i % 3])).join('\n'));
    const r = await evaluateMessageFile(path);
    expect(r.counts).toEqual({ n, fraud: n / 3, legit: (2 * n) / 3 });
    expect(r.byKind.rcs?.counts.n).toBe(n / 3);
    expect(r.rejected.count).toBe(0);
    const actions = Object.values(r.actions).reduce((a, b) => a + (b ?? 0), 0);
    expect(actions).toBe(n);
  }, 60_000);

  it('never throws on odd content: a BOM, arrays, numbers, 200 KB lines', async () => {
    const path = join(dir, 'odd.jsonl');
    writeFileSync(
      path,
      `\uFEFF${JSON.stringify({ text: 'ok then', label: 'legit' })}\n[1]\n42\n${JSON.stringify({ text: 'あ'.repeat(200_000), label: 'fraud' })}\n{"text": 3, "label": "fraud"}\n`,
    );
    const r = await evaluateMessageFile(path);
    expect(r.counts.n).toBe(1);
    expect(r.rejected.lines.map((l) => l.line)).toEqual([2, 3, 4, 5]);
  });

  it('refuses a missing file or a folder with EvalFileError, and a policy for another channel', async () => {
    await expect(evaluateMessageFile(join(dir, 'none.jsonl'))).rejects.toBeInstanceOf(EvalFileError);
    await expect(evaluateMessageFile(dir)).rejects.toBeInstanceOf(EvalFileError);
    const ok = join(dir, 'ok.jsonl');
    writeFileSync(ok, `${JSON.stringify({ text: 'hi there friend', label: 'legit' })}\n`);
    const policy = join(dir, 'mail-policy.json');
    writeFileSync(policy, JSON.stringify({ id: 'p', channel: 'mail' }));
    await expect(evaluateMessageFile(ok, { policyFile: policy })).rejects.toThrow(/channel は message/u);
  });
});
