/**
 * `npm run eval` for the mail content model (issue 11 items 2 and 7; E1, E4) computes what it
 * says: on a small fixed model and fixed rows, per-source, per-language and overall metrics,
 * the real/hand-written marking, the worst errors, and the Markdown table.
 */
import { describe, expect, it } from 'vitest';
import { evaluateMail, mailTable, scoreRow } from './eval-mail.ts';
import { LogisticModel } from './linear-model.ts';
import { MAIL_DIMENSION, type MailModel, type MailRow, mailFeatures, mailModelText } from './mail-data.ts';

/** A model whose only weight is on the features of the word "verify": rows with it score high. */
function fixedModel(): MailModel {
  const w = new Float64Array(MAIL_DIMENSION);
  for (const i of mailFeatures(mailModelText('', 'verify verify')).keys()) w[i] = 40;
  return { model: new LogisticModel(MAIL_DIMENSION, w, -2), platt: { a: 1, b: 0 } };
}

const row = (
  id: string,
  source: string,
  label: 'fraud' | 'legit',
  text: string,
  language: 'en' | 'ja' = 'en',
): MailRow => ({
  id,
  source,
  subset: 's',
  label,
  language,
  subject: '',
  text,
});

const ROWS: MailRow[] = [
  row('a', 'spamassassin', 'fraud', 'verify verify'), // TP
  row('b', 'spamassassin', 'fraud', 'hello hollo'), // FN
  row('c', 'spamassassin', 'legit', 'verify verify'), // FP
  row('d', 'spamassassin', 'legit', 'meeting notes attached'), // TN
  row('e', 'mail-ja-legit-written', 'legit', 'お知らせです', 'ja'), // TN
  row('f', 'mail-ja-phish-written', 'fraud', 'verify verify', 'ja'), // TP
];

describe('evaluateMail', () => {
  const m = fixedModel();

  it('scores rows as the detector reads them', () => {
    expect(scoreRow(m, { subject: '', text: 'verify verify' })).toBeGreaterThan(0.5);
    expect(scoreRow(m, { subject: '', text: 'hello hollo' })).toBeLessThan(0.5);
  });

  it('counts the confusion matrix and rates per source', () => {
    const r = evaluateMail(m, ROWS, 0.5);
    const sa = r.bySource.spamassassin;
    expect(sa?.confusion).toEqual({ tp: 1, fp: 1, tn: 1, fn: 1 });
    expect(sa?.precision).toBe(0.5);
    expect(sa?.recall).toBe(0.5);
    expect(sa?.fpr).toBe(0.5);
    expect(sa?.f1).toBe(0.5);
    expect(sa?.real).toBe(true);
    expect(r.bySource['mail-ja-legit-written']?.real).toBe(false);
    expect(r.bySource['mail-ja-legit-written']?.fpr).toBe(0);
  });

  it('groups by language and overall, keeping real apart from hand-written', () => {
    const r = evaluateMail(m, ROWS, 0.5);
    expect(r.byLanguage.ja?.confusion).toEqual({ tp: 1, fp: 0, tn: 1, fn: 0 });
    expect(r.byLanguage.ja?.real).toBe(false);
    expect(r.overall.real?.n).toBe(4);
    expect(r.overall.all?.n).toBe(6);
    expect(r.overall.all?.real).toBe('mixed');
    expect(r.overall.all?.confusion).toEqual({ tp: 2, fp: 1, tn: 2, fn: 1 });
  });

  it('lists the errors, worst first', () => {
    const r = evaluateMail(m, ROWS, 0.5);
    expect(r.errors.map((e) => e.id).sort()).toEqual(['b', 'c']);
  });

  it('prints a Markdown table with the figures', () => {
    const r = evaluateMail(m, ROWS, 0.5);
    const md = mailTable('t', r.bySource);
    expect(md).toContain('| spamassassin | real | 4 | 2 | 2 | 0.500 | 0.500 | 0.500 | 0.500 |');
    expect(md).toContain('| mail-ja-legit-written | **hand-written** |');
  });
});
