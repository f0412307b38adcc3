import { z } from 'zod';
import {
  HOLDER_TYPES,
  identitySchema,
  registeredUserSchema,
  SALES_CHANNELS,
  SIM_TYPES,
} from './contract-schema.ts';
import { isCorporateNumber } from './corporate-number.ts';

/** A line's status: in use, suspended (利用停止, still held) or cancelled (解約). */
export const LINE_STATUSES = ['active', 'suspended', 'cancelled'] as const;
export type LineStatus = (typeof LINE_STATUSES)[number];

/** Text the database can hold: no NUL, no unpaired surrogate. */
const storable = (s: string) => s.isWellFormed() && !s.includes('\u0000');
const text = (max: number) =>
  z.string().trim().min(1).max(max).refine(storable, 'must not contain NUL or unpaired surrogates');
const keyedHash = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'must be a keyed hash (64 hex digits, HMAC-SHA256)')
  .transform((s) => s.toLowerCase());

/**
 * A time: ISO 8601 with an offset, or a date `YYYY-MM-DD` (taken as midnight
 * in Japan, +09:00), between 1900 and 2199 (what the carrier's records hold).
 */
const lineTime = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .transform((s) => new Date(s.length === 10 ? `${s}T00:00:00+09:00` : s))
  .refine((d) => d.getUTCFullYear() >= 1900 && d.getUTCFullYear() < 2200, 'must be between 1900 and 2199');

/**
 * One line as the carrier knows it (回線): an existing line to load, an
 * activation (開通) or a cancellation (解約). The holder is given by identity
 * (hashed here, never stored), by a pre-hashed `holderKey`, or for a
 * corporation by its corporate number. Upserted by `lineId`: the latest
 * event for a line is its state, so counts stay true.
 *
 * @example { lineId: '+819012345678', holder: { name: '山田太郎', birthDate: '1980-01-02', address: '東京都千代田区1-1' }, simType: 'voice', status: 'active', contractedAt: '2025-04-01' }
 */
export const lineEventSchema = z
  .object({
    lineId: text(100).describe("回線 ID または電話番号 / the carrier's line id or MSISDN"),
    holder: identitySchema.optional().describe('契約者の本人確認済み属性 / verified holder identity'),
    holderKey: keyedHash.optional().describe('契約者キー（ハッシュ済み）/ pre-hashed holder key'),
    holderType: z.enum(HOLDER_TYPES).default('person'),
    corporateNumber: z
      .string()
      .regex(/^\d{13}$/, 'must be 13 digits')
      .refine(isCorporateNumber, 'check digit does not match (not a corporate number)')
      .optional()
      .describe('法人番号 / corporate number'),
    simType: z.enum(SIM_TYPES),
    status: z.enum(LINE_STATUSES).default('active'),
    contractedAt: lineTime.optional(),
    cancelledAt: lineTime.optional(),
    salesChannel: z.enum(SALES_CHANNELS).optional(),
    outlet: text(100).optional().describe('販売店・代理店 ID または online / shop or agency id, or online'),
    registeredUser: registeredUserSchema.optional().describe('利用者登録 / the registered real user'),
    registeredUserKey: keyedHash.optional(),
  })
  .strict()
  .superRefine((line, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    const givenBy = [line.holder && 'holder', line.holderKey && 'holderKey'].filter(Boolean);
    if (line.holderType === 'person') {
      if (givenBy.length === 0) issue('holder', 'give the holder identity or a holderKey');
      if (givenBy.length > 1) issue('holderKey', 'give the holder identity or a holderKey, not both');
      if (line.corporateNumber !== undefined) issue('corporateNumber', 'only for a corporation');
    } else if (line.corporateNumber === undefined && line.holderKey === undefined) {
      issue('corporateNumber', 'required for a corporation (or a holderKey)');
    }
    if (line.status === 'cancelled' && line.cancelledAt === undefined)
      issue('cancelledAt', 'required for a cancelled line');
    if (line.status !== 'cancelled' && line.cancelledAt !== undefined)
      issue('cancelledAt', 'only for a cancelled line');
    if (line.cancelledAt && line.contractedAt && line.cancelledAt < line.contractedAt)
      issue('cancelledAt', 'is before contractedAt');
    if (line.registeredUser && line.registeredUserKey)
      issue('registeredUserKey', 'give the registered user or its key, not both');
  });

export type LineEventInput = z.input<typeof lineEventSchema>;
export type LineEvent = z.output<typeof lineEventSchema>;
