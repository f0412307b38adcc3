import { describe, expect, it } from 'vitest';
import { jsonText } from './json-text.ts';

describe('jsonText', () => {
  it('is JSON.stringify for ordinary values', () => {
    const value = { a: '日本語 😀', b: [1, null], c: '\u0001' };
    expect(jsonText(value, 'v')).toBe(JSON.stringify(value));
  });

  it('replaces NUL and unpaired surrogates, which jsonb refuses, by U+FFFD', () => {
    expect(JSON.parse(jsonText({ t: 'a\u0000b\ud800c\udfffd😀' }, 'v'))).toEqual({
      t: 'a\ufffdb\ufffdc\ufffdd😀',
    });
  });

  it('leaves an escaped backslash followed by "u0000" alone', () => {
    expect(JSON.parse(jsonText('\\u0000 \\\u0000', 'v'))).toBe('\\u0000 \\\ufffd');
  });

  it('names the field when the value is not JSON', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => jsonText(cyclic, 'event')).toThrow(/event/);
    expect(() => jsonText(undefined, 'event')).toThrow(/event/);
    expect(() => jsonText(10n, 'event')).toThrow(/event/);
  });
});
