import { z } from 'zod';
import { type ChannelOperation, defineOperation } from '../../core/index.ts';
import {
  fieldError,
  MAX_ALLOWED_SENDERS,
  normaliseAllowedSender,
  STRENGTHS,
  type SubscriberStore,
} from './subscriber-store.ts';

const recipientField = z
  .string()
  .trim()
  .min(1)
  .max(320)
  .describe(
    '受信者（電話番号またはアカウント名）。キー付きハッシュにして保存し、そのままは保存しません / The recipient (a phone number or a handle); stored only as its keyed hash',
  );
const senderField = z
  .string()
  .trim()
  .min(1)
  .max(320)
  .describe(
    '送信者: 電話番号、ショートコード、英数字の送信者ID、アカウント名（大文字小文字は区別しません）/ The sender: a phone number, short code, alphanumeric sender ID or handle (case-insensitive)',
  );

const settingsOutput = z.object({
  subscriberKey: z.string().describe('受信者のキー付きハッシュ / The keyed hash of the recipient'),
  filtering: z.boolean().describe('迷惑メッセージフィルタ（既定: 有効）/ Filtering (on by default)'),
  strength: z.enum(STRENGTHS).describe('強度 / Strength: low, standard (the policy thresholds), high'),
  stored: z
    .boolean()
    .describe('設定が保存されているか（false: 既定値）/ Whether a row exists (false: defaults)'),
  updatedAt: z.string().nullable(),
});

/** The recipient's key, a 400 naming `recipient` when it normalises to nothing. */
const keyOf = (store: SubscriberStore, recipient: string) => store.requireKey(recipient);

/** The sender as the allow list keeps it, a 400 naming `sender` when it normalises to nothing. */
function senderOf(raw: string): string {
  const sender = normaliseAllowedSender(raw);
  if (sender === undefined)
    throw fieldError(
      'sender',
      'must be a phone number, sender ID or handle',
      '電話番号・送信者 ID・アカウント名で指定してください',
    );
  return sender;
}

/**
 * The subscribers' operations (I3), permission `subscribers:read` /
 * `subscribers:write` (the carrier's app, its system key):
 * - `GET /v1/message/subscribers/settings?recipient=` — the settings, the
 *   defaults (filtering on, standard) when none are stored;
 * - `POST /v1/message/subscribers/settings` `{recipient, filtering?, strength?}`;
 * - `POST /v1/message/subscribers/allowed-senders` `{recipient, sender}` (add;
 *   at most {@link MAX_ALLOWED_SENDERS} per subscriber, a 409 over it),
 *   `…/allowed-senders/remove`, and `GET …/allowed-senders?recipient=` (paged).
 */
