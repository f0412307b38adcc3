/**
 * Per-recipient filter strength of the mail channel (E1: 適切なフィルタ強度;
 * E4: fewer false blocks for whoever asks): `low | standard | high`, kept
 * per recipient's keyed hash in `mail_recipient_strength`, read for each
 * mail by the `mail.recipients` enrichment, and mapped by the channel's
 * `thresholds` hook (pure: it reads the enrichment's answer) to the
 * thresholds in `settings.strength`. Also the recipients' keyed hash that
 * the quarantine shares.
 */
import { z } from 'zod';
import {
  type ChannelOperation,
  defineOperation,
  type EnrichmentRef,
  type FieldIssue,
  type ThresholdProfile,
} from '../../core/index.ts';
import type { KeyedHasher } from '../../intel/keyed-hash.ts';
import { LruCache } from '../../intel/lru-cache.ts';
import { normaliseEmail } from '../../intel/normalise-email.ts';
import type { ChannelDeps } from '../channel-deps.ts';
import { thresholdLevelIssues } from '../strength-thresholds.ts';
import { type MailDb, type MailScreening, mailDb } from './mail-part.ts';
import type { MailDetector, MailEnrichment } from './mail-state.ts';

/** Filter strengths a recipient chooses: fewer quarantines, the policy's thresholds, more. */
export const STRENGTHS = ['low', 'standard', 'high'] as const;
export type Strength = (typeof STRENGTHS)[number];

/** Thresholds of one strength: warn (delivered with warning headers), hold (quarantine), block (550). */
export interface MailThresholds {
  readonly warn: number;
  readonly hold: number;
  readonly block: number;
}

/**
 * Default thresholds per strength (`settings.strength`); standard is absent,
 * so the policy's own thresholds (warn 4, hold 8, block 40) decide. Low
 * lets one strong sign alone (4–5) through unlabelled and quarantines only
 * at 12 (two strong signs and a weak one), refusing at 50; high warns on
 * one weak-to-middling sign (3), quarantines at 6 (one strong sign with a
 * weak one) and refuses at 30. Low keeps block well above hold: a recipient
 * who chose fewer quarantines should still find a doubtful mail in the
 * quarantine, not have it refused at SMTP time.
 */
export const DEFAULT_STRENGTH: Readonly<Partial<Record<Strength, MailThresholds>>> = Object.freeze({
  low: Object.freeze({ warn: 6, hold: 12, block: 50 }),
  high: Object.freeze({ warn: 3, hold: 6, block: 30 }),
});

const RANK: Readonly<Record<Strength, number>> = { low: 0, standard: 1, high: 2 };
/** How long a recipient's strength is reused in this process (another process sees a write after this). */
export const STRENGTH_CACHE_TTL_MS = 10_000;
/** Recipients of one mail whose strength is looked up (RFC 5321 asks servers to take 100). */
export const MAX_LOOKED_UP_RECIPIENTS = 100;

/**
 * The keyed hash a mail recipient is known by in the mail channel's tables
 * (quarantine, strength): the `email` keyed hash of the normalised address
 * (`normaliseEmail`), else, for an address that does not normalise (a local
 * domain), the `identity` hash of `mailrcpt:` and the address in lower case.
 */
export function recipientKey(hasher: KeyedHasher, address: string): string {
  try {
    return hasher.hash('email', normaliseEmail(address));
  } catch {
    return hasher.hash('identity', `mailrcpt:${address.normalize('NFKC').trim().toLowerCase()}`);
  }
}

/** What screening knows of the recipients (the `mail.recipients` enrichment's answer). */
export interface RecipientsView {
  /** Keyed hash of each envelope recipient, in envelope order. */
  readonly keys: readonly string[];
  /** The strictest strength of the recipients (standard when none set one). */
  readonly strength: Strength;
}

/** The recipients' keys and strength, read by the thresholds hook and the quarantine's record. */
export const RECIPIENTS: EnrichmentRef<RecipientsView> = { name: 'mail.recipients' };

function isRecipientsView(v: unknown): v is RecipientsView {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return (
    Array.isArray(o.keys) &&
    o.keys.every((k) => typeof k === 'string') &&
    (STRENGTHS as readonly unknown[]).includes(o.strength)
  );
}

