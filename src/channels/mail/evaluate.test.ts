/**
 * `mamoru eval mail` (issue 11, "must show"; E1–E4): the bounded line reader
 * (a property test against split-then-decode), the JSON-lines and folder
 * readers (bad lines and files reported with their place), the metrics at the
 * three levels checked against the verdicts themselves, and the command run as
 * a user would (exit 0 with JSON, exit 2 for a missing path or a bad option).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../../test/cli/run-cli.ts';
import { type Action, severity } from '../../core/index.ts';
import { dkimKey, sign } from './auth/test-kit.ts';
import {
  type BoundedLine,
  boundedLines,
  directoryItems,
  EvalFileError,
  evaluateMailItems,
  evaluateMailPath,
  jsonLineItems,
  LEVELS,
  MAX_LINE_BYTES,
  type MailEvalItem,
  mailEvalDns,
  parseEnvelopeOption,
} from './evaluate.ts';
import { MAX_MAIL_BYTES } from './mail-schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'mamoru-eval-mail-'));

function mail(
  subject: string,
  body: string,
  from = 'Alice <alice@example.com>',
  extra: string[] = [],
): string {
  return [
    `From: ${from}`,
    'To: user@example.jp',
    `Subject: ${subject}`,
    'Date: Thu, 15 Jan 2026 09:30:00 +0900',
    'Message-ID: <m1@example.com>',
    'MIME-Version: 1.0',
    ...extra,
    'Content-Type: text/plain; charset=UTF-8',
    '',
    body,
    '',
  ].join('\r\n');
}

const PHISH = mail(
  '【重要】アカウントが停止されました',
  'お客様のアカウントが停止されました。24時間以内に下記より本人確認してください。\r\nhttps://amazon-co-jp.account-verify.example/login',
  '"Amazon.co.jp" <account-update@amazon-co-jp.account-verify.example>',
);
const DROPPER = [
  'From: Invoices <billing@invoice-mail.example>',
  'To: user@example.jp',
  'Subject: Invoice overdue',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=UTF-8',
  '',
  'Please open the attached invoice and pay today.',
  '--b1',
  'Content-Type: application/octet-stream; name="invoice.pdf.exe"',
  'Content-Disposition: attachment; filename="invoice.pdf.exe"',
  'Content-Transfer-Encoding: base64',
  '',
  'TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA==',
  '--b1--',
  '',
].join('\r\n');
const LUNCH = mail('明日のランチ', '明日のランチは12時に駅前のお店でどうですか？');
const MINUTES = mail(
  'Minutes of Tuesday',
  'Hi all,\r\n\r\nAttached are the minutes. Next meeting Thursday 3pm.\r\n\r\nBob',
);

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** The reference: split the bytes on LF, decode each, drop a last empty piece; long lines marked. */
function reference(bytes: Uint8Array, maxBytes: number): BoundedLine[] {
  const out: BoundedLine[] = [];
  let start = 0;
  const pieces: Uint8Array[] = [];
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x0a) {
      pieces.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  if (pieces.at(-1)?.length === 0) pieces.pop();
  pieces.forEach((p, i) => {
    if (p.length > maxBytes) out.push({ n: i + 1, tooLong: true });
    else {
      const text = Buffer.from(p).toString('utf8');
      out.push({ n: i + 1, text: text.endsWith('\r') ? text.slice(0, -1) : text });
    }
  });
  return out;
}

