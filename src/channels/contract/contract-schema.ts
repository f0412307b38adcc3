import { z } from 'zod';
import { isMamoruError, textRule } from '../../core/index.ts';
import { normaliseEmail } from '../../intel/normalise-email.ts';
import { normaliseIp } from '../../intel/normalise-ip.ts';
import { normalisePhone } from '../../intel/normalise-phone.ts';
import { isCorporateNumber } from './corporate-number.ts';

/**
 * A mobile line contract application (契約申込), screened at the moment of
 * contract by a shop, a sales agency (代理店) or online sign-up. Measures
 * P1–P6 of MEASURES.md.
 *
 * Identity attributes arrive raw from the carrier's KYC step and are turned
 * into keyed hashes (HMAC) before anything is stored: the decision log keeps
 * the redacted application (see `redactContract`).
 */
export const SIM_TYPES = ['voice', 'data_sms', 'data'] as const;
export type SimType = (typeof SIM_TYPES)[number];

export const SALES_CHANNELS = ['shop', 'agency', 'online'] as const;
export type SalesChannel = (typeof SALES_CHANNELS)[number];

export const HOLDER_TYPES = ['person', 'corporation'] as const;
export type HolderType = (typeof HOLDER_TYPES)[number];

/**
 * KYC methods (本人確認方法): JPKI signature certificate (公的個人認証・署名用電子証明書),
 * IC-chip reading with a face image (ICチップ読取＋顔照合), IC-chip reading alone,
 * a document checked by eye in person (券面の目視), a photo upload or a copy of a
 * document (画像・写しの送付), or reliance on another service's KYC (他社の本人確認結果への依拠).
 */
export const KYC_METHODS = [
  'jpki_signature',
  'ic_chip_face',
  'ic_chip',
  'document_visual',
  'document_photo',
  'document_copy',
  'reliance',
] as const;
export type KycMethod = (typeof KYC_METHODS)[number];

/** How the customer authenticated an added line (追加回線): P3 wants more than ID + password. */
export const ADDED_LINE_AUTH = ['password', 'otp', 'biometric', 'passkey', 'in_person_ic'] as const;
export type AddedLineAuth = (typeof ADDED_LINE_AUTH)[number];

/** How the representative's employment (在籍確認) was verified. */
export const EMPLOYMENT_METHODS = [
  'phone_callback',
  'employee_id',
  'corporate_registry_letter',
  'in_person',
] as const;

const isoDate = z.iso.date().describe('YYYY-MM-DD');
const isoDateTime = z.iso.datetime({ offset: true }).describe('ISO 8601 date-time');
/** Clock skew allowed between the carrier's systems and Mamoru for a time that has already happened. */
const CLOCK_SKEW_MS = 10 * 60_000;
/** A time that has already happened (a verification): one in the future would stay fresh for ever. */
const pastDateTime = isoDateTime.refine(
  (s) => Date.parse(s) <= Date.now() + CLOCK_SKEW_MS,
  'must not be in the future',
);
/** Text under the one text rule (src/core/text.ts): no NUL, unpaired surrogate or invisible format character. */
const text = (max: number) => z.string().trim().min(1).max(max).superRefine(textRule('text'));

/** A value normalised at the edge (E.164 phone, lower-cased e-mail); a value that is not one is a 400 naming it. */
const normalised = (normalise: (raw: string) => string) =>
  z
    .string()
    .max(320)
    .transform((raw, ctx) => {
      try {
        return normalise(raw);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: isMamoruError(error) ? error.message : String(error) });
        return z.NEVER;
      }
    });

/** Verified identity attributes, as read by JPKI or the IC chip. Hashed at the edge, never stored. */
export const identitySchema = z
  .object({
    name: text(200).describe('氏名 / name'),
    birthDate: isoDate.describe('生年月日 / date of birth'),
    address: text(500).describe('住所 / address'),
    documentSerial: text(100).optional().describe('証明書・IC チップのシリアル / document or IC serial'),
  })
  .strict();

/**
 * The real user of a line (利用者登録, P6) when not the holder: who they are,
 * keyed like a holder (HMAC of name and birth date, `userKey`) so that one
 * person registered as the user of lines under many holders is seen. The
 * address is optional (the carrier may not hold it); with it, the user's
 * identity key also matches deny lists.
 */
export const registeredUserSchema = z
  .object({
    name: text(200).describe('利用者の氏名 / name of the real user'),
    birthDate: isoDate.describe('利用者の生年月日 / date of birth of the real user'),
    address: text(500).optional().describe('利用者の住所 / address of the real user'),
    documentSerial: text(100).optional().describe('証明書・IC チップのシリアル / document or IC serial'),
  })
  .strict();

/** The basis of a representative's authority to act for a corporation (代理権). */
export const AUTHORITY_BASES = ['representative', 'letter_of_authority'] as const;
export type AuthorityBasis = (typeof AUTHORITY_BASES)[number];

