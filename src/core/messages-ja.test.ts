import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { japaneseMessage, japaneseOf } from './messages-ja.ts';
import { fieldIssues } from './parse-input.ts';

describe('Japanese for 400 messages', () => {
  it('puts zod’s own issues into Japanese, keeping the issue’s fields as they are', () => {
    const parsed = z.object({ a: z.string().max(3) }).safeParse({ a: 'abcd' });
    const [issue] = fieldIssues(parsed.error!.issues);
    expect(issue).toEqual({ path: 'a', message: 'Too big: expected string to have <=3 characters' });
    expect(japaneseOf(issue!)).toBe('大きすぎる値: stringは3文字以下である必要があります');
  });

  it('knows Mamoru’s own messages, takes the Japanese of a bilingual one, and wraps the unknown', () => {
    expect(japaneseMessage('must not be in the future')).toBe('未来の日時は指定できません');
    expect(japaneseMessage('ポリシーは JSON オブジェクトです / a policy is a JSON object')).toBe(
      'ポリシーは JSON オブジェクトです',
    );
    expect(japaneseMessage('something new')).toBe('入力が正しくありません（something new）');
  });
});
