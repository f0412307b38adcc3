import { describe, expect, it } from 'vitest';
import { mailKit } from '../../../test/helpers/mail-channel.ts';
import { beginMail } from './mail-state.ts';

const { mail, screen, tools } = mailKit();

describe('mail channel', () => {
  it('screens its example and keeps no body or recipient address in what the log stores', async () => {
    const verdict = await screen(mail.example);
    expect(verdict.channel).toBe('mail');
    const event = {
      id: 'e',
      orgId: 'o',
      channel: 'mail',
      receivedAt: '2026-01-15T00:00:00Z',
      payload: mail.example,
    };
    const state = await beginMail(event);
    expect(state.from?.domain).toBe('amazon-co-jp.account-verify.example');
    expect(state.subject).toBe('【重要】アカウントが停止されました');
    expect(state.urls.map((u) => u.host)).toContain('amazon-co-jp.account-verify.example');
    const stored = JSON.stringify(
      mail.redact?.(mail.example, tools, {
        event,
        now: new Date(),
        settings: {},
        state,
        enriched: () => undefined,
      }),
    );
    expect(stored).not.toContain('user@example.jp');
    expect(stored).not.toContain('24時間以内');
  });

  it('refuses a payload with both or neither of raw and rawBase64, naming raw', () => {
    for (const bad of [
      { envelope: { rcptTo: ['a@b.c'] } },
      { raw: 'x', rawBase64: 'eA==', envelope: { rcptTo: ['a@b.c'] } },
    ]) {
      const parsed = mail.schema.safeParse(bad);
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues[0]?.path).toEqual(['raw']);
    }
  });

  it('reads a message that is not MIME at all without throwing', async () => {
    const event = {
      id: 'e',
      orgId: 'o',
      channel: 'mail',
      receivedAt: '2026-01-15T00:00:00Z',
      payload: { raw: '\u0000\u0001garbage with no headers', envelope: { rcptTo: ['a@b.c'] } },
    };
    const state = await beginMail(event);
    expect(state.fromCount).toBe(0);
  });
});

describe('mail indicators', () => {
  it('takes the addresses and phone numbers of the subject and text, the links, the senders and the client IP', async () => {
    const payload = mail.schema.parse({
      raw: 'From: Shop <shop@sender.example>\r\nReply-To: help@reply.example\r\nSubject: 至急 090-1234-5678\r\n\r\nご連絡は support@evil.example まで。https://login.evil.example/a\r\n',
      envelope: { clientIp: '198.51.100.7', mailFrom: 'bounce@sender.example', rcptTo: ['user@example.jp'] },
    });
    const event = { id: 'e', orgId: 'o', channel: 'mail', receivedAt: '2026-01-15T00:00:00Z', payload };
    const state = await beginMail(event);
    const refs = mail.extract(payload, tools, {
      event,
      now: new Date(),
      settings: {},
      state,
      enriched: () => undefined,
    });
    const types = new Set(refs.map((r) => `${r.type}:${r.field}`));
    for (const t of [
      'ip:envelope.clientIp',
      'email:from',
      'domain:replyTo',
      'email:text',
      'phone:text',
      'url:links',
    ])
      expect(types).toContain(t);
    expect(refs.some((r) => r.type === 'email' && r.value === 'user@example.jp')).toBe(false);
  });
});
