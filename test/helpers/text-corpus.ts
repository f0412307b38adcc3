/**
 * Texts for the equivalence tests of the optimised text functions (issue 9, performance: every
 * optimisation keeps outputs identical to the frozen references in test/helpers/reference/).
 *
 * - `corpusTexts()`: every text of src/ml/data/*.jsonl, plus ../shared/data/sms and a sample of the
 *   ../shared/data/url URLs, each alone and inside a Japanese and an English sentence, when present
 *   (../shared is absent on CI; the committed data and the arbitraries below still run there).
 * - `lureText`: arbitrary text built from the pieces lures and broken inputs are made of: URLs
 *   (defanged, full-width, spaced), e-mail addresses, phone numbers, amounts, codes, homoglyphs,
 *   full-width forms, kana, invisible and control characters, lone surrogates, arbitrary Unicode.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';

const DATA = new URL('../../src/ml/data/', import.meta.url);
const SHARED = new URL('../../../shared/data/', import.meta.url);

function jsonlTexts(url: URL): string[] {
  const out: string[] = [];
  for (const line of readFileSync(url, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as { text?: unknown };
    if (typeof row.text === 'string') out.push(row.text);
  }
  return out;
}

/** Whether ../shared/data is present (it is not on CI). */
export const sharedDataPresent = existsSync(new URL('sms/', SHARED));

export function corpusTexts(): string[] {
  const texts: string[] = [];
  for (const f of readdirSync(DATA)) if (f.endsWith('.jsonl')) texts.push(...jsonlTexts(new URL(f, DATA)));
  if (!sharedDataPresent) return texts;
  const sms = new URL('sms/', SHARED);
  if (existsSync(new URL('ja-smishing-train.jsonl', sms)))
    texts.push(...jsonlTexts(new URL('ja-smishing-train.jsonl', sms)));
  const uci = new URL('uci-sms-spam-collection.tsv', sms);
  if (existsSync(uci))
    for (const line of readFileSync(uci, 'utf8').split('\n')) {
      const tab = line.indexOf('\t');
      if (tab > 0) texts.push(line.slice(tab + 1));
    }
  const url = new URL('url/', SHARED);
  for (const f of ['jpcert-phishurl-train.csv', 'dmoz-benign-train.csv']) {
    if (!existsSync(new URL(f, url))) continue;
    const lines = readFileSync(new URL(f, url), 'utf8').split('\n');
    // Every 97th row: a few thousand URLs of each kind, in three settings each.
    for (let i = 1; i < lines.length; i += 97) {
      const cell = f.startsWith('jpcert') ? lines[i]!.split(',')[1] : lines[i]!.split(',')[0];
      if (!cell) continue;
      texts.push(cell, `【重要】ご確認ください ${cell} こちらから`, `Verify now: ${cell}. Thanks`);
    }
  }
  return texts;
}

const PIECES = [
  ' ',
  '  ',
  '\u3000',
  '\n',
  '\t',
  '\u00A0',
  '\u2028',
  '\u200B',
  '\u200D',
  '\u202E',
  '\uFEFF',
  '\u00AD',
  '\u0000',
  '\u001B',
  '\u0085',
  '\uD800',
  '\uDFFF',
  '\u0301',
  '\u{E0041}',
  '👍',
  '🇯🇵',
  'ア',
  'ｱ',
  'ー',
  '漢',
  '𠀋',
  'の',
  '。',
  '、',
  '【',
  '】',
  'а',
  'ο',
  'Υ',
  'Н',
  'İ',
  'ß',
  'Σ',
  'µ',
  'K',
  'ſ',
  'Ｐ',
  'ｅｘａｍｐｌｅ',
  '．',
  '．ｃｏｍ',
  '。',
  '[.]',
  '(dot)',
  ' dot ',
  'hxxps://',
  'https://',
  'http //',
  'https: //',
  'h**p://',
  'ttp://',
  'www.',
  '.com',
  '.co.jp',
  ' .jp',
  '. com',
  'example',
  'exa mple',
  'p a y p a l',
  'bit.ly/3xYz',
  'xn--80ak6aa92e.com',
  '/login?id=1',
  '@',
  'user@example.jp',
  '+81',
  '+1 555',
  '090-1234-5678',
  '090ー1234ー5678',
  '0120-123-456',
  '03-1234-5678',
  '0',
  '1',
  '9',
  '１２３',
  '123456',
  '2026/12/06',
  '12:30',
  '-',
  ',',
  '¥',
  '$',
  '1,200',
  '円',
  '万',
  '<URL>',
  '<url>',
  '<',
  '>',
  'a',
  'Z',
  'the',
  'Amazon',
  '楽天',
  'SMBC',
] as const;

/** Arbitrary text of lure pieces and arbitrary Unicode (see the module comment). */
export const lureText: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: 'binary', maxLength: 4 })), {
      maxLength: 40,
    })
    .map((parts) => parts.join('')),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'binary-ascii', maxLength: 60 }),
  fc.string({ unit: fc.constantFrom(...PIECES), maxLength: 30 }),
);
