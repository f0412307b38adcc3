/**
 * MAIL_SENDER_REPUTATION (measure E3: ドメインレピュテーション; E4: a
 * release raises it): the organisation's own history of each sender, kept
 * from past verdicts in `mail_reputation` — per From domain, envelope (MAIL
 * FROM) domain and client network (IPv4 /24, IPv6 /48: a sender's pool of
 * addresses, as the DNS blocklists count them). Updated in the channel's
 * `record` for every verdict with one upsert; read by the `mail.reputation`
 * enrichment (one primary-key lookup of at most three rows).
 *
 * Signals (mail policy: warn 4, hold 8, block 40):
 * - MAIL_SENDER_REPUTATION (5): most of a sender's recent mail was
 *   quarantined or refused. Alone it only warns: the reputation never
 *   quarantines a mail by itself under the standard strength, and a mail
 *   whose only positive sign is the reputation does not count as bad, so a
 *   bad ratio cannot feed on itself; a sender that turns clean recovers.
 * - MAIL_SENDER_NEW (1.5): the From domain was first seen in the last
 *   `newSenderDays` days (weak: every real sender is new once). Only once
 *   the organisation's history is older than that window: in a new
 *   installation's first week every sender is "new", and saying so would
 *   only add noise (and false quarantines under the high strength).
 * - MAIL_SENDER_REPUTATION_GOOD (−3): a From domain with a long clean
 *   history (or releases and no bad mail), aligned with the envelope domain,
 *   and no authentication failure or brand spoof in this mail: a From header
 *   is easily forged, so the good history counts only when this mail is
 *   plausibly from that sender.
 *
 * Written here rather than taken from a library: rspamd's reputation module
 * keeps its counts in Redis with its own scoring; Mamoru keeps them in the
 * organisation's database beside the verdicts they come from.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { sql } from 'kysely';
import {
  defineSignals,
  type EnrichmentRef,
  type FieldIssue,
  type Hit,
  type Verdict,
} from '../../core/index.ts';
import type { ChannelDeps } from '../channel-deps.ts';
import { type MailDb, type MailPart, type MailScreening, mailDb } from './mail-part.ts';
import type { MailPayload } from './mail-schema.ts';
import type { MailDetector, MailEnrichment, MailState } from './mail-state.ts';

export const REPUTATION_SIGNALS = defineSignals([
  {
    name: 'MAIL_SENDER_REPUTATION',
    group: 'reputation',
    weight: 5,
    description: {
      ja: '送信者のこれまでのメールの多くが隔離または拒否されている（E3）',
      en: "Most of the sender's earlier mail was quarantined or refused (E3)",
    },
    reason: {
      ja: '送信者 {sender}（{kind}）のメール {messages} 通のうち {bad} 通が隔離または拒否されています',
      en: '{bad} of the {messages} mails from {sender} ({kind}) were quarantined or refused',
    },
    customer: {
      ja: '迷惑メールを多く送っている送信元からのメールです',
      en: 'This sender has sent much unwanted mail',
    },
  },
  {
    name: 'MAIL_SENDER_NEW',
    group: 'reputation',
    weight: 1.5,
    description: {
      ja: '差出人ドメインからのメールを最近初めて受信した（新しい送信者）',
      en: 'Mail from the From domain was first received recently (a new sender)',
    },
    reason: {
      ja: '差出人ドメイン {domain} からのメールは {days} 日以内に初めて届いたものです（{messages} 通目）',
      en: 'The From domain {domain} was first seen within {days} days (message {messages})',
    },
    customer: {
      ja: '初めてメールを送ってきた送信元です',
      en: 'This sender has not written before',
    },
  },
  {
    name: 'MAIL_SENDER_REPUTATION_GOOD',
    group: 'reputation',
    weight: -3,
    description: {
      ja: '差出人ドメインに長い正常な受信履歴がある（隔離からの解放を含む）',
      en: 'The From domain has a long clean history (releases from quarantine included)',
    },
    reason: {
      ja: '差出人ドメイン {domain} からは {days} 日前から {messages} 通届いており、隔離・拒否は {bad} 通、解放は {released} 通です',
      en: 'The From domain {domain} has sent {messages} mails over {days} days: {bad} quarantined or refused, {released} released',
    },
    customer: {
      ja: 'これまで正常なメールを送ってきた送信元です',
      en: 'This sender has a good record',
    },
  },
]);

/** The kinds of sender a history is kept for. */
export const REPUTATION_KINDS = ['from', 'envelope', 'ip'] as const;
export type ReputationKind = (typeof REPUTATION_KINDS)[number];