/** The strictest of several strengths: one verdict per message, so whoever asked for more protection gets it. */
export function strictest(strengths: Iterable<Strength>): Strength {
  let best: Strength | undefined;
  for (const s of strengths) if (best === undefined || RANK[s] > RANK[best]) best = s;
  return best ?? 'standard';
}

/**
 * Recipients' strengths in `mail_recipient_strength`, keyed by the recipient's
 * keyed hash, with a per-process cache ({@link STRENGTH_CACHE_TTL_MS}) that a
 * write through this store forgets at once.
 */
export class StrengthStore {
  readonly #db: MailDb;
  readonly #cache = new LruCache<string, { strength: Strength; expires: number }>(50_000);

  constructor(db: MailDb) {
    this.#db = db;
  }

  /** The strengths of the keys (standard for a key with no row). */
  async strengths(orgId: string, keys: readonly string[], now = Date.now()): Promise<Strength[]> {
    const out = new Map<string, Strength>();
    const missing: string[] = [];
    for (const key of new Set(keys)) {
      const hit = this.#cache.get(`${orgId}\u0000${key}`);
      if (hit && hit.expires > now) out.set(key, hit.strength);
      else missing.push(key);
    }
    if (missing.length > 0) {
      const rows = await this.#db
        .selectFrom('mail_recipient_strength')
        .select(['recipient_key', 'strength'])
        .where('org_id', '=', orgId)
        .where('recipient_key', 'in', missing)
        .execute();
      const found = new Map(rows.map((r) => [r.recipient_key, asStrength(r.strength)]));
      for (const key of missing) {
        const strength = found.get(key) ?? 'standard';
        out.set(key, strength);
        this.#cache.set(`${orgId}\u0000${key}`, { strength, expires: now + STRENGTH_CACHE_TTL_MS });
      }
    }
    return keys.map((k) => out.get(k) ?? 'standard');
  }

  async set(orgId: string, key: string, strength: Strength, by: string): Promise<void> {
    await this.#db
      .insertInto('mail_recipient_strength')
      .values({ org_id: orgId, recipient_key: key, strength, updated_by: by, updated_at: new Date() })
      .onConflict((oc) =>
        oc
          .columns(['org_id', 'recipient_key'])
          .doUpdateSet({ strength, updated_by: by, updated_at: new Date() }),
      )
      .execute();
    this.#cache.delete(`${orgId}\u0000${key}`);
  }
}

function asStrength(v: unknown): Strength {
  return (STRENGTHS as readonly unknown[]).includes(v) ? (v as Strength) : 'standard';
}

/**
 * What is wrong with `settings.strength`: an object whose keys are strengths,
 * each `{ warn, hold, block }` of finite numbers with 0 < warn < hold < block
 * ≤ 10^6. A policy's `settings.strength` replaces the default object whole;
 * a strength it does not name falls back to its default (standard: the
 * policy's thresholds).
 */
export function strengthSettingsIssues(settings: Readonly<Record<string, unknown>>): FieldIssue[] {
  const strength = settings.strength;
  if (strength === undefined) return [];
  if (typeof strength !== 'object' || strength === null || Array.isArray(strength))
    return [
      {
        path: 'settings.strength',
        message: 'must be an object: { low?, standard?, high? } each { warn, hold, block }',
        ja: '{ low?, standard?, high? } の形（それぞれ { warn, hold, block }）のオブジェクトで指定してください',
      },
    ];
  const issues: FieldIssue[] = [];
  for (const [name, value] of Object.entries(strength)) {
    const path = `settings.strength.${name}`;
    if (!(STRENGTHS as readonly string[]).includes(name)) {
      issues.push({
        path,
        message: 'must be low, standard or high',
        ja: 'low・standard・high のいずれかで指定してください',
      });
      continue;
    }
    issues.push(...thresholdLevelIssues(value, path, ['warn', 'hold', 'block']));
  }
  return issues;
}

const PROFILES = new WeakMap<object, Partial<Record<Strength, ThresholdProfile | null>>>();

/**
 * The thresholds of a strength under the channel settings: from
 * `settings.strength.<strength>`, else {@link DEFAULT_STRENGTH}; undefined
 * (the policy's own thresholds) for standard unless the settings name it.
 */
