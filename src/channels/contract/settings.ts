import { z } from 'zod';
import { ADDED_LINE_AUTH, HOLDER_TYPES, KYC_METHODS, SALES_CHANNELS, SIM_TYPES } from './contract-schema.ts';

/**
 * The contract channel's settings (measures P1–P6): every threshold a
 * detector uses, with the defaults below. A carrier's policy `settings`
 * override them key by key, at any depth (`{ lineCaps: { person: { voice: 6 } } }`
 * changes one cap and keeps the rest); lists (`kycRules`, `exemptProducts`,
 * `addedLineFactors`, …) are replaced whole.
 *
 * A value of the wrong type never breaks screening: the detector uses the
 * default for that one value and says so in its evidence
 * (`setting_fallback=…`); `contractSettingsIssues` (policy.ts) reports it
 * when the policy is checked. Documented rule by rule in `docs/contract.md`.
 */

const count = z.number().int().min(0).max(1_000_000);
/** A cap or threshold; `null` turns it off. */
const limit = count.nullable();
const days = z.number().positive().max(3650);
const assurance = z.number().int().min(1).max(3);
const holders = z.number().int().min(1).max(1000);

/**
 * A KYC rule set (本人確認方法のルール): from `from` (a date in Japan), the
 * methods a sales channel accepts. The rule in force for an application is
 * the one of its channel with the latest `from` on or before the
 * application's date (Japan time).
 */
export const kycRuleSchema = z
  .object({
    from: z.iso.date(),
    channel: z.enum(SALES_CHANNELS),
    allowed: z.array(z.enum(KYC_METHODS)).min(1).max(KYC_METHODS.length),
    /** A name for the rule set, shown in evidence (e.g. the regulation it implements). */
    label: z.string().min(1).max(200).optional(),
  })
  .strict();
export type KycRule = z.output<typeof kycRuleSchema>;

const capSet = { voice: limit, data: limit };
/**
 * A ring seen early (P6): `minOtherHolders` other holders are enough when the
 * ring is spread over `minOutlets` shops or asks for `minSmsLines` SMS-capable
 * lines in all (voice and data+SMS, this application's included) — a family
 * opening one line each at one shop is not; `null` turns it off.
 */
const ringSpread = z
  .object({
    minOtherHolders: holders,
    minOutlets: holders,
    minSmsLines: z.number().int().min(1).max(1_000_000),
  })
  .strict()
  .nullable();
const velocityLimits = { maxApplications: limit, maxLines: limit, maxOutlets: limit };

/** The shape of the settings: a zod schema at each leaf, plain objects for sections. */
const SPEC = {
  lineCaps: { person: capSet, corporation: capSet },
  dataSmsCountsAs: z.enum(['voice', 'data']),
  exemptProducts: z.array(z.string().trim().min(1).max(100)).max(1000),
  addedLineFactors: z.array(z.enum(ADDED_LINE_AUTH)).min(1).max(ADDED_LINE_AUTH.length),
  kycRules: z.array(kycRuleSchema).max(500),
  kycRuleDate: { maxBackdateDays: days },
  refuseExpiredDocuments: z.boolean(),
  reliance: {
    minAssurance: { voice: assurance, data_sms: assurance, data: assurance },
    maxAgeDays: days,
  },
  corporate: { employmentMaxAgeDays: days, authorityMaxAgeDays: days, requireAuthority: z.boolean() },
  velocity: {
    windowDays: days,
    person: velocityLimits,
    corporation: velocityLimits,
    maxCancelledLines: limit,
  },
  sharedAddress: { windowDays: days, minOtherHolders: holders, spread: ringSpread },
  sharedDevice: { windowDays: days, minOtherHolders: holders, spread: ringSpread },
  sharedIp: { windowDays: days, minOtherHolders: holders },
  automation: { minFormSeconds: z.number().min(0).max(3600).nullable(), maxAttempts: limit },
  registeredUser: {
    freeLines: count,
    simTypes: z.array(z.enum(SIM_TYPES)).max(SIM_TYPES.length),
    holderTypes: z.array(z.enum(HOLDER_TYPES)).max(HOLDER_TYPES.length),
    corporateSimTypes: z.array(z.enum(SIM_TYPES)).max(SIM_TYPES.length),
    sharedUser: { windowDays: days, minOtherHolders: holders },
  },
  pledge: { requiredFromSmsLines: limit, requiredOverCap: z.boolean() },
} as const;