export const holderSchema = z
  .object({
    type: z.enum(HOLDER_TYPES),
    /** The natural person: the holder, or for a corporation its representative (代表者・担当者). */
    identity: identitySchema,
    corporation: z
      .object({
        corporateNumber: z
          .string()
          .regex(/^\d{13}$/, 'must be 13 digits')
          .refine(isCorporateNumber, 'check digit does not match (not a corporate number)')
          .describe('法人番号 / corporate number'),
        name: text(300),
        employmentVerification: z
          .object({ method: z.enum(EMPLOYMENT_METHODS), verifiedAt: pastDateTime })
          .strict()
          .optional()
          .describe('代表者・担当者の在籍確認 / employment verification of the representative'),
        authority: z
          .object({
            /** `representative`: the representative director (代表者) in person, checked against the corporate registry; `letter_of_authority`: a letter of authority (委任状) from the corporation. */
            basis: z.enum(AUTHORITY_BASES),
            /** The date of the registry certificate (登記事項証明書) or of the letter of authority. */
            issuedOn: isoDate.refine(
              (d) => Date.parse(d) <= Date.now() + CLOCK_SKEW_MS,
              'must not be in the future',
            ),
          })
          .strict()
          .optional()
          .describe(
            '代理権の確認（代表者本人または委任状と、その日付）/ authority to act: representative or letter of authority, with its date',
          ),
      })
      .strict()
      .optional(),
  })
  .strict()
  .refine((h) => (h.type === 'corporation') === (h.corporation !== undefined), {
    path: ['corporation'],
    message: 'required for a corporation, and only for one',
  });

export const identityVerificationSchema = z
  .object({
    method: z.enum(KYC_METHODS),
    /** Identity assurance level of the evidence (1 low … 3 high, as NIST SP 800-63A IAL). */
    assuranceLevel: z.number().int().min(1).max(3),
    performedAt: pastDateTime,
    /** The service relied on (for `reliance`). */
    provider: text(200).optional(),
    /** Expiry of the document shown (expired documents are refused). */
    documentExpiry: isoDate.optional(),
  })
  .strict()
  .refine((v) => v.method !== 'reliance' || v.provider !== undefined, {
    path: ['provider'],
    message: 'required when relying on another service',
  });

export const lineRequestSchema = z
  .object({
    simType: z.enum(SIM_TYPES),
    count: z.number().int().min(1).max(10_000).default(1),
    /** The carrier's product code (a tourist prepaid SIM, an IoT module…), for exemptions. */
    product: text(100).optional(),
    purpose: text(1000).optional().describe('利用目的 / declared purpose'),
    /** The real user when not the holder (利用者登録); hashed like the holder. */
    registeredUser: registeredUserSchema.optional(),
  })
  .strict();

export const contractSchema = z
  .object({
    /** The carrier's application id: re-screening the same id after an approved exception passes. */
    applicationId: text(200),
    salesChannel: z
      .object({ type: z.enum(SALES_CHANNELS), shopId: text(100).optional(), agencyId: text(100).optional() })
      .strict()
      .refine((c) => c.type !== 'agency' || c.agencyId !== undefined, {
        path: ['agencyId'],
        message: 'required for an agency',
      }),
    holder: holderSchema,
    /** Absent when no identity verification was done (a data SIM sold without KYC). */
    identityVerification: identityVerificationSchema.optional(),
    lines: z.array(lineRequestSchema).min(1).max(100),
    /** For a line added to an existing contract: how the customer authenticated. */
    addedLine: z
      .object({
        authentication: z.enum(ADDED_LINE_AUTH),
        /** The existing line the new one is added to (E.164), matched against the carrier's deny list. */
        lineNumber: normalised(normalisePhone)
          .optional()
          .describe('追加元の回線番号 / the existing line number'),
      })
      .strict()
      .optional(),
    /** The customer's contact number and e-mail (連絡先), matched against deny lists and shared intel. */
    contactPhone: normalised(normalisePhone).optional().describe('連絡先電話番号 / contact phone number'),
    contactEmail: normalised(normaliseEmail).optional().describe('連絡先メールアドレス / contact e-mail'),
    /** The customer signed a pledge (誓約書) about the lines' use. */
    pledgeSigned: z.boolean().default(false),
    /** Device fingerprint of the sign-up (online) or the shop terminal's customer session. */
    deviceFingerprint: text(200).optional(),
    /**
     * What the carrier's sign-up system knows of an online session (seed 001:
     * 生成AIを悪用した自作プログラムによる不正契約 — sign-ups by program): the
     * client's IP address (stored only as a keyed hash), the session's device
     * id, the seconds taken to fill the form and the attempts made.
     */
    session: z
      .object({
        ipAddress: normalised(normaliseIp).optional().describe('申込元 IP アドレス / client IP address'),
        deviceId: text(200).optional().describe('セッションの端末 ID / device id of the session'),
        formSeconds: z
          .number()
          .min(0)
          .max(86_400)
          .optional()
          .describe('入力にかかった秒数 / seconds taken to fill the form'),
        attempts: z
          .number()
          .int()
          .min(1)
          .max(10_000)
          .optional()
          .describe('申込の試行回数 / attempts in this session'),
      })
      .strict()
      .optional()
      .describe('オンライン申込のセッション情報 / online sign-up session facts'),
    submittedAt: isoDateTime.optional(),
  })
  .strict();

export type ContractApplication = z.output<typeof contractSchema>;
export type Identity = z.output<typeof identitySchema>;
export type RegisteredUser = z.output<typeof registeredUserSchema>;
