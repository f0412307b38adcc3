/**
 * The quarantine part of the mail channel (measures E4: 誤遮断 — quarantine
 * instead of silent loss, release, appeals as cases, training labels; E1:
 * per-recipient strength). A verdict of `hold` (and `review`, `step_up`:
 * a mail cannot wait for a person, so those are quarantined too) keeps the
 * message in `mail_quarantine` in the channel's `record`; when that write
 * fails the screening fails and the milter answers 451, so the MTA keeps
 * the mail: never accepted and lost.
 *
 * Operations (`/v1/mail/<path>`, `mamoru mail <name>`), a contract the
 * console builds on:
 * - `GET quarantine` (`quarantine-list`), `GET quarantine/:id` (`quarantine-show`)
 *   — permission `cases:read` (a key bound to an origin `mta:<host>` sees that
 *   MTA's mail only);
 * - `POST quarantine/:id/release` (`quarantine-release`) and
 *   `POST quarantine/:id/appeal` (`quarantine-appeal`) — `cases:resolve`;
 * - `POST quarantine/:id/delete` (`quarantine-delete`) and `POST
 *   quarantine/expire` (`quarantine-expire`) — `cases:resolve`;
 * - `GET labels` (`labels-export`) — `cases:read`;
 * - `GET strength` / `POST strength` (`strength-show` / `strength-set`) —
 *   `subscribers:read` / `subscribers:write`, as the message channel's
 *   subscriber settings.
 */
import PostalMime from 'postal-mime';
import { z } from 'zod';
import {
  type ChannelOperation,
  type ChannelOutcome,
  defineOperation,
  type FieldIssue,
  MamoruError,
  type Verdict,
} from '../../core/index.ts';
import type { ChannelDeps } from '../channel-deps.ts';
import type { MailChannelOptions } from './index.ts';
import { type MailPart, type MailScreening, mailDb } from './mail-part.ts';
import { PARSE_LIMITS } from './mail-state.ts';
import { publicItem, type QuarantineRecord, QuarantineStore } from './quarantine-store.ts';
import { reinject } from './release.ts';
import { mailSenders, parseSenderRefs, REPUTATION, ReputationStore, senderRefs } from './reputation.ts';
import {
  DEFAULT_STRENGTH,
  mailThresholds,
  RECIPIENTS,
  recipientKey,
  strengthParts,
  strengthSettingsIssues,
} from './strength.ts';
import { QUARANTINE_STATUSES } from './tables.ts';

/** Actions whose mail is quarantined: the hold, and the verdicts that wait for a person (mail cannot wait). */
export const QUARANTINED_ACTIONS: ReadonlySet<string> = new Set(['hold', 'review', 'step_up']);
/** Default retention of a quarantined mail (`settings.quarantine.retentionDays`). */
export const DEFAULT_RETENTION_DAYS = 30;
const MAX_RETENTION_DAYS = 3650;
const DAY_MS = 86_400_000;
const MAX_HEADERS_SHOWN = 100;
const PREVIEW_CHARS = 2000;

/** `settings.quarantine`. */
export interface QuarantineSettings {
  readonly retentionDays: number;
}

function quarantineSettings(settings: Readonly<Record<string, unknown>>): QuarantineSettings {
  const q = settings.quarantine as Partial<QuarantineSettings> | undefined;
  const days = q?.retentionDays;
  return {
    retentionDays:
      typeof days === 'number' && Number.isFinite(days) && days > 0
        ? Math.min(days, MAX_RETENTION_DAYS)
        : DEFAULT_RETENTION_DAYS,
  };
}

/** What is wrong with `settings.quarantine`: `{ retentionDays }`, a number from 1 to 3650. */
export function quarantineSettingsIssues(settings: Readonly<Record<string, unknown>>): FieldIssue[] {
  const q = settings.quarantine;
  if (q === undefined) return [];
  if (typeof q !== 'object' || q === null || Array.isArray(q))
    return [
      {
        path: 'settings.quarantine',
        message: 'must be an object { retentionDays }',
        ja: '{ retentionDays } の形のオブジェクトで指定してください',
      },
    ];
  const issues: FieldIssue[] = [];
  for (const [key, value] of Object.entries(q)) {
    if (key !== 'retentionDays') {
      issues.push({
        path: `settings.quarantine.${key}`,
        message: 'is not a known field',
        ja: '不明な項目です',
      });
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > MAX_RETENTION_DAYS)
      issues.push({
        path: 'settings.quarantine.retentionDays',
        message: `must be a number of days from 1 to ${MAX_RETENTION_DAYS}`,
        ja: `1 以上 ${MAX_RETENTION_DAYS} 以下の日数で指定してください`,
      });
  }
  return issues;
}

