import { sql } from 'kysely';
import { z } from 'zod';
import { type ChannelOperation, defineOperation, invalidField, parseInput } from '../../core/index.ts';
import { bulkImport } from '../../intel/bulk-import.ts';
import { upsertRounds } from '../../intel/upsert-rounds.ts';
import type { MessageDb } from './message-part.ts';
import { normaliseSender } from './sender-format.ts';

/**
 * The organisation's verified-sender registry (MESSAGE_SENDER_BRAND_UNVERIFIED,
 * measure I1): the sender IDs, numbers and short codes a brand really sends
 * from. A sender ID that claims a brand and is not here is a strong sign of
 * smishing; one that is here never fires. Kept in `message_verified_senders`,
 * keyed by the normalised sender (`normaliseSender`: upper-case ID, E.164,
 * short-code digits).
 */

/** Reading the registry and writing it take the indicator permissions: it changes what screening trusts. */
const READ = 'indicators:read';
const WRITE = 'indicators:write';
const BATCH = 1_000;

/** One registered sender, as the operations answer it. */
export const verifiedSenderSchema = z.object({
  sender: z.string(),
  brand: z.string(),
  note: z.string().nullable(),
  addedAt: z.string(),
  addedBy: z.string(),
});
export type VerifiedSender = z.infer<typeof verifiedSenderSchema>;

const NOT_A_SENDER = 'not a sender a network can deliver (no controls; a possible number, short code or ID)';

/** Japanese for the registry's own field messages. */
export const REGISTRY_MESSAGES_JA: Readonly<Record<string, string>> = {
  [NOT_A_SENDER]:
    'ネットワークが届けられる送信者ではありません（制御文字なし、有効な番号・ショートコード・送信者ID）',
};

const senderField = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .transform((raw, ctx) => {
    const sender = normaliseSender(raw);
    if (sender === undefined) {
      ctx.addIssue({ code: 'custom', message: NOT_A_SENDER });
      return z.NEVER;
    }
    return sender;
  })
  .describe(
    '送信者: 英数字の送信者ID（大文字にそろえます）、電話番号（E.164 に正規化）、ショートコード / Sender: an alphanumeric sender ID (upper-cased), a phone number (to E.164) or a short code',
  );

export const verifiedSenderInputSchema = z
  .object({
    sender: senderField,
    brand: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .describe(
        'ブランド名（brands.json の name か任意の名前）/ The brand (its name in brands.json, or any name)',
      ),
    note: z.string().trim().max(500).optional().describe('メモ / A note'),
  })
  .strict();
export type VerifiedSenderInput = z.output<typeof verifiedSenderInputSchema>;

export interface VerifiedSenderStore {
  /** The registered brand of a normalised sender, or undefined. */
  lookup(orgId: string, sender: string): Promise<string | undefined>;
  upsert(
    orgId: string,
    input: VerifiedSenderInput,
    by: string,
  ): Promise<{ sender: VerifiedSender; created: boolean }>;
  upsertMany(orgId: string, items: readonly VerifiedSenderInput[], by: string): Promise<boolean[]>;
  remove(orgId: string, sender: string): Promise<boolean>;
  /** In sender order, after `after` when given. */
  list(orgId: string, options: { limit: number; after?: string; brand?: string }): Promise<VerifiedSender[]>;
}

type Row = { sender: string; brand: string; note: string | null; added_at: unknown; added_by: string };
const toSender = (r: Row): VerifiedSender => ({
  sender: r.sender,
  brand: r.brand,
  note: r.note,
  addedAt: new Date(r.added_at as string).toISOString(),
  addedBy: r.added_by,
});

