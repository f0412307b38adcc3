/**
 * Tests of the mail content model's data pipeline (issue 11 items 2 and 7; E1, E4): the parsers
 * of Enron-spam and the hand-written files (fixed rows and fast-check: they never throw), the
 * held-out rule, deduplication, the features, and the RFC 5322 rendering of a row.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { beginMail } from '../channels/mail/mail-state.ts';
import type { RejectedLine } from './dataset.ts';
import {
  isHeldOut,
  loadMailWritten,
  MAIL_WRITTEN,
  type MailRow,
  mailFeatures,
  mailModelText,
  parseEnron,
  parseMailText,
  parseMailWritten,
  rawMessage,
  splitMail,
  stripMboxLine,
} from './mail-data.ts';

const row = (over: Partial<MailRow>): MailRow => ({
  id: 'x/1',
  source: 'mail-ja-legit-written',
  subset: 'fam',
  label: 'legit',
  language: 'ja',
  subject: 's',
  text: 't',
  ...over,
});

describe('parseEnron', () => {
  it('reads rows, the year from the file name, and rejects bad lines with their number', () => {
    const rejected: RejectedLine[] = [];
    const rows = parseEnron(
      [
        '{"subset":"enron1","file":"0001.1999-12-10.farmer.ham.txt","label":"ham","subject":"hi","text":"body"}',
        '{"subset":"enron5","file":"2.2005-01-02.GP.spam.txt","label":"spam","subject":"buy","text":"now"}',
        'not json',
        '{"subset":"enron1","file":"x","label":"maybe","subject":"","text":""}',
        '{"subset":"enron1","file":"y","label":"ham","subject":3,"text":""}',
      ].join('\n'),
      rejected,
    );
    expect(rows.map((r) => [r.id, r.label, r.year])).toEqual([
      ['enron/enron1/0001.1999-12-10.farmer.ham.txt', 'legit', 1999],
      ['enron/enron5/2.2005-01-02.GP.spam.txt', 'fraud', 2005],
    ]);
    expect(rejected.map((r) => r.line)).toEqual([3, 4, 5]);
  });

  it('never throws on arbitrary input', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        parseEnron(s);
      }),
    );
  });
});

describe('parseMailWritten', () => {
  it('skips the comment, labels rows by file, and rejects rows without family, text or year', () => {
    const rejected: RejectedLine[] = [];
    const rows = parseMailWritten(
      [
        '{"_comment":"x"}',
        '{"family":"a","year":2025,"subject":"件名","text":"本文","from":"A <a@example.jp>"}',
        '{"family":"","year":2025,"subject":"s","text":"t"}',
        '{"family":"b","year":"2025","subject":"s","text":"t"}',
        '{"family":"c","year":2025,"subject":"s","text":"  "}',
      ].join('\n'),
      'mail-ja-phish-written',
      'fraud',
      'ja',
      rejected,
    );
    expect(rows).toEqual([
      {
        id: 'mail-ja-phish-written/2',
        source: 'mail-ja-phish-written',
        subset: 'a',
        label: 'fraud',
        language: 'ja',
        year: 2025,
        from: 'A <a@example.jp>',
        subject: '件名',
        text: '本文',
      },
    ]);
    expect(rejected.map((r) => r.line)).toEqual([3, 4, 5]);
  });

  it('never throws on arbitrary JSON lines', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue().map((v) => JSON.stringify(v) ?? 'null')), (lines) => {
        parseMailWritten(lines.join('\n'), 's', 'legit', 'en');
      }),
    );
  });

  it('the committed files parse without a rejected line, every family one label', () => {
    const rejected: RejectedLine[] = [];
    const rows = loadMailWritten(rejected);
    expect(rejected).toEqual([]);
    for (const name of Object.keys(MAIL_WRITTEN)) expect(rows.some((r) => r.source === name)).toBe(true);
  });
});

describe('isHeldOut', () => {
  it('holds out the later SpamAssassin sets and Enron 5 and 6', () => {
    expect(isHeldOut({ source: 'spamassassin', subset: 'spam-2', id: 'a' })).toBe(true);
    expect(isHeldOut({ source: 'spamassassin', subset: 'easy-ham-2', id: 'a' })).toBe(true);
    expect(isHeldOut({ source: 'spamassassin', subset: 'spam-1', id: 'a' })).toBe(false);
    expect(isHeldOut({ source: 'spamassassin', subset: 'easy-ham-1', id: 'a' })).toBe(false);
    expect(isHeldOut({ source: 'enron', subset: 'enron5', id: 'a' })).toBe(true);
    expect(isHeldOut({ source: 'enron', subset: 'enron6', id: 'a' })).toBe(true);
    expect(isHeldOut({ source: 'enron', subset: 'enron1', id: 'a' })).toBe(false);
  });

  it('splits hand-written rows by family: every row of a family on one side, about a quarter held out', () => {
    const families = Array.from({ length: 400 }, (_, i) => `family-${i}`);
    const held = families.filter((f) => isHeldOut({ source: 'mail-en-phish-written', subset: f, id: 'a' }));
    expect(held.length).toBeGreaterThan(60);
    expect(held.length).toBeLessThan(140);
    for (const f of families.slice(0, 20)) {
      const sides = new Set(
        ['1', '2', '3'].map((id) => isHeldOut({ source: 'mail-en-phish-written', subset: f, id })),
      );
      expect(sides.size).toBe(1);
    }
  });
});

describe('splitMail', () => {
  it('keeps one copy of a repeated text and drops texts seen with both labels', () => {
    const { train, test, report } = splitMail([
      row({ id: 'a', text: 'Same  text' }),
      row({ id: 'b', text: 'same text' }),
      row({ id: 'c', text: 'both', label: 'legit' }),
      row({ id: 'd', text: 'both', label: 'fraud' }),
      row({ id: 'e', text: 'alone' }),
    ]);
    expect([...train, ...test].map((r) => r.id).sort()).toEqual(['a', 'e']);
    expect(report.duplicatesRemoved).toBe(1);
    expect(report.conflictsRemoved).toBe(2);
  });

  it('keeps the held-out copy of a text repeated across the split', () => {
    const { train, test } = splitMail([
      row({ id: 'a', source: 'spamassassin', subset: 'easy-ham-1', text: 'x' }),
      row({ id: 'b', source: 'spamassassin', subset: 'easy-ham-2', text: 'x' }),
    ]);
    expect(train).toEqual([]);
    expect(test.map((r) => r.id)).toEqual(['b']);
  });
});

describe('features and rendering', () => {
  it('mailFeatures are binary and of unit length, empty for an empty text', () => {
    const f = mailFeatures(
      mailModelText('アカウントを確認', 'Please verify your account at https://x.example/'),
    );
    let sum = 0;
    for (const v of f.values()) sum += v * v;
    expect(sum).toBeCloseTo(1, 9);
    expect(mailFeatures('').size).toBe(0);
  });

  it('strips an mbox From line only at the start', () => {
    expect(stripMboxLine('From a@b Tue Aug  6 2002\nSubject: x\n\nb')).toBe('Subject: x\n\nb');
    expect(stripMboxLine('Subject: x\n\nFrom here')).toBe('Subject: x\n\nFrom here');
  });

  it('rawMessage of a written row parses back to its subject and text, as the channel reads it', async () => {
    const r = row({
      subject: '【重要】アカウント確認のお願い',
      text: 'いつもご利用ありがとうございます。\nhttps://example.jp/login からご確認ください。',
      from: 'テスト銀行 <info@bank.example.jp>',
      year: 2025,
    });
    const raw = rawMessage(r);
    const back = await parseMailText(raw);
    expect(back.subject).toBe(r.subject);
    expect(back.text.trim()).toBe(r.text);
    const state = await beginMail({
      payload: { raw, envelope: { rcptTo: ['u@example.jp'] } },
    } as unknown as Parameters<typeof beginMail>[0]);
    expect(state.normalised.text).toBe(mailModelText(back.subject, back.text));
    expect(state.from?.name).toBe('テスト銀行');
  });

  it('parseMailText never throws on arbitrary bytes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 400 }), async (s) => {
        const out = await parseMailText(s);
        expect(typeof out.text).toBe('string');
      }),
      { numRuns: 50 },
    );
  });
});

describe('mailScore', () => {
  it('equals model.score(mailFeatures(text)) on arbitrary text, and repeats', async () => {
    const { LogisticModel } = await import('./linear-model.ts');
    const { MAIL_DIMENSION, mailScore } = await import('./mail-data.ts');
    const w = new Float64Array(MAIL_DIMENSION);
    for (let i = 0; i < w.length; i += 7) w[i] = ((i * 2654435761) % 1000) / 250 - 2;
    const model = new LogisticModel(MAIL_DIMENSION, w, -1.5);
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 }), (a, b) => {
        const text = mailModelText(a, b);
        const expected = model.score(mailFeatures(text));
        expect(mailScore(model, text)).toBeCloseTo(expected, 9);
        expect(mailScore(model, text)).toBeCloseTo(expected, 9);
      }),
      { numRuns: 200 },
    );
  });
});
