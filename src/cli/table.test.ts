import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cellText, displayWidth, renderTable, truncate } from './table.ts';

const UNSAFE = /[\p{Cc}\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]|\p{Cs}/u;

/** Where each cell of a rendered line starts, in terminal columns. */
function starts(line: string): number[] {
  const out: number[] = [];
  let col = 0;
  let previous = ' ';
  for (const c of line) {
    if (c !== ' ' && previous === ' ') out.push(col);
    col += displayWidth(c);
    previous = c;
  }
  return out;
}

describe('renderTable', () => {
  it('pads columns to the widest cell, counting Japanese characters as two columns', () => {
    const text = renderTable(
      [
        { header: 'id', value: (r: { id: string; name: string }) => r.id },
        { header: 'name', value: (r) => r.name },
      ],
      [
        { id: 'k1', name: '販売店' },
        { id: 'key_22', name: 'shop' },
      ],
    );
    expect(text.split('\n')).toEqual(['id      name', '------  ------', 'k1      販売店', 'key_22  shop']);
  });

  it('shows a missing value as -, and an empty table as its header', () => {
    const columns = [{ header: 'assignee', value: (r: { a: string | null }) => r.a }];
    expect(renderTable(columns, [{ a: null }]).split('\n')[2]).toBe('-');
    expect(renderTable(columns, [])).toBe('assignee\n--------');
  });

  it('keeps every row on one line and every column aligned, whatever the cells hold', () => {
    const piece = fc.constantFrom(
      'a',
      'Z',
      '9',
      '_',
      '案',
      '件',
      'ｱ',
      '😀',
      'é',
      '\n',
      '\t',
      '\u202e',
      '\u200b',
      '\u0000',
    );
    const cell = fc.array(piece, { minLength: 1, maxLength: 70 }).map((a) => a.join(''));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 3, maxLength: 3 }), { maxLength: 8 }), (rows) => {
        const columns = [0, 1, 2].map((i) => ({ header: `h${i}`, value: (r: string[]) => r[i] }));
        const lines = renderTable(columns, rows).split('\n');
        expect(lines).toHaveLength(rows.length + 2);
        const rule = starts(lines[1] ?? '');
        for (const line of lines) {
          expect(line).not.toMatch(UNSAFE);
          expect(starts(line)).toEqual(rule);
        }
      }),
    );
  });
});

describe('cellText', () => {
  it('writes control, bidirectional and zero-width characters as code points', () => {
    expect(cellText('a\nb')).toBe('a\\u{a}b');
    expect(cellText('\u202eevil')).toBe('\\u{202e}evil');
    expect(cellText('x\u200by')).toBe('x\\u{200b}y');
    expect(cellText('\ud800')).toBe('\\u{d800}');
  });

  it('leaves ordinary text as it is', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        fc.pre(!UNSAFE.test(s));
        expect(cellText(s)).toBe(s);
      }),
    );
  });
});

describe('truncate', () => {
  it('never exceeds the width and marks a cut with …', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii' }), fc.integer({ min: 2, max: 60 }), (s, max) => {
        const cut = truncate(s, max);
        expect(displayWidth(cut)).toBeLessThanOrEqual(max);
        expect(cut === s || cut.endsWith('…')).toBe(true);
      }),
    );
    expect(truncate('申込番号申込番号', 7)).toBe('申込番…');
  });
});
