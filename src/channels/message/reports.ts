import type { Selectable } from 'kysely';
import { z } from 'zod';
import {
  type ChannelOperation,
  defineOperation,
  type IndicatorRef,
  MamoruError,
  newId,
  notFound,
} from '../../core/index.ts';
import { createExtractTools } from '../../intel/extract-tools.ts';
import { isKeyedHash } from '../../intel/keyed-hash.ts';
import { extractTextIndicators, uniqueRefs } from '../../intel/text-extractor.ts';
import { extractUrls } from '../../intel/url-extract.ts';
import type { ChannelDeps } from '../channel-deps.ts';
import { type MessageDb, messageDb } from './message-part.ts';
import { MAX_MESSAGE_TEXT, MESSAGE_KINDS } from './message-schema.ts';
import type { SubscriberStore } from './subscriber-store.ts';
import type { MessageReportsTable } from './tables.ts';

/** Labels a report gives, as the API writes them; stored and exported as `fraud` / `legit`. */
export const REPORT_LABELS = ['fraud', 'not_fraud'] as const;
export type ReportLabel = (typeof REPORT_LABELS)[number];
export const REPORT_STATUSES = ['pending', 'confirmed', 'rejected'] as const;

/** The refinement's message, and its Japanese for the 400 (the part's `messagesJa`). */
export const REPORT_NEEDS_TEXT = 'give decisionId or text';
export const REPORT_MESSAGES_JA: Readonly<Record<string, string>> = {
  [REPORT_NEEDS_TEXT]: 'decisionId か text のどちらかを指定してください',
};

const reportInput = z
  .object({
    label: z.enum(REPORT_LABELS).describe('fraud=詐欺、not_fraud=詐欺ではない / fraud or not fraud'),
    decisionId: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe(
        'このメッセージを審査した判定の ID（本文・送信者・種類を判定ログから写します）/ The decision that screened the message: its text, sender and kind are copied from the decision log',
      ),
    recipient: z
      .string()
      .trim()
      .min(1)
      .max(320)
      .optional()
      .describe('報告した受信者 / The reporting recipient'),
    sender: z.string().trim().min(1).max(320).optional(),
    text: z.string().min(1).max(MAX_MESSAGE_TEXT).optional(),
    kind: z.enum(MESSAGE_KINDS).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.decisionId === undefined && r.text === undefined)
      ctx.addIssue({ code: 'custom', path: ['text'], message: REPORT_NEEDS_TEXT });
  });

const reportOutput = z.object({
  id: z.string(),
  label: z.enum(REPORT_LABELS),
  status: z.enum(REPORT_STATUSES),
  decisionId: z.string().nullable(),
  subscriberKey: z.string().nullable(),
  kind: z.string().nullable(),
  sender: z.string().nullable(),
  text: z.string().nullable(),
  reportedBy: z.string(),
  createdAt: z.string(),
  reviewedBy: z.string().nullable(),
  reviewedAt: z.string().nullable(),
  indicators: z.number().int(),
});
type ReportOutput = z.infer<typeof reportOutput>;

type ReportRow = Selectable<MessageReportsTable>;

function toReport(row: ReportRow): ReportOutput {
  return {
    id: row.report_id,
    label: row.label === 'fraud' ? 'fraud' : 'not_fraud',
    status: (REPORT_STATUSES as readonly string[]).includes(row.status)
      ? (row.status as ReportOutput['status'])
      : 'pending',
    decisionId: row.decision_id,
    subscriberKey: row.subscriber_key,
    kind: row.kind,
    sender: row.sender,
    text: row.text,
    reportedBy: row.reported_by,
    createdAt: new Date(row.created_at).toISOString(),
    reviewedBy: row.reviewed_by,
    reviewedAt: row.reviewed_at === null ? null : new Date(row.reviewed_at).toISOString(),
    indicators: Number(row.indicators),
  };
}

/** What a logged message event gives a report (the payload the decision log kept). */
function loggedMessage(event: unknown): {
  text?: string;
  sender?: string;
  kind?: string;
  recipient?: string;
} {
  if (typeof event !== 'object' || event === null) return {};
  const e = event as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const out: { text?: string; sender?: string; kind?: string; recipient?: string } = {};
  const text = str(e.text);
  const sender = str(e.sender);
  const kind = str(e.kind);
  const recipient = str(e.recipient);
  if (text !== undefined) out.text = text;
  if (sender !== undefined) out.sender = sender;
  if (kind !== undefined) out.kind = kind;
  if (recipient !== undefined) out.recipient = recipient;
  return out;
}

