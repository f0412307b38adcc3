import { z } from 'zod';
import { INDICATOR_TYPES, INDICATOR_VERDICTS, SHARING_SCOPES, textRule } from '../core/index.ts';
import { MAX_RAW_LENGTH } from './invalid-indicator.ts';
import { IDENTITY_FIELDS } from './normalise-identity.ts';

// Free text under the text rule (src/core/text.ts): no NUL, unpaired surrogate or invisible format character.
const storable = (max: number) => z.string().max(max).superRefine(textRule('text'));

// A one-line name under the same rule.
const label = (max: number) => z.string().max(max).trim().min(1).superRefine(textRule('name'));

const datetime = z.iso.datetime({ offset: true });

const identityObject = z
  .object(
    Object.fromEntries(
      IDENTITY_FIELDS.map((f) => [f, f === 'name' ? z.string().max(1000) : z.string().max(2000).optional()]),
    ) as {
      name: z.ZodString;
      birthdate: z.ZodOptional<z.ZodString>;
      address: z.ZodOptional<z.ZodString>;
      document: z.ZodOptional<z.ZodString>;
    },
  )
  .strict()
  .describe('本人確認済みの属性 / Verified identity attributes (type identity only)');

export const indicatorTypeSchema = z.enum(INDICATOR_TYPES).describe('指標の種類 / Indicator type');
export const indicatorVerdictSchema = z
  .enum(INDICATOR_VERDICTS)
  .describe('指標の判定 / What the indicator says: malicious, suspicious or benign');
export const sharingScopeSchema = z
  .enum(SHARING_SCOPES)
  .describe('共有範囲: org=自組織のみ, partners=提携組織, public=全組織 / Who may see it');

/** Tag: a short label (1–64 characters, no control characters). */
export const tagSchema = label(64);

/**
 * A new indicator, or a sighting of a known one (the HTTP body of
 * `POST /v1/indicators`, one line of a bulk import). `value` is the raw
 * value: it is normalised for its type (and hashed for bank_account, card,
 * identity) before it is stored. With `hashed: true` the value is already
 * the keyed hash a partner shares.
 */
export const indicatorInputSchema = z
  .object({
    type: indicatorTypeSchema,
    value: z
      .union([z.string().min(1).max(MAX_RAW_LENGTH), identityObject])
      .describe(
        '値（生の値。種類ごとに正規化し、機微な種類は鍵付きハッシュにする）/ Raw value, normalised per type',
      ),
    hashed: z
      .boolean()
      .optional()
      .describe(
        '値が既に鍵付きハッシュ（64桁16進）か / The value is already the keyed hash (sensitive types)',
      ),
    verdict: indicatorVerdictSchema.default('malicious'),
    confidence: z
      .number()
      .int()
      .min(0)
      .max(100)
      .default(50)
      .describe('確信度 0–100（STIX の尺度）/ Confidence 0–100 (the STIX scale)'),
    source: label(200).default('manual').describe('情報源 / Where it came from (feed, analyst, case)'),
    scope: sharingScopeSchema.default('org'),
    firstSeen: datetime.optional().describe('初観測日時 / First seen (ISO 8601)'),
    lastSeen: datetime.optional().describe('最終観測日時 / Last seen (ISO 8601); now when absent'),
    expiresAt: datetime.nullable().optional().describe('有効期限 / Expiry (ISO 8601); never when null'),
    tags: z.array(tagSchema).max(50).default([]).describe('タグ / Tags'),
    description: storable(2000).optional().describe('説明 / Description'),
  })
  .strict()
  .refine((v) => v.type === 'identity' || typeof v.value === 'string', {
    path: ['value'],
    message: 'must be a string (an object is accepted for identity only)',
  })
  .refine((v) => !v.firstSeen || !v.lastSeen || Date.parse(v.firstSeen) <= Date.parse(v.lastSeen), {
    path: ['firstSeen'],
    message: 'must not be after lastSeen',
  })
  .describe('脅威指標の登録 / An indicator to create or refresh')
  .meta({
    examples: [
      {
        type: 'url',
        value: 'https://amazon-co-jp.account-verify.example/login',
        verdict: 'malicious',
        confidence: 95,
        source: 'jpcert-feed',
        scope: 'partners',
        expiresAt: '2027-01-01T00:00:00+09:00',
        tags: ['phishing', 'amazon'],
        description: 'Amazon を装うフィッシング / Amazon phishing',
      },
    ],
  });
