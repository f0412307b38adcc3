/**
 * The mail quarantine (E4) on PGlite and, with DATABASE_URL, PostgreSQL:
 * record of held mail (bytes kept exactly, addresses and keyed hashes),
 * failing record when the database is gone (the milter then answers 451),
 * list/show/release/appeal operations, release by SMTP to a real
 * `smtp-server` on loopback (bytes unchanged but for the prepended header),
 * appeal → case → outcome → release and label, expiry, labels export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SunkMessage as Received, startSmtpSink } from '../../../test/helpers/smtp-sink.ts';
import { storeBackends, unusedIntel } from '../../../test/helpers/stores.ts';
import { CaseService, OUTCOME_LEASE_MS } from '../../cases/case-service.ts';
import { OutcomeBus } from '../../cases/outcome-bus.ts';
import {
  type ChannelOperation,
  createEngine,
  type OperationContext,
  policyDocumentSchema,
  type Verdict,
} from '../../core/index.ts';
import { createExtractTools } from '../../intel/extract-tools.ts';
import { createKeyedHasher } from '../../intel/keyed-hash.ts';
import type { Store } from '../../store/index.ts';
import { createMailChannel, type MailChannel, type MailScreening } from './index.ts';
import { mailDb } from './mail-part.ts';
import { releasedHeader } from './release.ts';
import { recipientKey } from './strength.ts';

/** A next hop on 127.0.0.1 that keeps what it receives; `refuse` makes it answer 451 to DATA. */
const nextHop = () => startSmtpSink();

const RAW = [
  'From: "Amazon.co.jp" <account-update@amazon-co-jp.account-verify.example>',
  'To: user@example.jp, other@example.jp',
  'Subject: =?UTF-8?B?44CQ6YeN6KaB44CR44Ki44Kr44Km44Oz44OI44GM5YGc5q2i44GV44KM44G+44GX44Gf?=',
  'Date: Thu, 15 Jan 2026 09:30:00 +0900',
  'Message-ID: <q-1@account-verify.example>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=UTF-8',
  'Content-Transfer-Encoding: 8bit',
  '',
  'お客様のアカウントが停止されました。24時間以内に下記より確認してください。',
  '.a line starting with a dot survives dot-stuffing',
  'https://amazon-co-jp.account-verify.example/login',
  '',
].join('\r\n');

const ORG = 'org_a';
const operator = { id: 'key_operator', orgId: ORG, role: 'admin' };

function ctx(
  params: Record<string, string> = {},
  actor: OperationContext['actor'] = operator,
): OperationContext {
  return { actor, params, signal: new AbortController().signal };
}

function op(mail: MailChannel, name: string): ChannelOperation {
  const found = mail.operations?.find((o) => o.name === name);
  if (!found) throw new Error(`no operation ${name}`);
  return found;
}

// biome-ignore lint/suspicious/noExplicitAny: operations' inputs and outputs are erased in the channel's list
async function run(mail: MailChannel, name: string, input: unknown, c = ctx()): Promise<any> {
  const o = op(mail, name);
  if (o.input.kind === 'records') throw new Error('not a records operation');
  const parsed = o.input.schema.parse(input);
  // biome-ignore lint/suspicious/noExplicitAny: as above
  return (o as any).run(parsed, c);
}