/** One sender's history as the enrichment answers it. */
export interface SenderHistory {
  readonly kind: ReputationKind;
  readonly key: string;
  readonly firstSeen: string;
  readonly messages: number;
  readonly bad: number;
  readonly released: number;
  readonly upheld: number;
}

/** The `mail.reputation` enrichment's answer: the mail's senders and the history of each (null: never seen). */
export interface ReputationView {
  readonly senders: readonly { readonly kind: ReputationKind; readonly key: string }[];
  readonly history: readonly SenderHistory[];
  /** The first time the organisation saw any sender (null: never): how long its history goes back. */
  readonly watchingSince?: string | null;
}

export const REPUTATION: EnrichmentRef<ReputationView> = { name: 'mail.reputation' };

/** `settings.reputation`: when each signal fires. */
export interface ReputationSettings {
  /** MAIL_SENDER_NEW: the From domain was first seen at most this many days ago. */
  readonly newSenderDays: number;
  /** MAIL_SENDER_REPUTATION: a sender is judged on at least this many messages. */
  readonly minMessages: number;
  /** MAIL_SENDER_REPUTATION: at least this share of them bad (0..1). */
  readonly badRatio: number;
  /** MAIL_SENDER_REPUTATION_GOOD: first seen at least this many days ago… */
  readonly goodDays: number;
  /** …with at least this many messages… */
  readonly goodMessages: number;
  /** …and at most this share bad (0..1). */
  readonly goodMaxBadRatio: number;
}

export const DEFAULT_REPUTATION: ReputationSettings = Object.freeze({
  newSenderDays: 7,
  minMessages: 5,
  badRatio: 0.6,
  goodDays: 30,
  goodMessages: 20,
  goodMaxBadRatio: 0.02,
});

const DAY_MS = 86_400_000;

/**
 * Hits that say this mail may not come from who its From says (an
 * authentication failure, not a pass; a brand spoof; a Reply-To elsewhere):
 * the good history then does not count.
 */
const NOT_FROM_SENDER =
  /^MAIL_(?:DMARC|SPF|DKIM|ARC)_(?!.*(?:PASS|VALID|ALIGNED|SEALED|OK)$)|^MAIL_BRAND_SPOOF|^MAIL_REPLY_TO_MISMATCH$/;
/** Signals of this part: a verdict whose only positive signs are these is not counted as bad. */
const OWN: ReadonlySet<string> = new Set(REPUTATION_SIGNALS.map((s) => s.name));
/** Actions that count against the sender: quarantined (hold, review, step_up) or refused. */
const BAD_ACTIONS: ReadonlySet<string> = new Set(['hold', 'review', 'step_up', 'block']);

/**
 * The network a client address belongs to, as its history is kept: IPv4
 * `a.b.c.0/24`, IPv6 the first 48 bits `xxxx:xxxx:xxxx::/48` (IPv4-mapped
 * IPv6 as its IPv4); undefined for what is not an address. A leading
 * `IPv6:` (as Postfix hands it to a milter) is dropped.
 *
 * @example ipNetwork('203.0.113.7') // '203.0.113.0/24'; ipNetwork('2001:db8:1:2::5') // '2001:db8:1::/48'
 */
export function ipNetwork(raw: string): string | undefined {
  let ip = raw.trim();
  if (/^ipv6:/i.test(ip)) ip = ip.slice(5);
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  const zone = ip.indexOf('%');
  if (zone >= 0) ip = ip.slice(0, zone);
  if (isIPv4(ip)) {
    const [a, b, c] = ip.split('.').map(Number);
    return `${a}.${b}.${c}.0/24`;
  }
  if (!isIPv6(ip)) return undefined;
  const groups = expandIPv6(ip);
  if (!groups) return undefined;
  // ::ffff:a.b.c.d — an IPv4 client seen through a dual-stack socket.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [g6, g7] = [groups[6] as number, groups[7] as number];
    return `${g6 >> 8}.${g6 & 0xff}.${g7 >> 8}.0/24`;
  }
  const [g0, g1, g2] = groups.map((g) => g.toString(16));
  return g2 === '0' ? (g1 === '0' ? `${g0}::/48` : `${g0}:${g1}::/48`) : `${g0}:${g1}:${g2}::/48`;
}