export function subscriberOperations(store: SubscriberStore): readonly ChannelOperation[] {
  return [
    defineOperation({
      name: 'subscriber-settings',
      method: 'GET',
      path: 'subscribers/settings',
      permission: 'subscribers:read',
      summary: { ja: '受信者のフィルタ設定を取得', en: "Read a recipient's filter settings" },
      description: {
        ja: '設定がなければ既定値（フィルタ有効・標準）を返します。フィルタは無料・既定で有効です（I3）。',
        en: 'Answers the defaults (filtering on, standard) when none are stored. Filtering is free and on by default (I3).',
      },
      input: { kind: 'query', schema: z.object({ recipient: recipientField }).strict() },
      output: settingsOutput,
      run: async (input, ctx) => store.settings(ctx.actor.orgId, keyOf(store, input.recipient)),
    }),
    defineOperation({
      name: 'set-subscriber-settings',
      path: 'subscribers/settings',
      permission: 'subscribers:write',
      summary: { ja: '受信者のフィルタ設定を変更', en: "Change a recipient's filter settings" },
      description: {
        ja: 'filtering=false で迷惑メッセージフィルタを無効にします（検知結果は記録され、判定理由に MESSAGE_FILTERING_OFF が付きます）。strength は low（警告が少ない）・standard・high（警告が多い）。',
        en: 'filtering=false turns filtering off (what was found is still recorded; the verdict says MESSAGE_FILTERING_OFF). strength: low (fewer warnings), standard, high (more warnings).',
      },
      input: {
        kind: 'json',
        schema: z
          .object({
            recipient: recipientField,
            filtering: z.boolean().optional(),
            strength: z.enum(STRENGTHS).optional(),
          })
          .strict(),
        examples: {
          off: {
            summary: 'フィルタを無効に / filtering off',
            value: { recipient: '+819012345678', filtering: false },
          },
          high: {
            summary: '強度を高に / strength high',
            value: { recipient: '090-1234-5678', strength: 'high' },
          },
        },
      },
      output: settingsOutput,
      run: async (input, ctx) =>
        store.setSettings(
          ctx.actor.orgId,
          keyOf(store, input.recipient),
          { filtering: input.filtering, strength: input.strength },
          ctx.actor.id,
        ),
    }),
    defineOperation({
      name: 'allow-sender',
      path: 'subscribers/allowed-senders',
      permission: 'subscribers:write',
      summary: { ja: '許可リストに送信者を追加', en: "Add a sender to a recipient's allow list" },
      description: {
        ja: `許可リストの送信者からのメッセージは内容の検知を免除します（脅威情報の URL・電話番号・ドメインの一致は免除しません）。一人 ${MAX_ALLOWED_SENDERS} 件まで。`,
        en: `Content checks are waived for a listed sender (threat-intel matches on URLs, phones and domains are not). Up to ${MAX_ALLOWED_SENDERS} per recipient.`,
      },
      input: {
        kind: 'json',
        schema: z.object({ recipient: recipientField, sender: senderField }).strict(),
        examples: {
          friend: {
            summary: '知人の番号 / a friend’s number',
            value: { recipient: '+819012345678', sender: '080-1111-2222' },
          },
        },
      },
      output: z.object({ sender: z.string(), added: z.boolean(), count: z.number().int() }),
      status: (out) => (out.added ? 201 : 200),
      run: async (input, ctx) => {
        const sender = senderOf(input.sender);
        const done = await store.allow(ctx.actor.orgId, keyOf(store, input.recipient), sender);
        return { sender, ...done };
      },
    }),
    defineOperation({
      name: 'remove-allowed-sender',
      path: 'subscribers/allowed-senders/remove',
      permission: 'subscribers:write',
      summary: { ja: '許可リストから送信者を削除', en: "Remove a sender from a recipient's allow list" },
      input: {
        kind: 'json',
        schema: z.object({ recipient: recipientField, sender: senderField }).strict(),
        examples: {
          friend: {
            summary: '知人の番号を外す / remove a friend’s number',
            value: { recipient: '+819012345678', sender: '080-1111-2222' },
          },
        },
      },
      output: z.object({ sender: z.string(), removed: z.boolean() }),
      run: async (input, ctx) => {
        const sender = senderOf(input.sender);
        const done = await store.disallow(ctx.actor.orgId, keyOf(store, input.recipient), sender);
        return { sender, ...done };
      },
    }),
    defineOperation({
      name: 'allowed-senders',
      method: 'GET',
      path: 'subscribers/allowed-senders',
      permission: 'subscribers:read',
      summary: { ja: '許可リストを一覧', en: "List a recipient's allow list" },
      input: {
        kind: 'query',
        schema: z
          .object({
            recipient: recipientField,
            limit: z.coerce.number().int().min(1).max(MAX_ALLOWED_SENDERS).default(100),
            cursor: z
              .string()
              .min(1)
              .max(400)
              .optional()
              .describe('前のページの nextCursor / the nextCursor of the previous page'),
          })
          .strict(),
      },
      output: z.object({
        items: z.array(z.object({ sender: z.string(), addedAt: z.string() })),
        nextCursor: z.string().nullable(),
      }),
      run: async (input, ctx) => {
        const after =
          input.cursor === undefined ? undefined : Buffer.from(input.cursor, 'base64url').toString('utf8');
        const page = await store.allowed(ctx.actor.orgId, keyOf(store, input.recipient), {
          limit: input.limit,
          after,
        });
        const last = page.senders.at(-1);
        return {
          items: page.senders,
          nextCursor: page.more && last ? Buffer.from(last.sender, 'utf8').toString('base64url') : null,
        };
      },
    }),
  ];
}