export function strengthProfile(
  strength: Strength,
  settings: Readonly<Record<string, unknown>>,
): ThresholdProfile | undefined {
  let made = PROFILES.get(settings);
  if (!made) {
    made = {};
    PROFILES.set(settings, made);
  }
  const known = made[strength];
  if (known !== undefined) return known ?? undefined;
  const given = (settings.strength as Partial<Record<Strength, MailThresholds>> | undefined)?.[strength];
  const t = given ?? DEFAULT_STRENGTH[strength];
  const profile = t
    ? Object.freeze({
        name: strength,
        thresholds: Object.freeze({ warn: t.warn, hold: t.hold, block: t.block }),
      })
    : null;
  made[strength] = profile;
  return profile ?? undefined;
}

/** The channel's `thresholds` hook: the recipients' strictest strength; the policy's thresholds without the answer. */
export function mailThresholds(screening: MailScreening): ThresholdProfile | undefined {
  const view = screening.enriched(RECIPIENTS);
  return view ? strengthProfile(view.strength, screening.settings) : undefined;
}

const recipientField = z
  .string()
  .trim()
  .min(3)
  .max(320)
  .describe(
    '受信者のメールアドレス。キー付きハッシュにして保存し、そのままは保存しません / The recipient address; stored only as its keyed hash',
  );

/**
 * The recipients' strength: the `mail.recipients` enrichment (budget 200 ms;
 * cached answers return at once), a detector that fires nothing but makes
 * the engine run it (a policy that disables `mail.recipients` turns the
 * strengths off), and the `strength` / `strength-set` operations.
 */
export function strengthParts(deps: Pick<ChannelDeps, 'db' | 'hasher'>): {
  store: StrengthStore;
  enrichment: MailEnrichment<RecipientsView>;
  detector: MailDetector;
  operations: ChannelOperation[];
} {
  const store = new StrengthStore(mailDb(deps));
  const enrichment: MailEnrichment<RecipientsView> = {
    name: RECIPIENTS.name,
    budgetMs: 200,
    output: isRecipientsView,
    run: async (screening) => {
      const keys = screening.event.payload.envelope.rcptTo.map((r) => recipientKey(deps.hasher, r));
      const strengths = await store.strengths(screening.event.orgId, keys.slice(0, MAX_LOOKED_UP_RECIPIENTS));
      return { keys, strength: strictest(strengths) };
    },
  };
  const detector: MailDetector = {
    name: 'mail.recipients',
    stage: 'post',
    signals: [],
    needs: [RECIPIENTS.name],
    run: () => [],
  };
  const output = z.object({
    recipient: z.string(),
    recipientKey: z.string().describe('受信者のキー付きハッシュ / The keyed hash of the recipient'),
    strength: z.enum(STRENGTHS),
  });
  const operations: ChannelOperation[] = [
    defineOperation({
      name: 'strength-show',
      method: 'GET',
      path: 'strength',
      permission: 'subscribers:read',
      summary: { ja: '受信者のフィルタ強度を取得', en: "Read a recipient's filter strength" },
      input: { kind: 'query', schema: z.object({ recipient: recipientField }).strict() },
      output,
      run: async (input, ctx) => {
        const key = recipientKey(deps.hasher, input.recipient);
        const [strength] = await store.strengths(ctx.actor.orgId, [key], 0);
        return { recipient: input.recipient, recipientKey: key, strength: strength ?? 'standard' };
      },
    }),
    defineOperation({
      name: 'strength-set',
      path: 'strength',
      permission: 'subscribers:write',
      summary: { ja: '受信者のフィルタ強度を変更', en: "Change a recipient's filter strength" },
      description: {
        ja: 'low（隔離が少ない）・standard（ポリシーのしきい値）・high（隔離が多い）。複数の受信者宛てのメールには最も強い設定を使います。',
        en: 'low (fewer quarantines), standard (the policy thresholds), high (more). A mail to several recipients gets the strictest.',
      },
      input: {
        kind: 'json',
        schema: z.object({ recipient: recipientField, strength: z.enum(STRENGTHS) }).strict(),
        examples: {
          high: {
            summary: '強度を高に / strength high',
            value: { recipient: 'user@example.jp', strength: 'high' },
          },
        },
      },
      output,
      run: async (input, ctx) => {
        const key = recipientKey(deps.hasher, input.recipient);
        await store.set(ctx.actor.orgId, key, input.strength, ctx.actor.id);
        return { recipient: input.recipient, recipientKey: key, strength: input.strength };
      },
    }),
  ];
  return { store, enrichment, detector, operations };
}
