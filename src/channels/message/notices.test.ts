import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SignalDeclaration, VerdictHit } from '../../core/index.ts';
import type { MessagePayload } from './message-schema.ts';
import { messageNotices, SHORT_LABEL_MAX, topPhrases } from './notices.ts';

const DECLARED: Record<string, SignalDeclaration> = {
  MESSAGE_URL_LOOKALIKE: {
    name: 'MESSAGE_URL_LOOKALIKE',
    group: 'url',
    weight: 5,
    description: { ja: '実在ブランドの偽装ドメイン', en: 'Look-alike brand domain' },
    customer: {
      ja: '実在の企業をかたる偽サイトへのリンクが含まれています',
      en: 'It links to a fake site posing as a real company',
    },
  },
  MESSAGE_CALLBACK_LURE: {
    name: 'MESSAGE_CALLBACK_LURE',
    group: 'callback',
    weight: 4,
    description: { ja: '折り返し電話を促す文面', en: 'Pushes the recipient to call back' },
  },
  POST_RECRUITMENT_CRIME: {
    name: 'POST_RECRUITMENT_CRIME',
    group: 'recruitment',
    weight: 8,
    description: { ja: '犯罪の実行役の募集', en: 'Recruitment for crimes' },
    customer: { ja: '犯罪の実行役を募る闇バイトの疑いがあります', en: 'It may recruit people for crimes' },
  },
  MESSAGE_LONG_CUSTOMER: {
    name: 'MESSAGE_LONG_CUSTOMER',
    group: 'test',
    weight: 5,
    description: { ja: '長い', en: 'Long' },
    customer: { ja: 'あ'.repeat(90), en: 'a'.repeat(90) },
  },
};
const describeSignal = (name: string) => DECLARED[name];
const notices = messageNotices(describeSignal);

const hit = (signal: string, score: number, params?: Record<string, string>): VerdictHit => ({
  signal,
  group: 'g',
  detector: 'd',
  factor: 1,
  weight: score,
  score,
  evidence: ['e'],
  ...(params ? { params } : {}),
});
const payload = (kind: MessagePayload['kind']): MessagePayload => ({
  kind,
  sender: '+81300000000',
  text: 'x',
});
const jaLength = (s: string) => [...s].length;