type Spec = { readonly [key: string]: z.ZodType | Spec };
type Infer<S> = S extends z.ZodType ? z.output<S> : { readonly [K in keyof S]: Infer<S[K]> };

/** The contract channel's settings, as the detectors read them. */
export type ContractSettings = Infer<typeof SPEC>;

/** A cap group: voice lines (with SMS-capable data lines by default) or data-only lines. */
export type CapGroup = keyof ContractSettings['lineCaps']['person'];

/**
 * The defaults: the industry rule of 5 voice lines per person with SMS-capable
 * data SIMs counted like voice, 10 data-only lines, corporations outside the
 * person caps with their own volume threshold (100 voice/SMS lines, no cap on
 * data-only lines), and the KYC rule sets before and from 2026-04-01.
 */
export const DEFAULT_CONTRACT_SETTINGS: ContractSettings = deepFreeze({
  lineCaps: {
    person: { voice: 5, data: 10 },
    corporation: { voice: 100, data: null },
  },
  dataSmsCountsAs: 'voice',
  exemptProducts: ['tourist_prepaid', 'iot_module'],
  addedLineFactors: ['otp', 'biometric', 'passkey', 'in_person_ic'],
  kycRules: [
    {
      from: '2000-01-01',
      channel: 'shop',
      allowed: ['jpki_signature', 'ic_chip_face', 'ic_chip', 'document_visual', 'document_copy', 'reliance'],
      label: '従来ルール / rules before 2026-04',
    },
    {
      from: '2000-01-01',
      channel: 'agency',
      allowed: ['jpki_signature', 'ic_chip_face', 'ic_chip', 'document_visual', 'document_copy', 'reliance'],
      label: '従来ルール / rules before 2026-04',
    },
    {
      from: '2000-01-01',
      channel: 'online',
      allowed: ['jpki_signature', 'ic_chip_face', 'ic_chip', 'document_photo', 'document_copy', 'reliance'],
      label: '従来ルール / rules before 2026-04',
    },
    {
      from: '2026-04-01',
      channel: 'shop',
      allowed: ['jpki_signature', 'ic_chip_face', 'ic_chip', 'document_visual', 'reliance'],
      label: '2026-04 厳格化 / tightened 2026-04',
    },
    {
      from: '2026-04-01',
      channel: 'agency',
      allowed: ['jpki_signature', 'ic_chip_face', 'ic_chip', 'document_visual', 'reliance'],
      label: '2026-04 厳格化 / tightened 2026-04',
    },
    {
      from: '2026-04-01',
      channel: 'online',
      allowed: ['jpki_signature', 'ic_chip_face'],
      label: '2026-04 厳格化 / tightened 2026-04',
    },
  ],
  kycRuleDate: { maxBackdateDays: 30 },
  refuseExpiredDocuments: true,
  reliance: { minAssurance: { voice: 3, data_sms: 3, data: 2 }, maxAgeDays: 180 },
  corporate: { employmentMaxAgeDays: 30, authorityMaxAgeDays: 90, requireAuthority: true },
  velocity: {
    windowDays: 30,
    person: { maxApplications: 3, maxLines: 5, maxOutlets: 2 },
    corporation: { maxApplications: 10, maxLines: null, maxOutlets: 3 },
    maxCancelledLines: 1,
  },
  sharedAddress: {
    windowDays: 7,
    minOtherHolders: 3,
    spread: { minOtherHolders: 2, minOutlets: 2, minSmsLines: 5 },
  },
  sharedDevice: { windowDays: 7, minOtherHolders: 2, spread: null },
  sharedIp: { windowDays: 1, minOtherHolders: 3 },
  automation: { minFormSeconds: 60, maxAttempts: 5 },
  registeredUser: {
    freeLines: 2,
    simTypes: ['voice', 'data_sms'],
    holderTypes: ['person'],
    corporateSimTypes: ['voice', 'data_sms'],
    sharedUser: { windowDays: 90, minOtherHolders: 2 },
  },
  pledge: { requiredFromSmsLines: 3, requiredOverCap: true },
});