describe('boundedLines', () => {
  it('equals split-on-LF-then-decode for any bytes, chunking and bound (property)', async () => {
    const byte = fc.constantFrom(0x0a, 0x0d, 0x61, 0x7b, 0xe3, 0x81, 0x82, 0xff, 0xef, 0xbb, 0xbf);
    await fc.assert(
      fc.asyncProperty(
        fc.array(byte, { maxLength: 200 }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 20 }),
        fc.integer({ min: 0, max: 30 }),
        async (list, cuts, maxBytes) => {
          const bytes = Uint8Array.from(list);
          const chunks: Uint8Array[] = [];
          for (let at = 0, k = 0; at < bytes.length; k++) {
            const size = cuts[k % cuts.length] as number;
            chunks.push(bytes.slice(at, at + size));
            at += size;
          }
          expect(await collect(boundedLines(chunks, maxBytes))).toEqual(reference(bytes, maxBytes));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('holds no more than the bound of a line with no newline at all', async () => {
    function* endless(): Generator<Uint8Array> {
      const chunk = new Uint8Array(64 * 1024).fill(0x61);
      for (let i = 0; i < 200; i++) yield chunk; // 12.5 MiB, no LF
      yield Buffer.from('\n{"a":1}');
    }
    expect(await collect(boundedLines(endless(), 1024 * 1024))).toEqual([
      { n: 1, tooLong: true },
      { n: 2, text: '{"a":1}' },
    ]);
  });
});

describe('jsonLineItems and directoryItems', () => {
  it('reads rows and reports every bad line with its number', async () => {
    const lines = [
      `\uFEFF${JSON.stringify({ raw: LUNCH, label: 'legit' })}`,
      '',
      'not json',
      '[1]',
      JSON.stringify({ raw: LUNCH, label: 'maybe' }),
      JSON.stringify({ label: 'fraud' }),
      JSON.stringify({
        rawBase64: Buffer.from(PHISH).toString('base64'),
        label: 'spam',
        envelope: { clientIp: '192.0.2.1', rcptTo: ['a@b.jp'] },
      }),
      JSON.stringify({ raw: MINUTES, label: 'HAM' }),
    ];
    const items = await collect(jsonLineItems([Buffer.from(lines.join('\r\n'))]));
    expect(items.map((i) => [i.where, 'error' in i ? 'error' : i.label])).toEqual([
      ['line 1', 'legit'],
      ['line 3', 'error'],
      ['line 4', 'error'],
      ['line 5', 'error'],
      ['line 6', 'error'],
      ['line 7', 'fraud'],
      ['line 8', 'legit'],
    ]);
    const errors = items.flatMap((i) => ('error' in i ? [i.error] : []));
    expect(errors[0]).toMatch(/^JSON ではありません/u);
    expect(errors[2]).toMatch(/label/u);
    expect(errors[3]).toMatch(/raw/u);
    const seventh = items[5] as Extract<MailEvalItem, { raw: unknown }>;
    expect(Buffer.isBuffer(seventh.raw) && seventh.raw.toString()).toBe(PHISH);
    expect(seventh.envelope).toEqual({ clientIp: '192.0.2.1', rcptTo: ['a@b.jp'] });
  });

  it('reads label folders (aliases, nested, .eml only), refusing empty and oversize files', async () => {
    const root = join(dir, 'corpus');
    mkdirSync(join(root, 'spam', '2024'), { recursive: true });
    mkdirSync(join(root, 'ham'), { recursive: true });
    mkdirSync(join(root, 'other'), { recursive: true });
    writeFileSync(join(root, 'spam', 'a.eml'), PHISH);
    writeFileSync(join(root, 'spam', '2024', 'b.EML'), DROPPER);
    writeFileSync(join(root, 'spam', 'notes.txt'), 'not a mail');
    writeFileSync(join(root, 'spam', 'empty.eml'), '');
    writeFileSync(join(root, 'ham', 'big.eml'), Buffer.alloc(MAX_MAIL_BYTES + 1, 0x61));
    writeFileSync(join(root, 'ham', 'c.eml'), LUNCH);
    writeFileSync(join(root, 'other', 'd.eml'), LUNCH);
    const items = await collect(directoryItems(root));
    expect(items.map((i) => [i.where, 'error' in i ? 'error' : i.label])).toEqual([
      [join('ham', 'big.eml'), 'error'],
      [join('ham', 'c.eml'), 'legit'],
      [join('spam', '2024', 'b.EML'), 'fraud'],
      [join('spam', 'a.eml'), 'fraud'],
      [join('spam', 'empty.eml'), 'error'],
    ]);
    await expect(collect(directoryItems(join(root, 'other')))).rejects.toBeInstanceOf(EvalFileError);
  });
});

describe('evaluateMailItems', () => {
  it('counts each verdict at warn, hold and block, with action histograms and signals of the misses', async () => {
    const items: MailEvalItem[] = [
      { where: 'a', label: 'fraud', raw: PHISH, group: 'ja' },
      { where: 'b', label: 'fraud', raw: Buffer.from(DROPPER), group: 'en' },
      { where: 'c', label: 'legit', raw: LUNCH, group: 'ja' },
      { where: 'd', label: 'legit', raw: MINUTES, group: 'en' },
      { where: 'e', label: 'legit', raw: LUNCH, envelope: { clientIp: 'not an ip' } },
      { where: 'f', label: 'legit', raw: LUNCH, envelope: [1] },
      { where: 'g', error: 'bad' },
    ];
    const seen: { label: string; action: Action; signals: string[] }[] = [];
    const r = await evaluateMailItems(items, {
      envelope: { clientIp: '192.0.2.1', mailFrom: 'x@example.com' },
      onVerdict: (item, verdict) =>
        seen.push({ label: item.label, action: verdict.action, signals: verdict.hits.map((h) => h.signal) }),
    });
    expect(seen).toHaveLength(4);
    expect(r.counts).toEqual({ n: 4, fraud: 2, legit: 2 });
    for (const level of LEVELS) {
      const flagged = (s: (typeof seen)[number]) => severity(s.action) >= severity(level);
      const tp = seen.filter((s) => s.label === 'fraud' && flagged(s)).length;
      const fp = seen.filter((s) => s.label === 'legit' && flagged(s)).length;
      expect(r.at[level].confusion).toEqual({ tp, fn: 2 - tp, fp, tn: 2 - fp });
      expect(r.at[level].recall).toBe(tp / 2);
      expect(r.at[level].fpr).toBe(fp / 2);
    }
    for (const label of ['fraud', 'legit'] as const) {
      const histogram: Record<string, number> = {};
      for (const s of seen.filter((x) => x.label === label))
        histogram[s.action] = (histogram[s.action] ?? 0) + 1;
      expect(r.actions[label]).toEqual(histogram);
    }
    expect(Object.keys(r.byGroup).sort()).toEqual(['en', 'ja']);
    expect(r.byGroup.ja?.counts).toEqual({ n: 2, fraud: 1, legit: 1 });
    // Each signal counted once per missed fraud (allow) and per flagged legit mail that carries it.
    const tally = (pick: (s: (typeof seen)[number]) => boolean) => {
      const counts = new Map<string, number>();
      for (const s of seen.filter(pick))
        for (const x of new Set(s.signals)) counts.set(x, (counts.get(x) ?? 0) + 1);
      return Object.fromEntries(counts);
    };
    const asObject = (list: { signal: string; count: number }[]) =>
      Object.fromEntries(list.map((x) => [x.signal, x.count]));
    expect(asObject(r.topSignals.falseNegatives)).toEqual(
      tally((s) => s.label === 'fraud' && s.action === 'allow'),
    );
    expect(asObject(r.topSignals.falsePositives)).toEqual(
      tally((s) => s.label === 'legit' && s.action !== 'allow'),
    );
    expect(r.rejected.items.map((i) => i.where)).toEqual(['e', 'f', 'g']);
    expect(r.rejected.items[0]?.reason).toMatch(/^envelope\.clientIp/u);
    expect(r.throughput.messages).toBe(4);
    expect(r.throughput.cpuMsPerMessage).toBeGreaterThan(0);
    expect(r.dns).toBe('off');
    expect(r.policy).toBe('mail.default');
  }, 60_000);

  it('screens a file of 2,000 lines in order, counting each once', async () => {
    const path = join(dir, 'many.jsonl');
    const rows = [
      JSON.stringify({ raw: LUNCH, label: 'legit' }),
      JSON.stringify({ raw: PHISH, label: 'fraud' }),
    ];
    writeFileSync(path, `${Array.from({ length: 2000 }, (_, i) => rows[i % 2]).join('\n')}\n`);
    const r = await evaluateMailPath(path);
    expect(r.counts).toEqual({ n: 2000, fraud: 1000, legit: 1000 });
    expect(r.rejected.count).toBe(0);
    const sum = (a: Record<string, number | undefined>) =>
      Object.values(a).reduce<number>((x, y) => x + (y ?? 0), 0);
    expect(sum(r.actions.fraud)).toBe(1000);
    expect(sum(r.actions.legit)).toBe(1000);
  }, 120_000);
});

describe('options', () => {
  it('reads --envelope as partial envelope fields and refuses anything else', () => {
    expect(parseEnvelopeOption('{"clientIp":"192.0.2.1","mailFrom":"a@example.com"}')).toEqual({
      clientIp: '192.0.2.1',
      mailFrom: 'a@example.com',
    });
    expect(() => parseEnvelopeOption('{"clientIp":"x"}')).toThrow(/clientIp/u);
    expect(() => parseEnvelopeOption('{"bogus":1}')).toThrow(EvalFileError);
    expect(() => parseEnvelopeOption('nope')).toThrow(/^--envelope は JSON/u);
  });

  it('DNS off by default; refuses another --dns mode and a missing zone file', async () => {
    expect((await mailEvalDns({})).dns).toBe('off');
    await expect(mailEvalDns({ dns: 'system' })).rejects.toThrow(/--zone/u);
    await expect(mailEvalDns({ zone: join(dir, 'none.zone') })).rejects.toThrow(
      /^ゾーンファイルを読めません/u,
    );
  });

  it('MAX_LINE_BYTES leaves room for the largest mail escaped in JSON', () => {
    expect(MAX_LINE_BYTES).toBeGreaterThan(2 * MAX_MAIL_BYTES);
  });
});

describe('--zone: DNS answered from a zone file', () => {
  it('authenticates with the zone: a signed mail passes DKIM and DMARC, a spoof of the domain is refused', async () => {
    const key = dkimKey('rsa');
    const zone = join(dir, 'shop.zone');
    const p = key.record
      .match(/.{1,200}/gu)
      ?.map((c) => `"${c}"`)
      .join(' ');
    writeFileSync(
      zone,
      [
        'shop.example. 300 IN TXT "v=spf1 ip4:192.0.2.10 -all"',
        '_dmarc.shop.example. 300 IN TXT "v=DMARC1; p=reject"',
        `s1._domainkey.shop.example. 300 IN TXT ${p}`,
        '',
      ].join('\n'),
    );
    const plain = mail('ご注文の発送', 'ご注文の商品を発送しました。', 'Shop <info@shop.example>');
    const signed = await sign(plain, 'shop.example', 's1', key);
    const file = join(dir, 'zone.jsonl');
    writeFileSync(
      file,
      [
        {
          raw: signed,
          label: 'legit',
          envelope: { clientIp: '192.0.2.10', mailFrom: 'bounce@shop.example' },
        },
        { raw: plain, label: 'fraud', envelope: { clientIp: '198.51.100.9', mailFrom: 'x@shop.example' } },
      ]
        .map((r) => JSON.stringify({ ...r, envelope: { ...r.envelope, rcptTo: ['user@example.jp'] } }))
        .join('\n'),
    );
    const dns = await mailEvalDns({ zone });
    expect(dns.label).toBe(`zone:${zone}`);
    const seen: { label: string; action: string; signals: string[] }[] = [];
    const r = await evaluateMailPath(file, {
      dns: dns.dns,
      dnsLabel: dns.label,
      onVerdict: (item, v) =>
        seen.push({ label: item.label, action: v.action, signals: v.hits.map((h) => h.signal) }),
    });
    expect(r.dns).toBe(`zone:${zone}`);
    expect(seen[0]?.signals).toContain('MAIL_DKIM_PASS');
    expect(seen[0]?.signals).toContain('MAIL_DMARC_PASS');
    expect(seen[1]?.signals).toContain('MAIL_DMARC_REJECT');
    expect(seen[1]?.action).toBe('block');
    expect(r.at.block.confusion.tp).toBe(1);
  }, 60_000);
});

describe('mamoru eval mail (command)', () => {
  it('prints the metrics of a JSON-lines file and of a folder as JSON; exit 2 for a missing path', async () => {
    const file = join(dir, 'cli.jsonl');
    writeFileSync(
      file,
      [
        JSON.stringify({ raw: PHISH, label: 'fraud' }),
        JSON.stringify({ raw: LUNCH, label: 'legit' }),
        '{',
      ].join('\n'),
    );
    const a = await runCli(['eval', 'mail', file, '--envelope', '{"clientIp":"192.0.2.1"}']);
    expect(a.code).toBe(0);
    const r = JSON.parse(a.stdout);
    expect(r.counts).toEqual({ n: 2, fraud: 1, legit: 1 });
    expect(Object.keys(r.at)).toEqual(['warn', 'hold', 'block']);
    expect(r.rejected.items).toEqual([{ where: 'line 3', reason: expect.stringMatching(/JSON/u) }]);

    const folder = join(dir, 'cli-folder');
    mkdirSync(join(folder, 'fraud'), { recursive: true });
    mkdirSync(join(folder, 'legit'), { recursive: true });
    writeFileSync(join(folder, 'fraud', '1.eml'), DROPPER);
    writeFileSync(join(folder, 'legit', '1.eml'), MINUTES);
    const b = await runCli(['eval', 'mail', folder]);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.stdout).counts).toEqual({ n: 2, fraud: 1, legit: 1 });

    const c = await runCli(['eval', 'mail', join(dir, 'missing.jsonl')]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/^mamoru: ファイルを読めません/u);
    const d = await runCli(['eval', 'mail', file, '--dns', 'on']);
    expect(d.code).toBe(2);
  }, 120_000);
});