async function waitFor(check: () => Promise<boolean>, ms = 15_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

let hop: Awaited<ReturnType<typeof nextHop>>;
beforeAll(async () => {
  hop = await nextHop();
});
afterAll(async () => {
  await hop.close();
});

for (const backend of storeBackends()) {
  describe(`mail quarantine (E4) on ${backend.name}`, () => {
    let store: Store;
    let mail: MailChannel;
    let cases: CaseService;
    const hasher = createKeyedHasher('mail-quarantine-test-key-0123456789');
    const tools = createExtractTools(hasher);
    let n = 0;

    beforeAll(async () => {
      store = await backend.open();
      await store.db.insertInto('organisations').values({ id: ORG, name: ORG }).execute();
      const outcomes = new OutcomeBus();
      cases = new CaseService({ db: store.db, outcomes });
      mail = createMailChannel(
        { db: store.db, hasher, decisions: store.decisions, intel: unusedIntel, cases },
        { dns: 'off', authServId: 'mx.test.example', releaseSmtp: `smtp://127.0.0.1:${hop.port}` },
      );
      const act = mail.onOutcome;
      if (act) outcomes.subscribe('mail', (o) => act(o));
    }, 60_000);
    afterAll(() => store?.close());

    /** Screen a mail and record it as held (the action forced: detectors of other parts decide nothing here). */
    async function hold(
      raw = RAW,
      envelope: Record<string, unknown> = {},
      action: Verdict['action'] = 'hold',
    ): Promise<{ verdict: Verdict; screening: MailScreening }> {
      const engine = createEngine({ channels: [mail] });
      const policy = { version: 0, document: policyDocumentSchema.parse(mail.defaultPolicy) };
      n += 1;
      const payload = mail.schema.parse({
        raw,
        envelope: {
          clientIp: '203.0.113.7',
          mailFrom: 'bounce@account-verify.example',
          rcptTo: ['User@Example.jp', 'other@example.jp'],
          ...envelope,
        },
        mta: 'mx1.example.jp',
      });
      const { verdict, screening } = await engine.screen({
        event: { id: `evt_${n}`, orgId: ORG, channel: 'mail', receivedAt: new Date().toISOString(), payload },
        policy,
        tools,
        intel: { lookup: async () => [] },
      });
      const held: Verdict = { ...verdict, action, score: Math.max(verdict.score, 9) };
      await store.decisions.append(held, {});
      await mail.record?.(held, screening as MailScreening);
      return { verdict: held, screening: screening as MailScreening };
    }

    async function itemOf(decisionId: string) {
      const page = await run(mail, 'quarantine-list', { limit: '200' });
      return page.items.find((i: { decisionId: string }) => i.decisionId === decisionId);
    }

    it('keeps a held mail: exact bytes, recipients in clear and as keyed hashes, summary, expiry 30 days out', async () => {
      const { verdict } = await hold();
      const row = await mailDb(store)
        .selectFrom('mail_quarantine')
        .selectAll()
        .where('decision_id', '=', verdict.id)
        .executeTakeFirstOrThrow();
      expect(Buffer.from(row.message as Uint8Array).equals(Buffer.from(RAW, 'utf8'))).toBe(true);
      expect(row.recipients).toEqual(['User@Example.jp', 'other@example.jp']);
      expect(row.recipient_keys).toEqual([
        recipientKey(hasher, 'user@example.jp'),
        recipientKey(hasher, 'other@example.jp'),
      ]);
      expect(row.recipient_keys[0]).not.toContain('example');
      expect(row.mail_from).toBe('bounce@account-verify.example');
      expect(row.origin).toBe('mta:mx1.example.jp');
      const item = await itemOf(verdict.id);
      expect(item).toMatchObject({
        decisionId: verdict.id,
        from: 'account-update@amazon-co-jp.account-verify.example',
        subject: '【重要】アカウントが停止されました',
        action: 'hold',
        status: 'quarantined',
        appeal: null,
        size: Buffer.byteLength(RAW),
      });
      expect(item.summary.ja.length).toBeGreaterThan(0);
      const days = (Date.parse(item.expiresAt) - Date.parse(item.receivedAt)) / 86_400_000;
      expect(days).toBeGreaterThan(29.9);
      expect(days).toBeLessThan(30.1);
    });

    it('quarantines review and step_up verdicts too, and nothing for allow, warn or block', async () => {
      const review = await hold(RAW, {}, 'review');
      const stepUp = await hold(RAW, {}, 'step_up');
      const allowed = await hold(RAW, {}, 'allow');
      const warned = await hold(RAW, {}, 'warn');
      const blocked = await hold(RAW, {}, 'block');
      expect(await itemOf(review.verdict.id)).toBeDefined();
      expect(await itemOf(stepUp.verdict.id)).toBeDefined();
      expect(await itemOf(allowed.verdict.id)).toBeUndefined();
      expect(await itemOf(warned.verdict.id)).toBeUndefined();
      expect(await itemOf(blocked.verdict.id)).toBeUndefined();
    });

    it('lists per recipient by keyed hash, newest first, paged with a cursor; another origin sees none', async () => {
      const a = await hold(RAW, { rcptTo: ['solo-list@example.jp'] });
      const b = await hold(RAW, { rcptTo: ['solo-list@example.jp', 'x@example.jp'] });
      const first = await run(mail, 'quarantine-list', { recipient: 'Solo-List@EXAMPLE.jp', limit: '1' });
      expect(first.items.map((i: { decisionId: string }) => i.decisionId)).toEqual([b.verdict.id]);
      expect(first.nextCursor).not.toBeNull();
      const second = await run(mail, 'quarantine-list', {
        recipient: 'solo-list@example.jp',
        limit: '1',
        cursor: first.nextCursor,
      });
      expect(second.items.map((i: { decisionId: string }) => i.decisionId)).toEqual([a.verdict.id]);
      expect(second.nextCursor).toBeNull();
      const bound = { ...operator, role: 'reviewer', origin: 'mta:other.example.jp' };
      const none = await run(mail, 'quarantine-list', { recipient: 'solo-list@example.jp' }, ctx({}, bound));
      expect(none.items).toEqual([]);
      const own = await run(
        mail,
        'quarantine-list',
        { recipient: 'solo-list@example.jp' },
        ctx(
          {},
          {
            ...bound,
            origin: 'mta:mx1.example.jp',
          },
        ),
      );
      expect(own.items).toHaveLength(2);
    });

    it('shows one mail with headers, a text preview and the reasons; not_found for another org', async () => {
      const { verdict } = await hold();
      const item = await itemOf(verdict.id);
      const shown = await run(mail, 'quarantine-show', {}, ctx({ id: item.id }));
      expect(shown.headers).toContainEqual({ name: 'message-id', value: '<q-1@account-verify.example>' });
      expect(shown.textPreview).toContain('アカウントが停止されました');
      expect(Array.isArray(shown.reasons)).toBe(true);
      await expect(
        run(mail, 'quarantine-show', {}, ctx({ id: item.id }, { ...operator, orgId: 'org_b' })),
      ).rejects.toMatchObject({ code: 'not_found' });
    });

    it('releases by SMTP: the original envelope, the exact bytes behind one prepended header; twice is a 409', async () => {
      const { verdict } = await hold();
      const item = await itemOf(verdict.id);
      const before = hop.received.length;
      const out = await run(mail, 'quarantine-release', {}, ctx({ id: item.id }));
      expect(out).toMatchObject({
        id: item.id,
        status: 'released',
        releasedTo: ['User@Example.jp', 'other@example.jp'],
      });
      expect(hop.received).toHaveLength(before + 1);
      const got = hop.received.at(-1) as Received;
      expect(got.from).toBe('bounce@account-verify.example');
      expect(got.to.map((t) => t.toLowerCase())).toEqual(['user@example.jp', 'other@example.jp']);
      const text = got.bytes.toString('utf8');
      const header = /^X-Mamoru-Released: (\S+) by key_operator; decision (\S+)\r\n/.exec(text);
      expect(header?.[2]).toBe(verdict.id);
      expect(Number.isNaN(Date.parse(header?.[1] ?? ''))).toBe(false);
      // Everything after the header is the message as received (the SMTP server undoes dot-stuffing).
      expect(got.bytes.subarray(Buffer.byteLength(header?.[0] ?? '')).equals(Buffer.from(RAW, 'utf8'))).toBe(
        true,
      );
      await expect(run(mail, 'quarantine-release', {}, ctx({ id: item.id }))).rejects.toMatchObject({
        code: 'conflict',
      });
      const released = await run(mail, 'quarantine-list', { status: 'released', limit: '200' });
      expect(released.items.map((i: { id: string }) => i.id)).toContain(item.id);
      const labels = await run(mail, 'labels-export', {});
      expect(labels.items).toContainEqual(
        expect.objectContaining({
          decisionId: verdict.id,
          label: 'legit',
          source: 'release',
          by: 'key_operator',
        }),
      );
    });

    it('releases a bounce with the null sender (MAIL FROM:<>)', async () => {
      const { verdict } = await hold(RAW, { mailFrom: undefined });
      const item = await itemOf(verdict.id);
      await run(mail, 'quarantine-release', {}, ctx({ id: item.id }));
      expect((hop.received.at(-1) as Received).from).toBe('');
    });

    it('releases to a subset of recipients; a recipient not of the mail is a 400', async () => {
      const { verdict } = await hold();
      const item = await itemOf(verdict.id);
      await expect(
        run(mail, 'quarantine-release', { recipients: ['stranger@example.jp'] }, ctx({ id: item.id })),
      ).rejects.toMatchObject({ code: 'validation_failed' });
      const out = await run(
        mail,
        'quarantine-release',
        { recipients: ['user@example.jp'] },
        ctx({ id: item.id }),
      );
      expect(out.releasedTo).toEqual(['User@Example.jp']);
      // The test server lower-cases the domain it was given.
      expect((hop.received.at(-1) as Received).to.map((t) => t.toLowerCase())).toEqual(['user@example.jp']);
    });

    it('an SMTP failure is a 503 (not_ready) and the mail stays quarantined, releasable later', async () => {
      const { verdict } = await hold();
      const item = await itemOf(verdict.id);
      hop.refuse.on = true;
      try {
        await expect(run(mail, 'quarantine-release', {}, ctx({ id: item.id }))).rejects.toMatchObject({
          code: 'not_ready',
        });
      } finally {
        hop.refuse.on = false;
      }
      expect((await itemOf(verdict.id)).status).toBe('quarantined');
      await expect(run(mail, 'quarantine-release', {}, ctx({ id: item.id }))).resolves.toMatchObject({
        status: 'released',
      });
    });

    it('an appeal opens one hold case with details and no body; approval releases the mail and labels it legit', async () => {
      const { verdict } = await hold();
      const item = await itemOf(verdict.id);
      const before = hop.received.length;
      const appeal = await run(
        mail,
        'quarantine-appeal',
        { reason: '取引先の正規メールです' },
        ctx({ id: item.id }),
      );
      expect(appeal.id).toBe(item.id);
      const opened = await cases.get(ORG, appeal.caseId);
      expect(opened.action).toBe('hold');
      expect(opened.decisionId).toBe(verdict.id);
      const details = (opened.summary as { details?: Record<string, unknown> }).details;
      expect(details).toMatchObject({
        from: 'account-update@amazon-co-jp.account-verify.example',
        recipients: 2,
        appeal: '取引先の正規メールです',
      });
      expect(JSON.stringify(details)).not.toContain('24時間以内');
      expect((await itemOf(verdict.id)).appeal).toEqual({
        caseId: appeal.caseId,
        status: 'open',
        reason: '取引先の正規メールです',
      });
      await expect(
        run(mail, 'quarantine-appeal', { reason: 'again' }, ctx({ id: item.id })),
      ).rejects.toMatchObject({ code: 'conflict' });
      await cases.resolve({ id: 'usr_reviewer', role: 'reviewer', orgId: ORG }, appeal.caseId, {
        resolution: 'approved',
        reason: '正規の請求書 / a genuine invoice',
      });
      const show = () => run(mail, 'quarantine-show', {}, ctx({ id: item.id }));
      await waitFor(async () => (await show()).status === 'released');
      const shown = await show();
      expect(shown.status).toBe('released');
      expect(shown.appeal.status).toBe('approved');
      expect(hop.received.length).toBe(before + 1);
      expect((hop.received.at(-1) as Received).bytes.toString('utf8')).toMatch(
        /^X-Mamoru-Released: \S+ by usr_reviewer;/,
      );
      const labels = await run(mail, 'labels-export', {});
      expect(labels.items).toContainEqual(
        expect.objectContaining({ decisionId: verdict.id, label: 'legit', source: 'appeal' }),
      );
    });

    it('an approved appeal whose delivery fails stays approved and quarantined; the outcome sweep delivers it later', async () => {
      const { verdict } = await hold();
      const item = await itemOf(verdict.id);
      const appeal = await run(mail, 'quarantine-appeal', { reason: 'ours' }, ctx({ id: item.id }));
      hop.refuse.on = true;
      try {
        await cases.resolve({ id: 'usr_reviewer', role: 'reviewer', orgId: ORG }, appeal.caseId, {
          resolution: 'approved',
          reason: 'genuine',
        });
        await waitFor(async () => (await itemOf(verdict.id))?.appeal?.status === 'approved');
        // The failed delivery is settled (its claim given back) before the sweep may take it again.
        await new Promise((r) => setTimeout(r, 200));
        expect((await itemOf(verdict.id)).status).toBe('quarantined');
      } finally {
        hop.refuse.on = false;
      }
      await waitFor(async () => {
        await cases.redeliverOutcomes(new Date(Date.now() + OUTCOME_LEASE_MS + 60_000));
        return (await itemOf(verdict.id)) === undefined;
      });
      const shown = await run(mail, 'quarantine-show', {}, ctx({ id: item.id }));
      expect(shown).toMatchObject({ status: 'released', appeal: { status: 'approved' } });
    });

    it('a denied appeal keeps the mail and labels it fraud; the export gives the message with withMessage', async () => {
      const { verdict } = await hold();
      const item = await itemOf(verdict.id);
      const appeal = await run(mail, 'quarantine-appeal', { reason: 'not fraud' }, ctx({ id: item.id }));
      await cases.resolve({ id: 'usr_reviewer', role: 'reviewer', orgId: ORG }, appeal.caseId, {
        resolution: 'denied',
        reason: 'フィッシング / phishing',
      });
      await waitFor(async () => (await itemOf(verdict.id))?.appeal?.status === 'denied');
      expect((await itemOf(verdict.id)).status).toBe('quarantined');
      let cursor: string | undefined;
      const all: { decisionId: string; label: string; source: string; rawBase64?: string | null }[] = [];
      for (;;) {
        const page = await run(mail, 'labels-export', {
          limit: '2',
          withMessage: 'true',
          ...(cursor ? { cursor } : {}),
        });
        all.push(...page.items);
        if (!page.nextCursor) break;
        cursor = page.nextCursor;
      }
      const fraud = all.find((l) => l.decisionId === verdict.id);
      expect(fraud).toMatchObject({ label: 'fraud', source: 'appeal' });
      expect(Buffer.from(fraud?.rawBase64 ?? '', 'base64').toString('utf8')).toBe(RAW);
      expect(new Set(all.map((l) => `${l.decisionId}|${l.source}`)).size).toBe(all.length);
    });

    it('expires mail past its retention in bounded batches: bytes dropped, status expired, not releasable', async () => {
      const { verdict } = await hold();
      const item = await itemOf(verdict.id);
      await mailDb(store)
        .updateTable('mail_quarantine')
        .set({ expires_at: new Date(Date.now() - 1000) })
        .where('id', '=', item.id)
        .execute();
      const out = await run(mail, 'quarantine-expire', {});
      expect(out.expired).toBeGreaterThanOrEqual(1);
      const row = await mailDb(store)
        .selectFrom('mail_quarantine')
        .select(['status', 'message'])
        .where('id', '=', item.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'expired', message: null });
      await expect(run(mail, 'quarantine-release', {}, ctx({ id: item.id }))).rejects.toMatchObject({
        code: 'conflict',
      });
      expect((await run(mail, 'quarantine-expire', {})).expired).toBe(0);
    });

    it('deletes a quarantined mail: bytes dropped, status deleted, then neither releasable nor deletable', async () => {
      const { verdict } = await hold();
      const item = await itemOf(verdict.id);
      await expect(run(mail, 'quarantine-delete', {}, ctx({ id: item.id }))).resolves.toEqual({
        id: item.id,
        status: 'deleted',
      });
      const deleted = await run(mail, 'quarantine-list', { status: 'deleted', limit: '200' });
      expect(deleted.items.map((i: { id: string }) => i.id)).toContain(item.id);
      const shown = await run(mail, 'quarantine-show', {}, ctx({ id: item.id }));
      expect(shown).toMatchObject({ status: 'deleted', headers: [], textPreview: '' });
      await expect(run(mail, 'quarantine-release', {}, ctx({ id: item.id }))).rejects.toMatchObject({
        code: 'conflict',
      });
      await expect(run(mail, 'quarantine-delete', {}, ctx({ id: item.id }))).rejects.toMatchObject({
        code: 'conflict',
      });
    });

    it('the header a release prepends is one line whatever the actor id holds', () => {
      expect(releasedHeader(new Date(0), 'a\r\nBcc: x', 'dec_1')).toBe(
        'X-Mamoru-Released: 1970-01-01T00:00:00.000Z by a Bcc: x; decision dec_1\r\n',
      );
    });

    it('the record fails (so the milter answers 451) when the database is gone', async () => {
      const { screening, verdict } = await hold();
      const gone = await backend.open();
      const broken = createMailChannel(
        { db: gone.db, hasher, decisions: gone.decisions, intel: unusedIntel },
        { dns: 'off', releaseSmtp: `smtp://127.0.0.1:${hop.port}` },
      );
      await gone.close();
      await expect(broken.record?.({ ...verdict, id: 'dec_gone' }, screening)).rejects.toBeDefined();
    });
  });
}