/** The eight 16-bit groups of an IPv6 address Node accepted (`isIPv6`), a trailing IPv4 part included. */
function expandIPv6(ip: string): number[] | undefined {
  let text = ip.toLowerCase();
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const [a, b, c, d] = v4[1].split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const part = (s: string | undefined) => (s ? s.split(':').map((h) => Number.parseInt(h, 16)) : []);
  const head = part(halves[0]);
  const tail = part(halves[1]);
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  const groups = [...head, ...new Array<number>(Math.max(0, fill)).fill(0), ...tail];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff)
    ? groups
    : undefined;
}

/** The senders of a mail whose history is kept: its From domain, envelope domain and client network. */
export function mailSenders(
  payload: MailPayload,
  state: Pick<MailState, 'from' | 'mailFromDomain'>,
): { kind: ReputationKind; key: string }[] {
  const out: { kind: ReputationKind; key: string }[] = [];
  const from = state.from?.domain;
  if (from) out.push({ kind: 'from', key: from.slice(0, 253) });
  if (state.mailFromDomain) out.push({ kind: 'envelope', key: state.mailFromDomain.slice(0, 253) });
  const ip = payload.envelope.clientIp === undefined ? undefined : ipNetwork(payload.envelope.clientIp);
  if (ip) out.push({ kind: 'ip', key: ip });
  return out;
}

/**
 * Whether a verdict counts against its senders: quarantined or refused on
 * other evidence than the reputation itself (a positive hit of another
 * signal), so a bad ratio cannot grow from its own verdicts.
 */
export function countsAsBad(verdict: Pick<Verdict, 'action' | 'hits'>): boolean {
  return BAD_ACTIONS.has(verdict.action) && verdict.hits.some((h) => h.score > 0 && !OWN.has(h.signal));
}

/** The senders' histories in `mail_reputation`. */
export class ReputationStore {
  readonly #db: MailDb;
  readonly #since = new Map<string, { since: string | null; expires: number }>();

  constructor(db: MailDb) {
    this.#db = db;
  }

  /** The histories of the senders (those never seen are absent). */
  async histories(
    orgId: string,
    senders: readonly { kind: ReputationKind; key: string }[],
  ): Promise<SenderHistory[]> {
    if (senders.length === 0) return [];
    const rows = await this.#db
      .selectFrom('mail_reputation')
      .selectAll()
      .where('org_id', '=', orgId)
      .where((eb) => eb.or(senders.map((s) => eb.and([eb('kind', '=', s.kind), eb('key', '=', s.key)]))))
      .execute();
    return rows.map((r) => ({
      kind: r.kind as ReputationKind,
      key: r.key,
      firstSeen: new Date(r.first_seen).toISOString(),
      messages: Number(r.messages),
      bad: Number(r.bad),
      released: Number(r.released),
      upheld: Number(r.upheld),
    }));
  }

