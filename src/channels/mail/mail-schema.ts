import { z } from 'zod';

/**
 * The largest message screened, in bytes: Postfix's default
 * `message_size_limit` (10,240,000). A larger message is refused with the
 * field named, never truncated (a DKIM body hash needs every byte).
 */
export const MAX_MAIL_BYTES = 10_240_000;
/** The most recipients of one message (Postfix's `smtpd_recipient_limit` default is 1000). */
export const MAX_RECIPIENTS = 1000;

const address = z.string().trim().max(320);

/**
 * The SMTP envelope as the receiving MTA saw it: the connecting client's IP
 * and HELO name (SPF), MAIL FROM (SPF, the bounce address; empty for a null
 * sender) and RCPT TO (whose quarantine and strength apply).
 */
export const envelopeSchema = z
  .object({
    clientIp: z
      .union([z.ipv4(), z.ipv6()])
      .optional()
      .describe('接続元クライアントのIPアドレス / IP address of the SMTP client'),
    clientHostname: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .optional()
      .describe('接続元の逆引きホスト名 / Reverse DNS name of the SMTP client'),
    helo: z.string().trim().min(1).max(255).optional().describe('HELO/EHLO 名 / HELO or EHLO name'),
    mailFrom: address
      .optional()
      .describe('MAIL FROM（空文字はヌル送信者）/ MAIL FROM; empty for the null sender'),
    rcptTo: z
      .array(address.min(3))
      .min(1)
      .max(MAX_RECIPIENTS)
      .describe(`RCPT TO（1〜${MAX_RECIPIENTS}件）/ RCPT TO addresses, 1 to ${MAX_RECIPIENTS}`),
  })
  .strict();

export type MailEnvelope = z.infer<typeof envelopeSchema>;

/**
 * A mail message to screen on receipt (measures E1–E4): the whole RFC 5322
 * message, as text (`raw`) or as its exact bytes in base64 (`rawBase64`,
 * what the milter sends: a DKIM signature covers bytes, and an 8-bit
 * Shift_JIS body is not UTF-8), with its SMTP envelope.
 */
export const mailSchema = z
  .object({
    raw: z
      .string()
      .min(1)
      .max(MAX_MAIL_BYTES)
      .optional()
      .describe('RFC 5322 形式のメッセージ全体（テキスト）/ The whole RFC 5322 message as text'),
    rawBase64: z
      .string()
      .min(4)
      .max(Math.ceil(MAX_MAIL_BYTES / 3) * 4)
      .regex(/^[A-Za-z0-9+/\r\n]*={0,2}[\r\n]*$/, 'must be base64')
      .optional()
      .describe('メッセージのバイト列（base64）/ The message bytes, base64-encoded'),
    envelope: envelopeSchema.describe('SMTP エンベロープ / The SMTP envelope'),
    mta: z
      .string()
      .trim()
      .min(1)
      .max(255)
      .regex(/^[A-Za-z0-9.-]+$/, 'must be a host name')
      .optional()
      .describe(
        '受信したMTAのホスト名（発生元 mta:<host>）/ Host name of the receiving MTA (origin mta:<host>)',
      ),
    receivedAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('受信日時（ISO 8601）/ When the MTA received it (ISO 8601)'),
  })
  .strict()
  .superRefine((mail, ctx) => {
    if ((mail.raw === undefined) === (mail.rawBase64 === undefined))
      ctx.addIssue({ code: 'custom', path: ['raw'], message: 'give exactly one of raw and rawBase64' });
    if (mail.raw !== undefined && Buffer.byteLength(mail.raw, 'utf8') > MAX_MAIL_BYTES)
      ctx.addIssue({ code: 'custom', path: ['raw'], message: `message larger than ${MAX_MAIL_BYTES} bytes` });
  })
  .describe('メール（RFC 5322 メッセージと SMTP エンベロープ）/ A mail message with its SMTP envelope');

export type MailPayload = z.infer<typeof mailSchema>;

/** The message's bytes, from whichever of `raw` and `rawBase64` was given. */
export function mailBytes(payload: MailPayload): Buffer {
  return payload.rawBase64 !== undefined
    ? Buffer.from(payload.rawBase64, 'base64')
    : Buffer.from(payload.raw ?? '', 'utf8');
}

/** Japanese for the English messages of the mail schema's own checks. */
export const MAIL_SCHEMA_MESSAGES_JA: Readonly<Record<string, string>> = {
  'give exactly one of raw and rawBase64': 'raw と rawBase64 のどちらか一方だけを指定してください',
  [`message larger than ${MAX_MAIL_BYTES} bytes`]: `メッセージが ${MAX_MAIL_BYTES} バイトを超えています`,
  'must be base64': 'base64 で指定してください',
  'must be a host name': 'ホスト名で指定してください',
};