const cursorField = z
  .string()
  .min(1)
  .max(200)
  .optional()
  .describe('前のページの nextCursor / the nextCursor of the previous page');

const fromCursor = (cursor: string | undefined) =>
  cursor === undefined ? undefined : Buffer.from(cursor, 'base64url').toString('utf8');
const toCursor = (id: string) => Buffer.from(id, 'utf8').toString('base64url');

/**
 * The indicators a confirmed fraud report writes (issue 9 item 3): its
 * sender when it is a phone number, every URL in the text (obfuscation
 * undone, `extractUrls`, and the plain extractor's), and every phone number
 * in the text. Never the URLs' domains: a lure on a shortener or a hacked
 * site would list the whole host.
 */
export function reportIndicators(
  report: { readonly text: string | null; readonly sender: string | null },
  tools: ReturnType<typeof createExtractTools>,
): IndicatorRef[] {
  const refs: IndicatorRef[] = [];
  if (report.sender) {
    const phone = tools.indicator('phone', report.sender, 'sender');
    if (phone) refs.push(phone);
  }
  if (report.text) {
    for (const u of extractUrls(report.text)) {
      const url = tools.indicator('url', u.url, 'text');
      if (url) refs.push(url);
    }
    for (const ref of extractTextIndicators(report.text, tools, 'text'))
      if (ref.type === 'url' || ref.type === 'phone') refs.push(ref);
  }
  return uniqueRefs(refs);
}

/**
 * Reports from subscribers (I3: report as fraud / not fraud), each a label
 * at once and, once an analyst confirms a fraud report, indicators:
 * - `POST /v1/message/reports` (`reports:write`): `{label, decisionId?, recipient?, sender?, text?, kind?}`, 201;
 * - `GET /v1/message/reports?status=&label=` (`indicators:write`: the texts are subscribers' messages), paged;
 * - `POST /v1/message/reports/:id/confirm` and `…/reject` (`indicators:write`);
 * - `GET /v1/message/reports/labels` (`indicators:write`): the confirmed
 *   reports as `{text, label: fraud|legit, kind, sender}` — each item a line of
 *   the JSON-lines file `mamoru eval message` reads.
 */