/** A setting that was wrong, and what was used instead. */
export interface SettingIssue {
  /** Dotted path of the setting (`lineCaps.person.voice`). */
  readonly path: string;
  readonly message: string;
}

/** Settings as read: every value usable, and the issues of the values that fell back to the default. */
export interface ReadSettings {
  readonly settings: ContractSettings;
  readonly issues: readonly SettingIssue[];
}

const cache = new WeakMap<object, ReadSettings>();

/**
 * Read the contract settings out of a policy's merged `settings` (the
 * detectors' `ctx.settings`): each value checked against its schema; a
 * missing value takes the default silently, a wrong one takes the default
 * and is listed in `issues`; unknown keys are listed too. Never throws.
 * Remembered per settings object (the engine shares one per policy version).
 *
 * @example readContractSettings({ lineCaps: { person: { voice: 'six' } } }).issues
 * // [{ path: 'lineCaps.person.voice', message: 'Invalid input: expected number, received string' }]
 */
export function readContractSettings(raw: Readonly<Record<string, unknown>> | undefined): ReadSettings {
  if (raw === undefined || raw === null || typeof raw !== 'object') {
    return { settings: DEFAULT_CONTRACT_SETTINGS, issues: [] };
  }
  const cached = cache.get(raw);
  if (cached) return cached;
  const issues: SettingIssue[] = [];
  const settings = readSection(SPEC, DEFAULT_CONTRACT_SETTINGS, raw, '', issues) as ContractSettings;
  const read: ReadSettings = Object.freeze({ settings: deepFreeze(settings), issues: Object.freeze(issues) });
  cache.set(raw, read);
  return read;
}

/**
 * Evidence lines for the settings a detector read that fell back to their
 * default (`setting_fallback=<path>: <message>`), for the given top-level keys.
 */
export function fallbackEvidence(read: ReadSettings, ...keys: readonly (keyof ContractSettings)[]): string[] {
  if (read.issues.length === 0) return [];
  return read.issues
    .filter((i) => keys.some((k) => i.path === k || i.path.startsWith(`${k}.`)))
    .map((i) => `setting_fallback=${i.path}: ${i.message} (default used)`);
}

function isSchema(value: unknown): value is z.ZodType {
  return value instanceof z.ZodType;
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readSection(
  spec: Spec,
  defaults: Readonly<Record<string, unknown>>,
  raw: unknown,
  path: string,
  issues: SettingIssue[],
): Record<string, unknown> {
  const at = (key: string) => (path === '' ? key : `${path}.${key}`);
  let given: Readonly<Record<string, unknown>> | undefined;
  if (raw !== undefined) {
    if (isPlainObject(raw)) given = raw;
    else issues.push({ path: path || '(settings)', message: 'expected an object' });
  }
  if (given) {
    for (const key of Object.keys(given)) {
      if (!Object.hasOwn(spec, key))
        issues.push({ path: at(key), message: 'unknown setting: the policy is refused' });
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, leaf] of Object.entries(spec)) {
    const fallback = defaults[key];
    const value = given && Object.hasOwn(given, key) ? given[key] : undefined;
    if (!isSchema(leaf)) {
      out[key] = readSection(leaf, fallback as Record<string, unknown>, value, at(key), issues);
      continue;
    }
    if (value === undefined) {
      out[key] = fallback;
      continue;
    }
    const parsed = leaf.safeParse(value);
    if (parsed.success) {
      out[key] = parsed.data;
    } else {
      const first = parsed.error.issues[0];
      const inner = first && first.path.length > 0 ? ` at ${first.path.join('.')}` : '';
      issues.push({ path: at(key), message: `${first?.message ?? 'invalid'}${inner}` });
      out[key] = fallback;
    }
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
