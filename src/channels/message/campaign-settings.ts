import { z } from 'zod';
import type { FieldIssue } from '../../core/index.ts';

/**
 * The campaign check's settings (MESSAGE_CAMPAIGN, measure I1), under the message policy's
 * `settings.campaign`. A policy may give some keys only; each missing or ill-typed key takes its
 * default (the policy check `campaignSettingsIssues` refuses ill-typed ones when the policy is stored).
 */
export interface CampaignSettings {
  /** How far back copies count, in minutes. */
  readonly windowMinutes: number;
  /** Distinct senders (this message's included) from which near-identical texts make a campaign. */
  readonly minSenders: number;
  /** Largest Hamming distance between two 64-bit SimHashes that still counts as the same text. */
  readonly hammingThreshold: number;
  /** Fewest 3-character shingles a text needs to be compared at all (short texts repeat by chance). */
  readonly minShingles: number;
  /** How long screened messages are kept in `message_messages`, in minutes (≥ the window). */
  readonly retentionMinutes: number;
}

/**
 * Defaults: an hour's window; 3 senders; distance 6 of 64 bits, which on the UCI and Japanese smishing
 * sets joins only true near-duplicates (see docs/message.md); 20 shingles (about 22 characters of words);
 * rows kept 4 hours (4 windows), enough for an analyst to turn a campaign into indicators the same day.
 */
export const DEFAULT_CAMPAIGN_SETTINGS: CampaignSettings = Object.freeze({
  windowMinutes: 60,
  minSenders: 3,
  hammingThreshold: 6,
  minShingles: 20,
  retentionMinutes: 240,
});

const SPEC = {
  windowMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60),
  minSenders: z.number().int().min(2).max(1000),
  hammingThreshold: z.number().int().min(0).max(16),
  minShingles: z.number().int().min(1).max(1000),
  retentionMinutes: z
    .number()
    .int()
    .min(1)
    .max(30 * 24 * 60),
} as const satisfies Record<keyof CampaignSettings, z.ZodType>;

const campaignSchema = z.object(SPEC).partial().strict();

const cache = new WeakMap<object, CampaignSettings>();

/** The campaign settings of a screening's (merged) channel settings, each bad or missing key defaulted. */
export function readCampaignSettings(settings: Readonly<Record<string, unknown>>): CampaignSettings {
  const given = settings.campaign;
  if (typeof given !== 'object' || given === null) return DEFAULT_CAMPAIGN_SETTINGS;
  const known = cache.get(given);
  if (known) return known;
  const out: Record<string, number> = { ...DEFAULT_CAMPAIGN_SETTINGS };
  for (const key of Object.keys(SPEC) as (keyof CampaignSettings)[]) {
    const parsed = SPEC[key].safeParse((given as Record<string, unknown>)[key]);
    if (parsed.success) out[key] = parsed.data;
  }
  if ((out.retentionMinutes as number) < (out.windowMinutes as number))
    out.retentionMinutes = out.windowMinutes as number;
  const read = Object.freeze(out) as unknown as CampaignSettings;
  cache.set(given, read);
  return read;
}

/** What is wrong with `settings.campaign` of a message policy (paths start with `settings.campaign`). */
export function campaignSettingsIssues(settings: Readonly<Record<string, unknown>>): FieldIssue[] {
  if (settings.campaign === undefined) return [];
  const parsed = campaignSchema.safeParse(settings.campaign);
  const issues: FieldIssue[] = parsed.success
    ? []
    : parsed.error.issues.map((i) => ({
        path: ['settings', 'campaign', ...i.path.map(String)].join('.'),
        message: i.message,
      }));
  if (parsed.success) {
    const read = { ...DEFAULT_CAMPAIGN_SETTINGS, ...parsed.data };
    if (read.retentionMinutes < read.windowMinutes)
      issues.push({
        path: 'settings.campaign.retentionMinutes',
        message: 'must be at least settings.campaign.windowMinutes',
        ja: 'settings.campaign.windowMinutes 以上にしてください',
      });
  }
  return issues;
}