/** What a reviewer of an appeal sees beside the verdict: who, what, how many recipients, why — never the body. */
export function appealDetails(
  mail: { from: string | null; subject: string; recipients: number },
  verdict: Pick<Verdict, 'reasons'>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    from: mail.from,
    subject: mail.subject,
    recipients: mail.recipients,
    reasons: verdict.reasons.slice(0, 10).map((r) => ({ signal: r.signal, ja: r.ja, en: r.en })),
    ...extra,
  };
}

const conflict = (message: string, ja: string) => new MamoruError('conflict', `${ja} / ${message}`);

const summarySchema = z.object({ ja: z.string(), en: z.string() });
const itemSchema = z.object({
  id: z.string(),
  decisionId: z.string(),
  recipients: z.array(z.string()),
  from: z.string().nullable(),
  subject: z.string(),
  score: z.number(),
  action: z.string(),
  summary: summarySchema,
  receivedAt: z.string(),
  expiresAt: z.string(),
  status: z.enum(QUARANTINE_STATUSES),
  size: z.number().int(),
  releasedAt: z.string().nullable(),
  releasedTo: z.array(z.string()),
  appeal: z.object({ caseId: z.string(), status: z.string(), reason: z.string() }).nullable(),
});
const cursorField = z
  .string()
  .min(1)
  .max(400)
  .optional()
  .describe('前のページの nextCursor / the nextCursor of the previous page');

/**
 * The quarantine with its operations, the appeal outcome, the recipients'
 * strength (enrichment, thresholds hook, operations) and the appeal case's
 * details.
 */
