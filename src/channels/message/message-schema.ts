import { z } from 'zod';

/** Kinds of message: an SMS, an RCS message, a direct message on a platform, a public post. */
export const MESSAGE_KINDS = ['sms', 'rcs', 'dm', 'post'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/** The longest text screened (characters): a long DM or post; SMS are far shorter. */
export const MAX_MESSAGE_TEXT = 100_000;

/**
 * What the platform knows about the sender beside the message (a DM or a
 * post): the platform's name, how old the sender's account is, whether the
 * platform verified it. All optional; detectors use what is given.
 */
export const platformSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .optional()
      .describe('プラットフォーム名（例: x, line, instagram）/ Platform name (x, line, instagram…)'),
    senderAccountAgeDays: z
      .number()
      .int()
      .min(0)
      .max(100_000)
      .optional()
      .describe('送信者アカウントの作成からの日数 / Days since the sender account was created'),
    senderVerified: z
      .boolean()
      .optional()
      .describe('プラットフォームが送信者を認証済みか / Whether the platform verified the sender'),
    threadId: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('スレッド・会話の識別子 / Thread or conversation id'),
  })
  .strict();

/**
 * A message to screen before delivery or publication (measure I1: filter
 * fraud-luring SMS and DMs; I3: nuisance-SMS filtering on by default; P7:
 * illicit recruitment posts).
 */
export const messageSchema = z
  .object({
    kind: z
      .enum(MESSAGE_KINDS)
      .describe(
        '種類: sms=SMS、rcs=RCS（+メッセージ）、dm=ダイレクトメッセージ、post=投稿 / Kind: SMS, RCS, direct message or post',
      ),
    sender: z
      .string()
      .trim()
      .min(1)
      .max(320)
      .describe(
        '送信者: 電話番号（E.164 または国内形式）、ショートコード、英数字の送信者ID、アカウント名 / Sender: a phone number (E.164 or national), a short code, an alphanumeric sender ID or a handle',
      ),
    recipient: z
      .string()
      .trim()
      .min(1)
      .max(320)
      .optional()
      .describe(
        '受信者（電話番号またはアカウント名）: 個人ごとの設定（フィルタ強度・許可リスト）の鍵 / Recipient (a phone number or a handle): the key of per-subscriber settings',
      ),
    text: z
      .string()
      .min(1)
      .max(MAX_MESSAGE_TEXT)
      .describe(`本文（1〜${MAX_MESSAGE_TEXT}文字）/ Message text, 1 to ${MAX_MESSAGE_TEXT} characters`),
    urls: z
      .array(z.string().min(1).max(8192))
      .max(100)
      .optional()
      .describe(
        '本文とは別に渡すリンク（プラットフォームが展開したもの等）/ Links given apart from the text (e.g. expanded by the platform)',
      ),
    receivedAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('受信日時（ISO 8601）/ When the network or platform received it (ISO 8601)'),
    sentAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('送信日時（ISO 8601、端末の申告）/ When it was sent, as the sender claims (ISO 8601)'),
    platform: platformSchema
      .optional()
      .describe('プラットフォームのメタデータ / Platform metadata about the sender'),
  })
  .strict()
  .describe('メッセージ（SMS・RCS・DM・投稿）/ A message: SMS, RCS, DM or post');

export type MessagePayload = z.infer<typeof messageSchema>;
