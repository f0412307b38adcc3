/**
 * The quarantine through the whole of Mamoru (E4), on PGlite and, with
 * DATABASE_URL, PostgreSQL: a mail screened by `Mamoru.screen` under a
 * strict policy is held, logged and quarantined; an appeal opens a case
 * through the `cases` Mamoru gives the channels; the reviewer's approval
 * reaches the channel through the outcome queue and the mail is delivered
 * to a loopback SMTP next hop. When the quarantine cannot be written, the
 * screening fails (the milter's 451): the mail is never accepted and lost.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mamoruBackends, type OpenedMamoru } from '../../../test/helpers/mamoru-backends.ts';
import { type SmtpSink, startSmtpSink } from '../../../test/helpers/smtp-sink.ts';
import type { Actor } from '../../cases/roles.ts';
import type { OperationContext } from '../../core/index.ts';
import type { Mamoru } from '../../mamoru.ts';
import { CHANNEL_PLUGINS } from '../registry.ts';
import { createMailChannel, mailDb, mailPlugin } from './index.ts';
import { ReputationStore } from './reputation.ts';

let sink: SmtpSink;
let received: SmtpSink['received'] = [];
let port = 0;

beforeAll(async () => {
  sink = await startSmtpSink();
  received = sink.received;
  port = sink.port;
});
afterAll(() => sink.close());

const RAW = [
  'From: Support <support@lure-flow.example>',
  'To: user@example.jp',
  'Subject: =?UTF-8?B?44Ki44Kr44Km44Oz44OI56K66KqN?=',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=UTF-8',
  '',
  'アカウントを確認してください https://lure-flow.example/login',
  '',
].join('\r\n');

for (const backend of mamoruBackends()) {
  describe(`quarantine through Mamoru on ${backend.name}`, () => {
    let opened: OpenedMamoru;
    let mamoru: Mamoru;
    let admin: Actor;
    const ctx = (params: Record<string, string> = {}): OperationContext => ({
      actor: admin,
      params,
      signal: new AbortController().signal,
    });
    // biome-ignore lint/suspicious/noExplicitAny: the channel's operations are erased
    const run = (name: string, input: unknown, params: Record<string, string> = {}): Promise<any> => {
      const o = mamoru.channel('mail').operations?.find((x) => x.name === name);
      if (!o || o.input.kind === 'records') throw new Error(name);
      // biome-ignore lint/suspicious/noExplicitAny: as above
      return (o as any).run(o.input.schema.parse(input), ctx(params));
    };

    beforeAll(async () => {
      const plugins = CHANNEL_PLUGINS.map((p) =>
        p.name === 'mail'
          ? {
              ...mailPlugin,
              create: (deps: Parameters<typeof mailPlugin.create>[0]) =>
                createMailChannel(deps, {
                  dns: 'off',
                  authServId: 'mx.test.example',
                  releaseSmtp: `smtp://127.0.0.1:${port}`,
                }),
            }
          : p,
      );
      opened = await backend.open({ plugins });
      mamoru = opened.mamoru;
      const boot = await mamoru.bootstrap({ demo: false });
      if (!boot) throw new Error('bootstrap created nothing');
      admin = { id: 'key_admin', role: 'admin', orgId: boot.orgId };
      // Every mail from a new sender (MAIL_SENDER_NEW, 1.5) is held: the flow does not depend on other detectors.
      // The organisation has watched senders for a year (a new installation calls no sender new).
      await new ReputationStore(mailDb(mamoru.store)).count(
        admin.orgId,
        [{ kind: 'from', key: 'seed.example.jp' }],
        false,
        new Date(Date.now() - 365 * 86_400_000),
      );
      await mamoru.putPolicy(admin, 'mail', {
        ...mamoru.defaultPolicy('mail'),
        thresholds: { warn: 0.5, hold: 1, block: 1000 },
      });
    }, 60_000);
    afterAll(() => opened?.close());

    it('held → quarantined → appealed → approved → delivered, with labels and the case closed', async () => {
      const verdict = await mamoru.screen(admin, 'mail', {
        raw: RAW,
        envelope: { clientIp: '192.0.2.10', mailFrom: 'b@lure-flow.example', rcptTo: ['user@example.jp'] },
      });
      expect(verdict.action).toBe('hold');
      expect(verdict.case).toBeUndefined();
      const list = await run('quarantine-list', { recipient: 'user@example.jp' });
      const item = list.items.find((i: { decisionId: string }) => i.decisionId === verdict.id);
      expect(item).toMatchObject({ status: 'quarantined', subject: 'アカウント確認', appeal: null });

      const appeal = await run(
        'quarantine-appeal',
        { reason: '自社の通知です / our own notice' },
        { id: item.id },
      );
      const opened = await mamoru.cases.get(admin.orgId, appeal.caseId);
      expect(opened).toMatchObject({
        status: 'open',
        channel: 'mail',
        action: 'hold',
        decisionId: verdict.id,
      });

      await mamoru.cases.resolve(admin, appeal.caseId, { resolution: 'approved', reason: '正規 / genuine' });
      await mamoru.outcomes.drain();
      const shown = await run('quarantine-show', {}, { id: item.id });
      expect(shown).toMatchObject({
        status: 'released',
        appeal: { caseId: appeal.caseId, status: 'approved' },
      });
      const got = received.at(-1);
      expect(got?.to).toEqual(['user@example.jp']);
      expect(got?.bytes.toString('utf8')).toMatch(
        new RegExp(`^X-Mamoru-Released: \\S+ by key_admin; decision ${verdict.id}\\r\\n`),
      );
      const labels = await run('labels-export', {});
      expect(labels.items).toContainEqual(
        expect.objectContaining({ decisionId: verdict.id, label: 'legit', source: 'appeal' }),
      );
    });

    it('when the quarantine cannot be written, the screening fails after the verdict is logged (→ 451)', async () => {
      await sql`drop table mail_quarantine`.execute(mamoru.store.db);
      await expect(
        mamoru.screen(admin, 'mail', {
          raw: RAW,
          envelope: { mailFrom: 'b@lure-flow.example', rcptTo: ['x@example.jp'] },
        }),
      ).rejects.toBeDefined();
      // An allowed mail still goes through: only held mail needs the quarantine.
      await mamoru.putPolicy(admin, 'mail', mamoru.defaultPolicy('mail'));
      const ok = await mamoru.screen(admin, 'mail', {
        raw: 'From: Hanako <hanako@other-flow.example>\r\nTo: x@example.jp\r\nSubject: lunch\r\n\r\nSee you at noon.\r\n',
        envelope: { rcptTo: ['x@example.jp'] },
      });
      expect(ok.action).not.toBe('hold');
    });
  });
}
