import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { format, misleadingText, TEXT_RULES, textField } from './text.ts';

describe('format', () => {
  it('fills placeholders from params', () => {
    expect(format('{count} 回線（上限 {cap}）', { count: 6, cap: 5 })).toBe('6 回線（上限 5）');
    expect(format('{a}{a}', { a: 'x' })).toBe('xx');
    expect(format('{a}', { a: 0 })).toBe('0');
    expect(format('{a}', { a: '' })).toBe('');
  });

  it('keeps a placeholder without a param visible', () => {
    expect(format('{count} lines, {missing}', { count: 2 })).toBe('2 lines, {missing}');
  });

  it('returns the template as it is without params or placeholders', () => {
    expect(format('{count} 回線', undefined)).toBe('{count} 回線');
    expect(format('no placeholders', { a: 1 })).toBe('no placeholders');
    expect(format('', { a: 1 })).toBe('');
  });

  it('leaves braces that are not placeholders alone (near miss)', () => {
    expect(format('{not-a-name} { a } {} {{a}}', { a: 1 })).toBe('{not-a-name} { a } {} {1}');
  });

  it('uses only the params’ own keys, not inherited ones', () => {
    expect(format('{toString} {constructor}', {})).toBe('{toString} {constructor}');
  });

  it('gives the same text from a cached template', () => {
    const template = '{x} と {y}';
    expect(format(template, { x: 1, y: 2 })).toBe('1 と 2');
    expect(format(template, { x: 'a' })).toBe('a と {y}');
  });
});

describe('misleadingText: the one rule for names and free text', () => {
  it('accepts ordinary Japanese and English names and text (absent)', () => {
    for (const ok of [
      'デモ組織 (Demo)',
      '渡辺 邉󠄂',
      'shop:tokyo-01',
      '東京都千代田区霞が関２丁目１−２',
      'Café № 5 — “quotes”',
      'مرحبا بالعالم',
      'emoji 👍🏽 and a family 👩‍👩‍👧 and a coder 👩🏽‍💻 and ❤️‍🔥',
      'flag of Scotland 🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}',
      '',
    ]) {
      expect(misleadingText(ok, 'name'), ok).toBeUndefined();
      expect(misleadingText(ok, 'text'), ok).toBeUndefined();
    }
  });

  it('lets free text, not names, hold tabs and line breaks', () => {
    const comment = '確認しました。\n本人確認書類を再提出\r\n\t- 住所';
    expect(misleadingText(comment, 'text')).toBeUndefined();
    expect(misleadingText(comment, 'name')).toBe(`${TEXT_RULES.control}: U+000A at index 7`);
    expect(misleadingText('a\tb', 'name')).toBe(`${TEXT_RULES.control}: U+0009 at index 1`);
  });

  it('refuses bidirectional controls and invisible characters, naming the code point and where (present)', () => {
    const cases: [string, string][] = [
      ['invoice\u202Efdp.exe', 'U+202E at index 7'],
      ['\u2066admin\u2069', 'U+2066 at index 0'],
      ['a\u200Eb', 'U+200E at index 1'],
      ['a\u061Cb', 'U+061C at index 1'],
      ['pay\u200Bpal', 'U+200B at index 3'],
      ['pay\u200Cpal', 'U+200C at index 3'],
      ['pay\u200Dpal', 'U+200D at index 3'],
      ['pay\u2060pal', 'U+2060 at index 3'],
      ['pay\u00ADpal', 'U+00AD at index 3'],
      ['x\uFEFFy', 'U+FEFF at index 1'],
      ['line\u2028break', 'U+2028 at index 4'],
      ['tag\u{e0041}smuggled', 'U+E0041 at index 3'],
      // An emoji before a joiner is not enough: a joiner must sit between two pictographs.
      ['👍\u200Dx', 'U+200D at index 1'],
      ['x\u200D👍', 'U+200D at index 1'],
      // Tag characters outside a flag sequence (no cancel tag, or no black flag before).
      ['🏴\u{e0067}\u{e0062}', 'U+E0067 at index 1'],
      ['\u{e0067}\u{e007f}', 'U+E0067 at index 0'],
    ];
    for (const [input, where] of cases) {
      expect(misleadingText(input, 'name'), input).toBe(`${TEXT_RULES.format}: ${where}`);
      expect(misleadingText(input, 'text'), input).toBe(`${TEXT_RULES.format}: ${where}`);
    }
  });

  it('treats NUL, escapes and unpaired surrogates the same way in names and text', () => {
    expect(misleadingText('a\u0000b', 'text')).toBe(`${TEXT_RULES.control}: U+0000 at index 1`);
    expect(misleadingText('\u001b[2J', 'text')).toBe(`${TEXT_RULES.control}: U+001B at index 0`);
    expect(misleadingText('a\u0085b', 'text')).toBe(`${TEXT_RULES.control}: U+0085 at index 1`);
    expect(misleadingText('a\uD800b', 'name')).toBe(`${TEXT_RULES.surrogate}: U+D800 at index 1`);
    expect(misleadingText('😀\uDC00', 'text')).toBe(`${TEXT_RULES.surrogate}: U+DC00 at index 1`);
  });

  it('property: a text of visible characters passes, and one refused character anywhere is found where it is', () => {
    const visible = fc
      .string({ unit: 'grapheme', maxLength: 40 })
      .filter((s) => !/[\p{C}\u2028\u2029]/u.test(s));
    const refused = fc.constantFrom(
      '\u0000',
      '\u001b',
      '\u007f',
      '\u202e',
      '\u2067',
      '\u200b',
      '\ufeff',
      '\ud800',
      '\u2028',
    );
    fc.assert(
      fc.property(visible, visible, refused, (a, b, bad) => {
        expect(misleadingText(a + b, 'name')).toBeUndefined();
        const problem = misleadingText(a + bad + b, 'name');
        expect(problem).toMatch(new RegExp(`at index ${Array.from(a).length}$`));
      }),
    );
  });

  it('property: never throws, and agrees with well-formedness for surrogates', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (s) => {
        const problem = misleadingText(s, 'text');
        if (!s.isWellFormed()) expect(problem).toBeDefined();
        if (s.includes('\u0000')) expect(problem).toBeDefined();
      }),
    );
  });
});

describe('textField', () => {
  it('trims, bounds and names the problem as a zod issue', () => {
    const field = textField('name', 10);
    expect(field.parse('  東京店  ')).toBe('東京店');
    expect(field.safeParse('   ').success).toBe(false);
    expect(field.safeParse('x'.repeat(11)).success).toBe(false);
    const bad = field.safeParse('a\u202eb');
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0]?.message).toBe(`${TEXT_RULES.format}: U+202E at index 1`);
    expect(textField('text', 100, { min: 0 }).parse('')).toBe('');
  });
});
