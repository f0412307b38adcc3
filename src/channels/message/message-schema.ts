import { z } from 'zod';

/** Kinds of message: SMS, a direct message on a platform, a public post. */
export const MESSAGE_KINDS = ['sms', 'dm', 'post'] as const;
export type MessageKind = (typeof MESSAGE_KINDS)[number];

/**
 * A message to screen before delivery or publication (measure I1: filter
 * fraud-luring SMS and DMs; P7: illicit recruitment posts).
 */
export const messageSchema = z
  .object({
    kind: z
      .enum(MESSAGE_KINDS)
      .describe('種類: sms=SMS、dm=ダイレクトメッセージ、post=投稿 / Kind: SMS, direct message or post'),
    sender: z
      .string()
      .trim()
      .min(1)
      .max(320)
      .describe('送信者（電話番号またはアカウント名）/ Sender: a phone number or a handle'),
    recipient: z
      .string()
      .trim()
      .min(1)
      .max(320)
      .optional()
      .describe('受信者（電話番号またはアカウント名）/ Recipient: a phone number or a handle'),
    text: z
      .string()
      .min(1)
      .max(10_000)
      .describe('本文（1〜10000文字）/ Message text, 1 to 10 000 characters'),
    urls: z
      .array(z.string().min(1).max(8192))
      .max(100)
      .optional()
      .describe(
        '本文とは別に渡すリンク（プラットフォームが展開したもの等）/ Links given apart from the text (e.g. expanded by the platform)',
      ),
    sentAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('送信日時（ISO 8601）/ When it was sent (ISO 8601)'),
  })
  .strict()
  .describe('メッセージ（SMS・DM・投稿）/ A message: SMS, DM or post');

export type MessagePayload = z.infer<typeof messageSchema>;