export function reportOperations(
  deps: ChannelDeps,
  subscribers: SubscriberStore,
): readonly ChannelOperation[] {
  const db: MessageDb = messageDb(deps);
  const tools = createExtractTools(deps.hasher);

  async function load(orgId: string, id: string): Promise<ReportRow> {
    const row = await db
      .selectFrom('message_reports')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('report_id', '=', id)
      .executeTakeFirst();
    if (!row) throw notFound(`report ${id}`);
    return row as ReportRow;
  }

  /** Move a pending report to `status` (one reviewer wins: a second gets a 409). */
  async function review(orgId: string, id: string, status: 'confirmed' | 'rejected', actor: string) {
    const before = await load(orgId, id);
    const row = await db
      .updateTable('message_reports')
      .set({ status, reviewed_by: actor, reviewed_at: new Date() })
      .where('org_id', '=', orgId)
      .where('report_id', '=', id)
      .where('status', '=', 'pending')
      .returningAll()
      .executeTakeFirst();
    if (!row) {
      throw new MamoruError('conflict', `report ${id} is already ${before.status}`, {
        issues: [
          {
            path: 'id',
            message: `the report is already ${before.status}`,
            ja: `この報告は既に${before.status === 'confirmed' ? '確定' : '却下'}されています`,
          },
        ],
      });
    }
    return row as ReportRow;
  }

  return [
    defineOperation({
      name: 'report-message',
      path: 'reports',
      permission: 'reports:write',
      summary: { ja: 'メッセージを詐欺・詐欺ではないと報告', en: 'Report a message as fraud or not fraud' },
      description: {
        ja: 'decisionId を渡すと判定ログから本文・送信者・種類を写します（他の組織・チャネルの判定は 404）。報告はそのまま学習・評価用のラベルになり、詐欺の報告が確定すると送信者・URL・電話番号が脅威情報に登録されます。',
        en: "With a decisionId the text, sender and kind are copied from the decision log (another organisation's or channel's decision is a 404). A report is a label at once; a confirmed fraud report writes its sender, URLs and phone numbers as indicators.",
      },
      input: {
        kind: 'json',
        schema: reportInput,
        examples: {
          text: {
            summary: '本文で / by text',
            value: {
              label: 'fraud',
              sender: '+819012345678',
              kind: 'sms',
              text: 'お荷物をお届けできませんでした https://example.com/x',
            },
          },
        },
      },
      output: z.object({ report: reportOutput }),
      status: () => 201,
      run: async (input, ctx) => {
        const orgId = ctx.actor.orgId;
        let logged: ReturnType<typeof loggedMessage> = {};
        if (input.decisionId !== undefined) {
          const event = await deps.decisions.loggedEvent(orgId, input.decisionId, 'message');
          if (event === undefined) throw notFound(`message decision ${input.decisionId}`);
          logged = loggedMessage(event);
        }
        // A decision log that keeps the recipient redacted holds its keyed hash already: used as it is.
        const loggedKey =
          logged.recipient !== undefined && isKeyedHash(logged.recipient) ? logged.recipient : undefined;
        const recipient = input.recipient ?? (loggedKey === undefined ? logged.recipient : undefined);
        const row = await db
          .insertInto('message_reports')
          .values({
            org_id: orgId,
            report_id: newId('rep'),
            subscriber_key: recipient === undefined ? (loggedKey ?? null) : subscribers.requireKey(recipient),
            decision_id: input.decisionId ?? null,
            label: input.label === 'fraud' ? 'fraud' : 'legit',
            kind: logged.kind ?? input.kind ?? null,
            sender: logged.sender ?? input.sender ?? null,
            text: logged.text ?? input.text ?? null,
            status: 'pending',
            reported_by: ctx.actor.id,
          })
          .returningAll()
          .executeTakeFirstOrThrow();
        return { report: toReport(row as ReportRow) };
      },
    }),
    defineOperation({
      name: 'reports',
      method: 'GET',
      path: 'reports',
      permission: 'indicators:write',
      summary: { ja: '報告を一覧（新しい順）', en: 'List reports, newest first' },
      input: {
        kind: 'query',
        schema: z
          .object({
            status: z.enum(REPORT_STATUSES).optional(),
            label: z.enum(REPORT_LABELS).optional(),
            limit: z.coerce.number().int().min(1).max(100).default(50),
            cursor: cursorField,
          })
          .strict(),
      },
      output: z.object({ items: z.array(reportOutput), nextCursor: z.string().nullable() }),
      run: async (input, ctx) => {
        let q = db.selectFrom('message_reports').selectAll().where('org_id', '=', ctx.actor.orgId);
        if (input.status) q = q.where('status', '=', input.status);
        if (input.label) q = q.where('label', '=', input.label === 'fraud' ? 'fraud' : 'legit');
        const after = fromCursor(input.cursor);
        if (after !== undefined) q = q.where('report_id', '<', after);
        const rows = (await q
          .orderBy('report_id', 'desc')
          .limit(input.limit + 1)
          .execute()) as ReportRow[];
        const items = rows.slice(0, input.limit).map(toReport);
        const last = items.at(-1);
        return { items, nextCursor: rows.length > input.limit && last ? toCursor(last.id) : null };
      },
    }),
    defineOperation({
      name: 'confirm-report',
      path: 'reports/:id/confirm',
      permission: 'indicators:write',
      summary: { ja: '報告を確定', en: 'Confirm a report' },
      description: {
        ja: '詐欺の報告なら、送信者（電話番号）・本文の URL・電話番号を脅威情報（malicious、情報源 report:<id>、範囲 org）に登録し、その件数を返します。詐欺ではない報告は正常のラベルになり、脅威情報には何も書きません。',
        en: 'For a fraud report, writes its sender (a phone number), the URLs and phone numbers of its text as indicators (malicious, source report:<id>, scope org) and answers how many. A not-fraud report becomes a legitimate label; nothing is written to intel.',
      },
      input: {
        kind: 'json',
        schema: z.object({}).strict(),
        examples: { empty: { summary: '本文なし / no body fields', value: {} } },
      },
      output: z.object({ report: reportOutput, indicators: z.number().int(), added: z.number().int() }),
      run: async (_input, ctx) => {
        const orgId = ctx.actor.orgId;
        const id = ctx.params.id as string;
        const row = await review(orgId, id, 'confirmed', ctx.actor.id);
        if (row.label !== 'fraud') return { report: toReport(row), indicators: 0, added: 0 };
        const refs = reportIndicators(row, tools);
        let fresh: boolean[];
        try {
          fresh =
            refs.length === 0
              ? []
              : await deps.intel.add(orgId, refs, {
                  verdict: 'malicious',
                  source: `report:${id}`,
                  scope: 'org',
                });
        } catch (error) {
          // Nothing was listed: the report goes back to pending, so it can be confirmed again.
          await db
            .updateTable('message_reports')
            .set({ status: 'pending', reviewed_by: null, reviewed_at: null })
            .where('org_id', '=', orgId)
            .where('report_id', '=', id)
            .execute();
          throw error;
        }
        const done = await db
          .updateTable('message_reports')
          .set({ indicators: refs.length })
          .where('org_id', '=', orgId)
          .where('report_id', '=', id)
          .returningAll()
          .executeTakeFirstOrThrow();
        return {
          report: toReport(done as ReportRow),
          indicators: refs.length,
          added: fresh.filter(Boolean).length,
        };
      },
    }),
    defineOperation({
      name: 'reject-report',
      path: 'reports/:id/reject',
      permission: 'indicators:write',
      summary: { ja: '報告を却下', en: 'Reject a report' },
      description: {
        ja: '却下した報告はラベルにも脅威情報にもなりません。',
        en: 'A rejected report becomes neither a label nor an indicator.',
      },
      input: {
        kind: 'json',
        schema: z.object({}).strict(),
        examples: { empty: { summary: '本文なし / no body fields', value: {} } },
      },
      output: z.object({ report: reportOutput }),
      run: async (_input, ctx) => ({
        report: toReport(await review(ctx.actor.orgId, ctx.params.id as string, 'rejected', ctx.actor.id)),
      }),
    }),
    defineOperation({
      name: 'report-labels',
      method: 'GET',
      path: 'reports/labels',
      permission: 'indicators:write',
      summary: {
        ja: '確定した報告を評価・学習用ラベルとして出力',
        en: 'Confirmed reports as evaluation and training labels',
      },
      description: {
        ja: '各 item は mamoru eval message が読む JSON Lines の 1 行です（jq -c ".items[]" でファイルにできます）。古い順、nextCursor で続きを読みます。',
        en: 'Each item is one line of the JSON-lines file `mamoru eval message` reads (`jq -c ".items[]"` makes the file). Oldest first; read on with nextCursor.',
      },
      input: {
        kind: 'query',
        schema: z
          .object({ limit: z.coerce.number().int().min(1).max(1000).default(500), cursor: cursorField })
          .strict(),
      },
      output: z.object({
        items: z.array(
          z.object({
            text: z.string(),
            label: z.enum(['fraud', 'legit']),
            kind: z.string().optional(),
            sender: z.string().optional(),
          }),
        ),
        nextCursor: z.string().nullable(),
      }),
      run: async (input, ctx) => {
        let q = db
          .selectFrom('message_reports')
          .select(['report_id', 'text', 'label', 'kind', 'sender'])
          .where('org_id', '=', ctx.actor.orgId)
          .where('status', '=', 'confirmed');
        const after = fromCursor(input.cursor);
        if (after !== undefined) q = q.where('report_id', '>', after);
        const rows = await q
          .orderBy('report_id')
          .limit(input.limit + 1)
          .execute();
        const page = rows.slice(0, input.limit);
        const last = page.at(-1);
        return {
          items: page.flatMap((r) =>
            r.text === null
              ? []
              : [
                  {
                    text: r.text,
                    label: r.label === 'fraud' ? ('fraud' as const) : ('legit' as const),
                    ...(r.kind ? { kind: r.kind } : {}),
                    ...(r.sender ? { sender: r.sender } : {}),
                  },
                ],
          ),
          nextCursor: rows.length > input.limit && last ? toCursor(last.report_id) : null,
        };
      },
    }),
  ];
}