export function quarantinePart(deps: ChannelDeps, options: MailChannelOptions): MailPart {
  const db = mailDb(deps);
  const store = new QuarantineStore(db);
  const reputation = new ReputationStore(db);
  const strength = strengthParts(deps);

  /** Deliver a quarantined mail; labels it legit and credits its senders. */
  async function release(
    orgId: string,
    row: QuarantineRecord,
    actor: string,
    recipients: readonly string[] | undefined,
    source: 'release' | 'appeal',
  ): Promise<{ id: string; status: 'released'; releasedTo: string[]; messageId?: string }> {
    if (row.status === 'released')
      throw conflict(`mail ${row.id} was released already`, `メール ${row.id} は既に解放されています`);
    if (row.status !== 'quarantined')
      throw conflict(
        `mail ${row.id} is ${row.status}: nothing to release`,
        `メール ${row.id} は${row.status === 'expired' ? '保存期間を過ぎています' : '削除されています'}`,
      );
    let to = row.recipients;
    if (recipients !== undefined) {
      const known = new Map(row.recipients.map((r) => [r.toLowerCase(), r]));
      const unknown = recipients.filter((r) => !known.has(r.trim().toLowerCase()));
      if (unknown.length > 0)
        throw new MamoruError('validation_failed', 'recipients: not recipients of this mail', {
          issues: [
            {
              path: 'recipients',
              message: `not recipients of this mail: ${unknown.length}`,
              ja: `このメールの宛先ではないアドレスがあります（${unknown.length} 件）`,
            },
          ],
        });
      to = [...new Set(recipients.map((r) => known.get(r.trim().toLowerCase()) as string))];
    }
    if (!options.releaseSmtp)
      throw new MamoruError(
        'not_ready',
        '解放したメールの配送先（MAMORU_MAIL_RELEASE_SMTP）が設定されていません / no next hop for released mail (MAMORU_MAIL_RELEASE_SMTP)',
      );
    const now = new Date();
    if (!(await store.claim(orgId, row.id, actor, now))) {
      const again = await store.get(orgId, row.id);
      if (again.status === 'released')
        throw conflict(`mail ${row.id} was released already`, `メール ${row.id} は既に解放されています`);
      throw conflict(`mail ${row.id} is being released`, `メール ${row.id} は解放処理中です`);
    }
    let sent: Awaited<ReturnType<typeof reinject>>;
    try {
      const message = await store.message(orgId, row.id);
      if (!message)
        throw conflict(`mail ${row.id} is no longer kept`, `メール ${row.id} は保存されていません`);
      sent = await reinject(options.releaseSmtp, {
        mailFrom: row.mailFrom,
        to,
        message,
        decisionId: row.decisionId,
        actor,
        at: now,
      });
    } catch (error) {
      await store.unclaim(orgId, row.id);
      throw error;
    }
    const accepted = new Set(sent.accepted.map((a) => a.toLowerCase()));
    const releasedTo = to.filter((r) => accepted.has(r.toLowerCase()));
    await store.released(
      orgId,
      row.id,
      releasedTo.length > 0 ? releasedTo : sent.accepted,
      actor,
      new Date(),
    );
    await store.label(orgId, row.decisionId, 'legit', source, actor);
    await reputation.credit(orgId, parseSenderRefs(row.senders), source === 'appeal');
    return {
      id: row.id,
      status: 'released',
      releasedTo: releasedTo.length > 0 ? releasedTo : sent.accepted,
      ...(sent.messageId ? { messageId: sent.messageId } : {}),
    };
  }

  const operations: ChannelOperation[] = [
    defineOperation({
      name: 'quarantine-list',
      method: 'GET',
      path: 'quarantine',
      permission: 'cases:read',
      summary: { ja: '隔離メールの一覧', en: 'List quarantined mail' },
      description: {
        ja: '新しい順。recipient を指定するとその受信者宛てのメールだけ（キー付きハッシュで照合）。保存期間を過ぎたメールはこの時に期限切れにします。',
        en: "Newest first. With recipient, that recipient's mail only (matched by keyed hash). Mail past its retention is expired first.",
      },
      input: {
        kind: 'query',
        schema: z
          .object({
            recipient: z
              .string()
              .trim()
              .min(3)
              .max(320)
              .optional()
              .describe('受信者のアドレス / a recipient address'),
            status: z.enum(QUARANTINE_STATUSES).default('quarantined'),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: cursorField,
          })
          .strict(),
      },
      output: z.object({ items: z.array(itemSchema), nextCursor: z.string().nullable() }),
      run: async (input, ctx) => {
        await store.expire(new Date(), undefined, ctx.actor.orgId);
        return store.list(ctx.actor.orgId, {
          recipientKey:
            input.recipient === undefined ? undefined : recipientKey(deps.hasher, input.recipient),
          status: input.status,
          limit: input.limit,
          cursor: input.cursor,
          origin: ctx.actor.origin,
        });
      },
    }),
    defineOperation({
      name: 'quarantine-show',
      method: 'GET',
      path: 'quarantine/:id',
      permission: 'cases:read',
      summary: { ja: '隔離メールの詳細', en: 'Show a quarantined mail' },
      description: {
        ja: 'ヘッダー（先頭 100 件）、本文の先頭 2,000 文字、判定理由。',
        en: 'Its headers (the first 100), the first 2,000 characters of its text, and the reasons of its verdict.',
      },
      input: { kind: 'query', schema: z.object({}).strict() },
      output: itemSchema.extend({
        headers: z.array(z.object({ name: z.string(), value: z.string() })),
        textPreview: z.string(),
        reasons: z.array(z.object({ signal: z.string(), ja: z.string(), en: z.string() })),
      }),
      run: async (_input, ctx) => {
        const row = await store.get(ctx.actor.orgId, ctx.params.id as string, ctx.actor.origin);
        const bytes = await store.message(ctx.actor.orgId, row.id);
        let headers: { name: string; value: string }[] = [];
        let textPreview = '';
        if (bytes) {
          try {
            const email = await PostalMime.parse(bytes, {
              ...PARSE_LIMITS,
              attachmentEncoding: 'arraybuffer',
            });
            headers = email.headers.slice(0, MAX_HEADERS_SHOWN).map((h) => ({ name: h.key, value: h.value }));
            textPreview = (email.text ?? '').slice(0, PREVIEW_CHARS);
          } catch {
            // A message the parser cannot read is shown without headers or text; the bytes stay for release.
          }
        }
        const reasons = ((row.verdict as Verdict | undefined)?.reasons ?? []).map((r) => ({
          signal: r.signal,
          ja: r.ja,
          en: r.en,
        }));
        return { ...publicItem(row), headers, textPreview, reasons };
      },
    }),
    defineOperation({
      name: 'quarantine-release',
      path: 'quarantine/:id/release',
      permission: 'cases:resolve',
      summary: { ja: '隔離メールを解放（配送）', en: 'Release a quarantined mail (deliver it)' },
      description: {
        ja: '受信したままのメールに X-Mamoru-Released ヘッダーを一つ付けて、次の配送先へ SMTP で再投入します。送信者の評価が上がり、「正常」の学習ラベルになります。配送先が受け取らなければ 503 で、メールは隔離されたままです。二度目は 409。',
        en: 'Re-injects the mail as received, with one X-Mamoru-Released header prepended, to the next hop by SMTP. Raises the sender’s reputation and labels the mail legit for training. 503 when the next hop does not take it (the mail stays quarantined); 409 when released already.',
      },
      input: {
        kind: 'json',
        schema: z
          .object({
            recipients: z
              .array(z.string().trim().min(3).max(320))
              .min(1)
              .max(1000)
              .optional()
              .describe('解放する宛先（既定: すべて）/ the recipients to deliver to (default: all)'),
          })
          .strict(),
        examples: {
          all: { summary: 'すべての宛先へ / to every recipient', value: {} },
          one: { summary: '一人へ / to one recipient', value: { recipients: ['user@example.jp'] } },
        },
      },
      output: z.object({
        id: z.string(),
        status: z.literal('released'),
        releasedTo: z.array(z.string()),
        messageId: z.string().optional(),
      }),
      run: async (input, ctx) => {
        const row = await store.get(ctx.actor.orgId, ctx.params.id as string, ctx.actor.origin);
        return release(ctx.actor.orgId, row, ctx.actor.id, input.recipients, 'release');
      },
    }),
    defineOperation({
      name: 'quarantine-appeal',
      path: 'quarantine/:id/appeal',
      permission: 'cases:resolve',
      summary: { ja: '「詐欺ではない」と申し立てる', en: 'Appeal: "this is not fraud"' },
      description: {
        ja: '判定にケースを開きます（一通につき一件）。承認されるとメールを解放して「正常」、却下されると隔離のまま「詐欺」の学習ラベルになります。',
        en: 'Opens a case on the decision (one per mail). Approved: the mail is released and labelled legit; denied: it stays quarantined, labelled fraud.',
      },
      input: {
        kind: 'json',
        schema: z.object({ reason: z.string().trim().min(1).max(2000) }).strict(),
        examples: {
          receipt: {
            summary: '取引先からの請求書 / an invoice from a supplier',
            value: { reason: '取引先からの正規の請求書です / a genuine invoice from our supplier' },
          },
        },
      },
      output: z.object({ id: z.string(), caseId: z.string() }),
      status: () => 201,
      run: async (input, ctx) => {
        const orgId = ctx.actor.orgId;
        const row = await store.get(orgId, ctx.params.id as string, ctx.actor.origin);
        if (!deps.cases)
          throw new MamoruError('not_ready', 'ケース機能がありません / no case service to open an appeal on');
        if (row.appeal)
          throw conflict(
            `mail ${row.id} has an appeal already (case ${row.appeal.caseId})`,
            `メール ${row.id} には既に申し立てがあります（ケース ${row.appeal.caseId}）`,
          );
        if (row.status !== 'quarantined')
          throw conflict(
            `mail ${row.id} is ${row.status}: nothing to appeal`,
            `メール ${row.id} は隔離中ではありません`,
          );
        // The case is on this mail's decision, of this organisation, as a hold (release or keep).
        const verdict: Verdict = {
          ...(row.verdict as Verdict),
          id: row.decisionId,
          orgId,
          channel: 'mail',
          action: 'hold',
        };
        const details = appealDetails(
          { from: row.from, subject: row.subject, recipients: row.recipients.length },
          verdict,
          { quarantineId: row.id, appeal: input.reason, appealedBy: ctx.actor.id, size: row.size },
        );
        const opened = await deps.cases.open(verdict, { details, origin: row.origin });
        if (!opened) throw new MamoruError('internal', `no case was opened for decision ${row.decisionId}`);
        if (!(await store.appealed(orgId, row.id, opened.case.id, input.reason, new Date())))
          throw conflict(
            `mail ${row.id} has an appeal already`,
            `メール ${row.id} には既に申し立てがあります`,
          );
        return { id: row.id, caseId: opened.case.id };
      },
    }),
    defineOperation({
      name: 'quarantine-delete',
      method: 'POST',
      path: 'quarantine/:id/delete',
      permission: 'cases:resolve',
      summary: { ja: '隔離メールを削除', en: 'Delete a quarantined mail' },
      description: {
        ja: 'メール本体を消し、状態を deleted にします（判定と一覧の記録は残ります）。隔離中でなければ 409。',
        en: 'Drops the message and marks it deleted (the verdict and the listing stay). 409 unless it is quarantined.',
      },
      input: { kind: 'query', schema: z.object({}).strict() },
      output: z.object({ id: z.string(), status: z.literal('deleted') }),
      run: async (_input, ctx) => {
        const row = await store.get(ctx.actor.orgId, ctx.params.id as string, ctx.actor.origin);
        if (row.appeal?.status === 'open')
          throw conflict(
            `mail ${row.id} has an open appeal`,
            `メール ${row.id} には審査中の申し立てがあります`,
          );
        if (!(await store.delete(ctx.actor.orgId, row.id)))
          throw conflict(`mail ${row.id} is not quarantined`, `メール ${row.id} は隔離中ではありません`);
        return { id: row.id, status: 'deleted' as const };
      },
    }),
    defineOperation({
      name: 'quarantine-expire',
      method: 'POST',
      path: 'quarantine/expire',
      permission: 'cases:resolve',
      summary: { ja: '保存期間を過ぎた隔離メールを消去', en: 'Expire quarantined mail past its retention' },
      description: {
        ja: '保存期間（settings.quarantine.retentionDays、既定 30 日）を過ぎたメールの本文を消し、期限切れにします。500 件ずつ、最大 20 回。',
        en: 'Drops the bytes of mail past its retention (settings.quarantine.retentionDays, default 30 days) and marks it expired, 500 rows at a time, at most 20 times.',
      },
      input: { kind: 'query', schema: z.object({}).strict() },
      output: z.object({ expired: z.number().int() }),
      run: async (_input, ctx) => {
        let expired = 0;
        for (let i = 0; i < 20; i++) {
          const n = await store.expire(new Date(), undefined, ctx.actor.orgId);
          expired += n;
          if (n === 0) break;
        }
        return { expired };
      },
    }),
    defineOperation({
      name: 'labels-export',
      method: 'GET',
      path: 'labels',
      permission: 'cases:read',
      summary: { ja: '学習ラベルの書き出し', en: 'Export training labels' },
      description: {
        ja: '解放（正常）と申し立ての結果（正常／詐欺）のラベル。古い順。withMessage=true で保存中のメール本体（base64）も返します（一度に 50 件まで）。',
        en: 'Labels from releases (legit) and appeals (legit or fraud), oldest first. withMessage=true adds the kept message (base64), at most 50 a page.',
      },
      input: {
        kind: 'query',
        schema: z
          .object({
            since: z.iso.datetime({ offset: true }).optional(),
            limit: z.coerce.number().int().min(1).max(1000).default(500),
            cursor: cursorField,
            withMessage: z
              .enum(['true', 'false'])
              .default('false')
              .transform((v) => v === 'true'),
          })
          .strict(),
      },
      output: z.object({
        items: z.array(
          z.object({
            decisionId: z.string(),
            label: z.string(),
            source: z.string(),
            at: z.string(),
            by: z.string(),
            rawBase64: z.string().nullable().optional(),
          }),
        ),
        nextCursor: z.string().nullable(),
      }),
      run: async (input, ctx) => {
        const orgId = ctx.actor.orgId;
        const page = await store.labels(orgId, {
          limit: input.withMessage ? Math.min(input.limit, 50) : input.limit,
          cursor: input.cursor,
          since: input.since === undefined ? undefined : new Date(input.since),
        });
        if (!input.withMessage) return page;
        const items = [];
        for (const item of page.items) {
          const row = await store.byDecision(orgId, item.decisionId);
          const bytes = row ? await store.message(orgId, row.id) : undefined;
          items.push({ ...item, rawBase64: bytes ? bytes.toString('base64') : null });
        }
        return { items, nextCursor: page.nextCursor };
      },
    }),
    ...strength.operations,
  ];

  return {
    operations,
    detectors: [strength.detector],
    enrichments: [strength.enrichment],
    defaultSettings: { quarantine: { retentionDays: DEFAULT_RETENTION_DAYS }, strength: DEFAULT_STRENGTH },
    settingsIssues: (settings) => [
      ...quarantineSettingsIssues(settings),
      ...strengthSettingsIssues(settings),
    ],
    thresholds: mailThresholds,
    caseDetails: (verdict, screening) =>
      appealDetails(
        {
          from: screening.state.from?.address ?? null,
          subject: screening.state.subject,
          recipients: screening.event.payload.envelope.rcptTo.length,
        },
        verdict,
      ),
    record: async (verdict: Verdict, screening: MailScreening) => {
      if (!QUARANTINED_ACTIONS.has(verdict.action)) return;
      const { payload } = screening.event;
      const rcpt = payload.envelope.rcptTo;
      const keys = screening.enriched(RECIPIENTS)?.keys ?? rcpt.map((r) => recipientKey(deps.hasher, r));
      const senders = screening.enriched(REPUTATION)?.senders ?? mailSenders(payload, screening.state);
      const received = payload.receivedAt
        ? new Date(payload.receivedAt)
        : new Date(screening.event.receivedAt);
      const receivedAt = Number.isNaN(received.getTime()) ? screening.now : received;
      const { retentionDays } = quarantineSettings(screening.settings);
      await store.put({
        orgId: verdict.orgId,
        decisionId: verdict.id,
        recipientKeys: keys,
        recipients: rcpt,
        mailFrom: payload.envelope.mailFrom ?? '',
        from: screening.state.from?.address ?? null,
        subject: screening.state.subject,
        score: verdict.score,
        action: verdict.action,
        summary: verdict.summary,
        verdict,
        origin: payload.mta ? `mta:${payload.mta.toLowerCase()}` : 'api',
        senders: senderRefs(senders),
        message: screening.state.bytes,
        receivedAt,
        expiresAt: new Date(screening.now.getTime() + retentionDays * DAY_MS),
      });
    },
    onOutcome: async (outcome: ChannelOutcome) => {
      const row = await store.byDecision(outcome.orgId, outcome.decisionId);
      if (!row || row.appeal?.caseId !== outcome.caseId) return;
      switch (outcome.effect) {
        case 'release':
        case 'allow_once':
          // Approved whether or not the next hop answers now: a failed delivery throws, the outcome queue
          // tries again, and meanwhile an operator sees an approved appeal on a mail still to release.
          await store.appealClosed(outcome.orgId, row.id, 'approved');
          // Released meanwhile by an operator: the appeal only labels it.
          if (row.status === 'quarantined')
            await release(outcome.orgId, row, outcome.resolvedBy, undefined, 'appeal');
          else await store.label(outcome.orgId, row.decisionId, 'legit', 'appeal', outcome.resolvedBy);
          return;
        case 'refuse':
          await store.label(outcome.orgId, row.decisionId, 'fraud', 'appeal', outcome.resolvedBy);
          await store.appealClosed(outcome.orgId, row.id, 'denied');
          return;
        case 'expired':
          // Nobody decided: the fail-safe keeps the mail quarantined, and no label is made of it.
          await store.appealClosed(outcome.orgId, row.id, 'expired');
          return;
      }
    },
  };
}