describe('message notices (issue 9 item 3: warning labels and the filtered folder)', () => {
  it('labels a warned SMS with a short Japanese label quoting the strongest hit, within 70 characters', () => {
    const [n, ...rest] = notices(
      { action: 'warn', hits: [hit('MESSAGE_CALLBACK_LURE', 2), hit('MESSAGE_URL_LOOKALIKE', 5)] },
      payload('sms'),
      {},
    );
    expect(rest).toEqual([]);
    expect(n?.code).toBe('message.warning.sms');
    expect(n?.ja).toBe(
      '【詐欺の疑い】実在の企業をかたる偽サイトへのリンクが含まれています。リンクを開かず公式アプリ等で確認を',
    );
    expect(jaLength(n?.ja ?? '')).toBeLessThanOrEqual(SHORT_LABEL_MAX);
    expect(n?.en).toContain('It links to a fake site posing as a real company');
    // RCS is a phone message too: the same short label.
    expect(
      notices({ action: 'warn', hits: [hit('MESSAGE_URL_LOOKALIKE', 5)] }, payload('rcs'), {})[0]?.code,
    ).toBe('message.warning.sms');
  });

  it('keeps the SMS label within 70 characters whatever the signal declares', () => {
    const [n] = notices({ action: 'warn', hits: [hit('MESSAGE_LONG_CUSTOMER', 5)] }, payload('sms'), {});
    expect(jaLength(n?.ja ?? '')).toBeLessThanOrEqual(SHORT_LABEL_MAX);
  });

  it('falls back to the description, and to a generic phrase when no hit explains the action', () => {
    const [callback] = notices(
      { action: 'warn', hits: [hit('MESSAGE_CALLBACK_LURE', 4)] },
      payload('sms'),
      {},
    );
    expect(callback?.ja).toContain('折り返し電話を促す文面');
    const [forced] = notices({ action: 'block', hits: [] }, payload('sms'), {});
    expect(forced?.ja).toContain('詐欺の疑いがある内容が含まれています');
    // An intel match speaks to the recipient, not to a contract applicant.
    const [intel] = notices({ action: 'warn', hits: [hit('INTEL_MATCH_URL', 9)] }, payload('sms'), {});
    expect(intel?.ja).toContain('詐欺に使われたと報告されたリンク');
  });

  it('labels a warned DM with what was found (up to three) and what to do, #9110 and 188', () => {
    const [n] = notices(
      {
        action: 'warn',
        hits: [hit('MESSAGE_URL_LOOKALIKE', 5), hit('MESSAGE_CALLBACK_LURE', 2), hit('INTEL_MATCH_PHONE', 3)],
      },
      payload('dm'),
      {},
    );
    expect(n?.code).toBe('message.warning.dm');
    expect(n?.ja).toContain('実在の企業をかたる偽サイトへのリンクが含まれています');
    expect(n?.ja).toContain('詐欺に使われたと報告された電話番号');
    expect(n?.ja).toContain('折り返し電話を促す文面');
    expect(n?.ja).toContain('リンクを開かず、公式アプリや公式サイトから確認してください');
    expect(n?.ja).toContain('不審な電話番号に折り返さないでください');
    expect(n?.ja).toContain('#9110');
    expect(n?.ja).toContain('188');
    expect(n?.en).toContain('#9110');
  });

  it('gives recruitment posts the advice not to apply', () => {
    const [n] = notices({ action: 'warn', hits: [hit('POST_RECRUITMENT_CRIME', 5)] }, payload('post'), {});
    expect(n?.code).toBe('message.warning.dm');
    expect(n?.ja).toContain('闇バイト');
    expect(n?.ja).toContain('応募せず');
  });

  it('gives a blocked message the filtered-folder notice with how to report not-fraud; a blocked post is withheld', () => {
    const [sms] = notices({ action: 'block', hits: [hit('MESSAGE_URL_LOOKALIKE', 9)] }, payload('sms'), {});
    expect(sms?.code).toBe('message.filtered');
    expect(sms?.ja).toMatch(/^この SMS は詐欺の疑いがあるため迷惑メッセージフォルダに移動しました/u);
    expect(sms?.ja).toContain('「詐欺ではない」');
    expect(sms?.en).toContain('filtered folder');
    const [post] = notices(
      { action: 'block', hits: [hit('POST_RECRUITMENT_CRIME', 9)] },
      payload('post'),
      {},
    );
    expect(post?.code).toBe('message.post_withheld');
    expect(post?.ja).toContain('公開を停止しました');
  });

  it('gives nothing for allow or any other action (near miss)', () => {
    for (const action of ['allow', 'review', 'hold', 'step_up'] as const)
      expect(notices({ action, hits: [hit('MESSAGE_URL_LOOKALIKE', 5)] }, payload('sms'), {})).toEqual([]);
  });

  it('never quotes a zero-score hit (a waiver hit) and fills params', () => {
    const phrases = topPhrases(
      [hit('MESSAGE_URL_LOOKALIKE', 0), hit('MESSAGE_CALLBACK_LURE', 1)],
      describeSignal,
      3,
    );
    expect(phrases.map((p) => p.ja)).toEqual(['折り返し電話を促す文面']);
  });

  it('never throws and keeps the SMS label short for any declared customer text (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 500 }), fc.string({ maxLength: 500 }), (ja, en) => {
        const custom = (name: string): SignalDeclaration | undefined =>
          name === 'MESSAGE_X'
            ? { name, group: 'g', weight: 1, description: { ja: 'x', en: 'x' }, customer: { ja, en } }
            : undefined;
        const [n] = messageNotices(custom)(
          { action: 'warn', hits: [hit('MESSAGE_X', 5)] },
          payload('sms'),
          {},
        );
        expect(jaLength(n?.ja ?? '')).toBeLessThanOrEqual(SHORT_LABEL_MAX);
        expect(n?.ja).not.toBe('');
      }),
    );
  });
});