  /**
   * The first time the organisation saw any sender (null: never), cached in
   * this process: for an hour while it is recent, for good once it is older
   * than any window a policy sets (it only moves back in time).
   */
  async watchingSince(orgId: string, now: Date): Promise<string | null> {
    const hit = this.#since.get(orgId);
    if (
      hit &&
      (hit.expires > now.getTime() ||
        (hit.since !== null && now.getTime() - Date.parse(hit.since) > 366 * DAY_MS))
    )
      return hit.since;
    const row = await this.#db
      .selectFrom('mail_reputation')
      .select((eb) => eb.fn.min('first_seen').as('since'))
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    const since = row?.since ? new Date(row.since as Date | string).toISOString() : null;
    if (this.#since.size > 10_000) this.#since.clear();
    this.#since.set(orgId, { since, expires: now.getTime() + 3_600_000 });
    return since;
  }

  /**
   * Count one message for each of its senders, in one statement; rows are
   * written in key order, so concurrent screenings of one sender never
   * deadlock on each other's rows.
   */
  async count(
    orgId: string,
    senders: readonly { kind: ReputationKind; key: string }[],
    bad: boolean,
    at: Date,
  ): Promise<void> {
    if (senders.length === 0) return;
    const sorted = [...senders].sort((a, b) =>
      a.kind === b.kind ? (a.key < b.key ? -1 : 1) : a.kind < b.kind ? -1 : 1,
    );
    await this.#db
      .insertInto('mail_reputation')
      .values(
        sorted.map((s) => ({
          org_id: orgId,
          kind: s.kind,
          key: s.key,
          first_seen: at,
          last_seen: at,
          messages: 1,
          bad: bad ? 1 : 0,
          released: 0,
          upheld: 0,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['org_id', 'kind', 'key']).doUpdateSet({
          messages: sql`mail_reputation.messages + 1`,
          bad: sql`mail_reputation.bad + excluded.bad`,
          first_seen: sql`least(mail_reputation.first_seen, excluded.first_seen)`,
          last_seen: sql`greatest(mail_reputation.last_seen, excluded.last_seen)`,
        }),
      )
      .execute();
  }

  /**
   * A released mail (E4): counts as clean for its senders and undoes one bad
   * (never below zero); `upheld` for an appeal a person upheld.
   */
  async credit(
    orgId: string,
    senders: readonly { kind: ReputationKind; key: string }[],
    upheld: boolean,
  ): Promise<void> {
    for (const s of [...senders].sort((a, b) => (`${a.kind}:${a.key}` < `${b.kind}:${b.key}` ? -1 : 1))) {
      await this.#db
        .updateTable('mail_reputation')
        .set({
          released: sql`released + 1`,
          upheld: upheld ? sql`upheld + 1` : sql`upheld`,
          bad: sql`greatest(bad - 1, 0)`,
        })
        .where('org_id', '=', orgId)
        .where('kind', '=', s.kind)
        .where('key', '=', s.key)
        .execute();
    }
  }
}

/** The senders as the quarantine keeps them (`kind:key`), and back. */
export function senderRefs(senders: readonly { kind: ReputationKind; key: string }[]): string[] {
  return senders.map((s) => `${s.kind}:${s.key}`);
}

export function parseSenderRefs(refs: readonly string[]): { kind: ReputationKind; key: string }[] {
  const out: { kind: ReputationKind; key: string }[] = [];
  for (const ref of refs) {
    const colon = ref.indexOf(':');
    const kind = ref.slice(0, colon);
    if (colon > 0 && (REPUTATION_KINDS as readonly string[]).includes(kind))
      out.push({ kind: kind as ReputationKind, key: ref.slice(colon + 1) });
  }
  return out;
}

/** `settings.reputation` over the defaults (a field the policy does not set keeps its default). */
export function reputationSettings(settings: Readonly<Record<string, unknown>>): ReputationSettings {
  const given = settings.reputation;
  if (typeof given !== 'object' || given === null) return DEFAULT_REPUTATION;
  return { ...DEFAULT_REPUTATION, ...(given as Partial<ReputationSettings>) };
}

/** What is wrong with `settings.reputation`. */
export function reputationSettingsIssues(settings: Readonly<Record<string, unknown>>): FieldIssue[] {
  const given = settings.reputation;
  if (given === undefined) return [];
  if (typeof given !== 'object' || given === null || Array.isArray(given))
    return [
      { path: 'settings.reputation', message: 'must be an object', ja: 'オブジェクトで指定してください' },
    ];
  const issues: FieldIssue[] = [];
  for (const [key, value] of Object.entries(given)) {
    const path = `settings.reputation.${key}`;
    if (!Object.hasOwn(DEFAULT_REPUTATION, key)) {
      issues.push({ path, message: 'is not a known field', ja: '不明な項目です' });
      continue;
    }
    const ratio = key === 'badRatio' || key === 'goodMaxBadRatio';
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (ratio ? value >= 0 && value <= 1 : value >= 0 && value <= 36500);
    if (!ok)
      issues.push(
        ratio
          ? { path, message: 'must be a number from 0 to 1', ja: '0 以上 1 以下の数で指定してください' }
          : {
              path,
              message: 'must be a number from 0 to 36500',
              ja: '0 以上 36500 以下の数で指定してください',
            },
      );
  }
  return issues;
}

/** The hits of a mail's sender histories (pure: the detector's work, exported for tests). */
export function reputationHits(
  view: ReputationView,
  settings: ReputationSettings,
  now: Date,
  earlier: readonly Pick<Hit, 'signal'>[],
): Hit[] {
  const hits: Hit[] = [];
  const byKind = new Map(view.history.map((h) => [`${h.kind}:${h.key}`, h]));
  const bad = view.history
    .filter((h) => h.messages >= Math.max(1, settings.minMessages) && h.bad / h.messages >= settings.badRatio)
    .sort((a, b) => b.bad / b.messages - a.bad / a.messages);
  const worst = bad[0];
  if (worst)
    hits.push({
      signal: 'MAIL_SENDER_REPUTATION',
      evidence: bad.map((h) => `${h.kind}=${h.key} bad=${h.bad}/${h.messages}`),
      params: { sender: worst.key, kind: worst.kind, messages: worst.messages, bad: worst.bad },
    });
  const fromSender = view.senders.find((s) => s.kind === 'from');
  if (!fromSender) return hits;
  const from = byKind.get(`from:${fromSender.key}`);
  const days = from ? Math.floor((now.getTime() - Date.parse(from.firstSeen)) / DAY_MS) : 0;
  const window = settings.newSenderDays * DAY_MS;
  const watched =
    typeof view.watchingSince === 'string' && now.getTime() - Date.parse(view.watchingSince) >= window;
  if (!from || now.getTime() - Date.parse(from.firstSeen) < window) {
    if (!watched) return hits;
    hits.push({
      signal: 'MAIL_SENDER_NEW',
      evidence: [`from=${fromSender.key}`, from ? `first_seen=${from.firstSeen}` : 'first_seen=now'],
      params: { domain: fromSender.key, days: settings.newSenderDays, messages: (from?.messages ?? 0) + 1 },
    });
    return hits;
  }
  const clean =
    days >= settings.goodDays &&
    from.messages >= settings.goodMessages &&
    from.bad / from.messages <= settings.goodMaxBadRatio;
  const redeemed = from.released > 0 && from.bad === 0 && days >= settings.newSenderDays;
  if (!(clean || redeemed) || worst) return hits;
  const envelope = view.senders.find((s) => s.kind === 'envelope');
  if (envelope && !aligned(envelope.key, fromSender.key)) return hits;
  if (earlier.some((h) => NOT_FROM_SENDER.test(h.signal))) return hits;
  hits.push({
    signal: 'MAIL_SENDER_REPUTATION_GOOD',
    evidence: [
      `from=${from.key}`,
      `messages=${from.messages}`,
      `bad=${from.bad}`,
      `released=${from.released}`,
    ],
    params: { domain: from.key, days, messages: from.messages, bad: from.bad, released: from.released },
  });
  return hits;
}

/** Relaxed alignment of two domains (DMARC's sense, without a public-suffix list): one is the other or under it. */
function aligned(a: string, b: string): boolean {
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`) || sameParent(a, b);
}

function sameParent(a: string, b: string): boolean {
  const tail = (d: string) => d.split('.').slice(-2).join('.');
  // Two labels are the organisational domain for .com-like names; three for example.co.jp-like ones.
  const tail3 = (d: string) => d.split('.').slice(-3).join('.');
  const twoLevel = /\.(?:co|ne|or|ac|go|ed|gr|lg|ad|com|net|org|gov|edu)\.[a-z]{2}$/;
  return twoLevel.test(a) || twoLevel.test(b) ? tail3(a) === tail3(b) : tail(a) === tail(b);
}

/**
 * The sender reputation part: the `mail.reputation` enrichment, the detector
 * (post stage: the good history needs this mail's authentication hits), and
 * the count of every verdict in `record`.
 */
export function reputationPart(deps: ChannelDeps): MailPart {
  const store = new ReputationStore(mailDb(deps));
  const enrichment: MailEnrichment<ReputationView> = {
    name: REPUTATION.name,
    budgetMs: 200,
    output: (v: unknown): v is ReputationView =>
      typeof v === 'object' && v !== null && Array.isArray((v as ReputationView).history),
    run: async (screening) => {
      const senders = mailSenders(screening.event.payload, screening.state);
      const [history, watchingSince] = await Promise.all([
        store.histories(screening.event.orgId, senders),
        store.watchingSince(screening.event.orgId, screening.now),
      ]);
      return { senders, history, watchingSince };
    },
  };
  const detector: MailDetector = {
    name: 'mail.reputation',
    stage: 'post',
    signals: REPUTATION_SIGNALS.map((s) => s.name),
    needs: [REPUTATION.name],
    run: (_event, ctx) =>
      reputationHits(ctx.enriched(REPUTATION), reputationSettings(ctx.settings), ctx.now, ctx.hits),
  };
  return {
    signals: REPUTATION_SIGNALS,
    detectors: [detector],
    enrichments: [enrichment],
    defaultSettings: { reputation: DEFAULT_REPUTATION },
    settingsIssues: reputationSettingsIssues,
    record: async (verdict: Verdict, screening: MailScreening) => {
      const senders =
        screening.enriched(REPUTATION)?.senders ?? mailSenders(screening.event.payload, screening.state);
      await store.count(verdict.orgId, senders, countsAsBad(verdict), screening.now);
    },
  };
}