/** The registry on the message channel's tables. */
export function verifiedSenderStore(db: MessageDb): VerifiedSenderStore {
  const upsertStatement = (orgId: string, items: readonly VerifiedSenderInput[], by: string) =>
    db
      .insertInto('message_verified_senders')
      .values(
        items.map((i) => ({
          org_id: orgId,
          sender: i.sender,
          brand: i.brand,
          note: i.note ?? null,
          added_by: by,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['org_id', 'sender']).doUpdateSet((eb) => ({
          brand: eb.ref('excluded.brand'),
          note: eb.ref('excluded.note'),
          added_by: eb.ref('excluded.added_by'),
          added_at: sql`now()`,
        })),
      )
      .returning([
        'sender',
        'brand',
        'note',
        'added_at',
        'added_by',
        sql<boolean>`(xmax = 0)`.as('inserted'),
      ]);
  return {
    async lookup(orgId, sender) {
      const row = await db
        .selectFrom('message_verified_senders')
        .select('brand')
        .where('org_id', '=', orgId)
        .where('sender', '=', sender)
        .executeTakeFirst();
      return row?.brand;
    },
    async upsert(orgId, input, by) {
      const [row] = await upsertStatement(orgId, [input], by).execute();
      return { sender: toSender(row!), created: Boolean(row!.inserted) };
    },
    async upsertMany(orgId, items, by) {
      const created = new Array<boolean>(items.length).fill(false);
      for (const chunk of upsertRounds(items, (i) => i.sender, BATCH)) {
        const rows = await upsertStatement(
          orgId,
          chunk.map((i) => items[i]!),
          by,
        ).execute();
        const fresh = new Set(rows.filter((r) => r.inserted).map((r) => r.sender));
        for (const i of chunk) created[i] = fresh.has(items[i]!.sender);
      }
      return created;
    },
    async remove(orgId, sender) {
      const rows = await db
        .deleteFrom('message_verified_senders')
        .where('org_id', '=', orgId)
        .where('sender', '=', sender)
        .returning('sender')
        .execute();
      return rows.length > 0;
    },
    async list(orgId, options) {
      let q = db
        .selectFrom('message_verified_senders')
        .select(['sender', 'brand', 'note', 'added_at', 'added_by'])
        .where('org_id', '=', orgId);
      if (options.after !== undefined) q = q.where('sender', '>', options.after);
      if (options.brand !== undefined) q = q.where('brand', '=', options.brand);
      const rows = await q.orderBy('sender').limit(options.limit).execute();
      return rows.map(toSender);
    },
  };
}

const cursorOf = (sender: string) => Buffer.from(sender, 'utf8').toString('base64url');
function afterOf(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const sender = Buffer.from(cursor, 'base64url').toString('utf8');
  if (sender === '' || cursorOf(sender) !== cursor)
    throw invalidField('query.cursor', 'not a cursor of this list (use nextCursor as given)');
  return sender;
}

/** CSV columns of an import (header row, any order). */
const COLUMNS = ['sender', 'brand', 'note'] as const;

/**
 * The registry's operations: list (`GET /v1/message/verified-senders`), add
 * or replace one (`POST …/verified-senders`, 201 when new), remove one
 * (`POST …/verified-senders/remove`), and import many from CSV or JSON lines
 * (`POST …/verified-senders/import`). A change is seen by screening within a
 * minute (the registry lookup is cached per sender for 60 s).
 */
export function registryOperations(store: VerifiedSenderStore): readonly ChannelOperation[] {
  return [
    defineOperation({
      name: 'list-verified-senders',
      method: 'GET',
      path: 'verified-senders',
      permission: READ,
      summary: { ja: '認証済み送信者の一覧', en: 'List the verified senders' },
      input: {
        kind: 'query',
        schema: z
          .object({
            limit: z.coerce.number().int().min(1).max(1000).default(100),
            cursor: z
              .string()
              .min(1)
              .max(200)
              .optional()
              .describe('前のページの nextCursor / the nextCursor of the previous page'),
            brand: z
              .string()
              .trim()
              .min(1)
              .max(100)
              .optional()
              .describe('このブランドだけ / Only this brand'),
          })
          .strict(),
      },
      output: z.object({ items: z.array(verifiedSenderSchema), nextCursor: z.string().nullable() }),
      async run(query, ctx) {
        const after = afterOf(query.cursor);
        const items = await store.list(ctx.actor.orgId, {
          limit: query.limit,
          ...(after !== undefined ? { after } : {}),
          ...(query.brand !== undefined ? { brand: query.brand } : {}),
        });
        const last = items.at(-1);
        return { items, nextCursor: items.length === query.limit && last ? cursorOf(last.sender) : null };
      },
    }),
    defineOperation({
      name: 'add-verified-sender',
      path: 'verified-senders',
      permission: WRITE,
      summary: { ja: '認証済み送信者を登録（上書き）', en: 'Register (or replace) a verified sender' },
      description: {
        ja: 'ブランドが実際に使う送信者ID・番号を登録すると、その送信者は MESSAGE_SENDER_BRAND_UNVERIFIED になりません。',
        en: 'A sender ID or number the brand really sends from: it no longer fires MESSAGE_SENDER_BRAND_UNVERIFIED.',
      },
      input: {
        kind: 'json',
        schema: verifiedSenderInputSchema,
        examples: {
          id: {
            summary: '英数字の送信者ID / an alphanumeric sender ID',
            value: { sender: 'Amazon', brand: 'Amazon' },
          },
          code: {
            summary: '共通ショートコード / a common short code',
            value: { sender: '0005123456', brand: '三井住友銀行', note: 'SMBC の通知' },
          },
        },
      },
      output: z.object({ sender: verifiedSenderSchema, created: z.boolean() }),
      status: (out) => (out.created ? 201 : 200),
      run: (input, ctx) => store.upsert(ctx.actor.orgId, input, ctx.actor.id),
    }),
    defineOperation({
      name: 'remove-verified-sender',
      path: 'verified-senders/remove',
      permission: WRITE,
      summary: { ja: '認証済み送信者を削除', en: 'Remove a verified sender' },
      input: {
        kind: 'json',
        schema: z.object({ sender: senderField }).strict(),
        examples: { id: { summary: '送信者ID / a sender ID', value: { sender: 'Amazon' } } },
      },
      output: z.object({ sender: z.string(), removed: z.boolean() }),
      run: async (input, ctx) => ({
        sender: input.sender,
        removed: await store.remove(ctx.actor.orgId, input.sender),
      }),
    }),
    defineOperation({
      name: 'import-verified-senders',
      path: 'verified-senders/import',
      permission: WRITE,
      summary: { ja: '認証済み送信者の一括登録', en: 'Bulk-register verified senders' },
      input: {
        kind: 'records',
        importKind: 'verified-senders',
        formats: {
          csv: {
            description:
              'CSV: a header row (sender and brand required, note optional), then one sender per line',
            example:
              'sender,brand,note\nAmazon,Amazon,\nSMBC,三井住友銀行,通知用\n0005123456,三井住友銀行,共通番号\n',
          },
          jsonl: {
            description: 'JSON lines: the fields of POST /v1/message/verified-senders, one sender per line',
            example:
              '{"sender":"Amazon","brand":"Amazon"}\n{"sender":"RAKUTEN","brand":"楽天","note":"楽天グループ"}\n',
          },
        },
      },
      run: (records, ctx) =>
        bulkImport(records, {
          format: records.format,
          columns: COLUMNS,
          required: ['sender', 'brand'],
          cell: (row, column, cell) => {
            row[column] = cell.trim();
          },
          prepare: (row) => parseInput(verifiedSenderInputSchema, row),
          upsertMany: (items) => store.upsertMany(ctx.actor.orgId, items, ctx.actor.id),
          batchSize: BATCH,
          onProgress: ctx.onProgress,
          rejections: ctx.rejections,
          keyOf: (item) => item.sender,
        }),
    }),
  ];
}