export type IndicatorInput = z.input<typeof indicatorInputSchema>;

/** A change to an indicator (`PATCH /v1/indicators/{id}`): type and value never change. */
export const indicatorPatchSchema = z
  .object({
    verdict: indicatorVerdictSchema.optional(),
    confidence: z.number().int().min(0).max(100).optional().describe('確信度 0–100 / Confidence 0–100'),
    source: label(200).optional().describe('情報源 / Source'),
    scope: sharingScopeSchema.optional(),
    expiresAt: datetime.nullable().optional().describe('有効期限（null で無期限）/ Expiry; null for never'),
    tags: z.array(tagSchema).max(50).optional().describe('タグ（置き換え）/ Tags (replaced)'),
    description: storable(2000)
      .nullable()
      .optional()
      .describe('説明（null で削除）/ Description; null clears it'),
  })
  .strict()
  .refine((p) => Object.values(p).some((v) => v !== undefined), { message: 'change at least one field' })
  .describe('脅威指標の変更 / A change to an indicator')
  .meta({ examples: [{ verdict: 'suspicious', confidence: 60, tags: ['smishing'], expiresAt: null }] });
export type IndicatorPatch = z.input<typeof indicatorPatchSchema>;

/** Filters for listing an organisation's own indicators (query string of `GET /v1/indicators`). */
export const indicatorQuerySchema = z
  .object({
    type: indicatorTypeSchema.optional(),
    verdict: indicatorVerdictSchema.optional(),
    scope: sharingScopeSchema.optional(),
    source: label(200).optional().describe('情報源で絞り込み / Filter by source'),
    value: z
      .string()
      .min(1)
      .max(MAX_RAW_LENGTH)
      .optional()
      .describe(
        '値で検索: type と一緒なら正規化（機微な種類はキー付きハッシュ）して完全一致、type なしなら部分一致（大文字小文字を区別しない）/ Search by value: with type, the value normalised (keyed-hashed for sensitive types) matches exactly; without type, any value containing the text (case-insensitive; reads the list)',
      ),
    limit: z.coerce.number().int().min(1).max(1000).default(100).describe('件数 1–1000 / Page size'),
    cursor: z
      .string()
      .regex(/^ind_[0-9a-z]{26}$/, 'not a cursor of this list (use nextCursor as given)')
      .optional()
      .describe('前のページの nextCursor / The previous page’s nextCursor'),
  })
  .strict()
  .describe('脅威指標の一覧条件 / Indicator list filters');
export type IndicatorQuery = z.input<typeof indicatorQuerySchema>;

/** One raw value to look up (`POST /v1/indicators/lookup`): own, partners' and public indicators. */
export const indicatorLookupSchema = z
  .object({
    type: indicatorTypeSchema,
    value: z.union([z.string().min(1).max(MAX_RAW_LENGTH), identityObject]),
    hashed: z.boolean().optional(),
  })
  .strict()
  .describe('脅威指標の照会 / Look up one value')
  .meta({ examples: [{ type: 'phone', value: '+81300000000' }] });
export type IndicatorLookupInput = z.input<typeof indicatorLookupSchema>;

/**
 * An indicator as the API returns it (the response schema, for the OpenAPI
 * document). For sensitive types `value` is the keyed hash and `hashed` is true.
 */
export const indicatorSchema = z
  .object({
    id: z.string(),
    orgId: z.string(),
    type: indicatorTypeSchema,
    value: z
      .string()
      .describe('正規化済みの値（機微な種類は鍵付きハッシュ）/ Normalised value, or the keyed hash'),
    hashed: z
      .boolean()
      .describe('値が鍵付きハッシュか（bank_account・card・identity）/ The value is the keyed hash'),
    verdict: indicatorVerdictSchema,
    confidence: z.number().int(),
    source: z.string(),
    scope: sharingScopeSchema,
    firstSeen: z.string(),
    lastSeen: z.string(),
    expiresAt: z.string().nullable(),
    tags: z.array(z.string()),
    description: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .describe('脅威指標 / An indicator');
export type Indicator = z.output<typeof indicatorSchema>;
