import { z } from 'zod';
import { type ChannelOperation, defineOperation, type IndicatorRef, notFound } from '../../core/index.ts';
import { isBrandOwnHost } from '../../intel/lookalike.ts';
import { registrableDomain } from '../../intel/normalise-domain.ts';
import { isShortenerHost } from '../../intel/url-extract.ts';
import { hostingPlatformOf } from '../../intel/url-risk.ts';
import { hammingDistance, simhashBands, simhashHex } from '../../ml/simhash.ts';
import type { ChannelIntel } from '../channel-deps.ts';
import { DEFAULT_CAMPAIGN_SETTINGS } from './campaign-settings.ts';
import type { CampaignRow, CampaignStore } from './campaign-store.ts';

/**
 * The analyst's campaign operations (MESSAGE_CAMPAIGN, measure I1): list the campaigns of the last
 * window, and turn one into indicators in one step, so that every later copy — whatever its
 * sender — is an `INTEL_MATCH_*` hit.
 */

/**
 * Registrable domains (ICANN rules) of shared sites whose users get subdomains or paths — file sharing,
 * link pages, messaging, site builders the hosting-platform list (`hostingPlatformOf`,
 * src/intel/data/hosting-platforms.json) does not hold —
 * and that the Public Suffix List does not split: a lure on `x.weebly.com` or `sites.google.com/…`
 * must not list the platform itself. (Platforms the PSL lists as private suffixes — github.io,
 * wixsite.com, duckdns.org, pages.dev … — give the user's own name as the registrable domain and are
 * listed as such.) URL shorteners are left out through `isShortenerHost`, brands' own domains through
 * the brand list.
 */
export const SHARED_PLATFORM_DOMAINS: ReadonlySet<string> = new Set([
  'page.link',
  'wix.com',
  'jimdo.com',
  'tiiny.host',
  'studio.site',
  'line.me',
  'lin.ee',
  'linktr.ee',
  'cloudfront.net',
  'dropbox.com',
  'box.com',
  'onedrive.live.com',
  'live.com',
  'sharepoint.com',
  'notion.so',
  'telegra.ph',
  't.me',
]);

/** Rows the campaign list reads at most (the latest of the window). */
const RECENT_ROWS = 5000;

/** Most indicators one campaign writes. */
const MAX_REFS = 1000;

const decisionId = z.string().trim().min(1).max(200);
const minutes = z.coerce
  .number()
  .int()
  .min(1)
  .max(7 * 24 * 60);

const indicatorsOutput = z.object({
  messages: z.number().int(),
  senders: z.number().int(),
  urls: z.array(z.string()),
  domains: z.array(z.string()),
  phones: z.array(z.string()),
  skippedDomains: z.array(z.string()),
  added: z.number().int(),
  existing: z.number().int(),
});

const campaignItem = z.object({
  simhash: z.string(),
  copies: z.number().int(),
  senders: z.number().int(),
  firstSeen: z.string(),
  lastSeen: z.string(),
  sampleDecisionId: z.string(),
  blocked: z.number().int(),
  urls: z.array(z.string()),
});

/** The domain a campaign URL's host is listed by, or why none is (a shortener, a shared platform, a brand's own). */
export function campaignDomain(host: string): { domain: string } | { skipped: string } {
  if (isShortenerHost(host)) return { skipped: host };
  if (isBrandOwnHost(host)) return { skipped: host };
  const own = registrableDomain(host, { privateSuffixes: true });
  if (typeof own !== 'string') return { skipped: host };
  const icann = registrableDomain(host);
  if (typeof icann === 'string' && own === icann) {
    if (SHARED_PLATFORM_DOMAINS.has(icann)) return { skipped: icann };
    // A free host, dynamic DNS or tunnel the PSL does not split: the platform is not the fraudster's.
    const platform = hostingPlatformOf(host);
    if (platform) return { skipped: platform.domain };
  }
  if (isShortenerHost(own)) return { skipped: own };
  return { domain: own };
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** Near-identical rows joined into clusters: rows sharing a band and within `threshold` bits, transitively. */
function clusters(rows: readonly CampaignRow[], threshold: number): CampaignRow[][] {
  const parent = rows.map((_, i) => i);
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[i] !== r) {
      const next = parent[i]!;
      parent[i] = r;
      i = next;
    }
    return r;
  };
  const buckets = new Map<string, number[]>();
  rows.forEach((row, i) => {
    simhashBands(row.fingerprint).forEach((band, k) => {
      const key = `${k}:${band}`;
      const bucket = buckets.get(key) ?? [];
      // Compared with the latest 50 of a bucket: a large cluster is already joined by then.
      for (const j of bucket.slice(-50))
        if (hammingDistance(rows[j]!.fingerprint, row.fingerprint) <= threshold) parent[find(i)] = find(j);
      bucket.push(i);
      buckets.set(key, bucket);
    });
  });
  const groups = new Map<number, CampaignRow[]>();
  rows.forEach((row, i) => {
    const root = find(i);
    const g = groups.get(root) ?? [];
    g.push(row);
    groups.set(root, g);
  });
  return [...groups.values()];
}

/** The campaign operations on the campaign store and the indicator writer. */
export function campaignOperations(store: CampaignStore, intel: ChannelIntel): ChannelOperation[] {
  return [
    defineOperation({
      name: 'campaign-indicators',
      path: 'campaigns/indicators',
      permission: 'indicators:write',
      summary: {
        ja: 'キャンペーンの URL・ドメイン・電話番号を一括で指標に登録',
        en: "Turn a campaign's URLs, domains and phone numbers into indicators in one step",
      },
      description: {
        ja: '指定した判定のメッセージとほぼ同じ文面（前後の時間窓内）を集め、その URL、ドメイン（短縮 URL や共用プラットフォーム自体は除く）と電話番号を組織の悪性指標として登録します。',
        en: 'Collects the messages near-identical to the given decision’s (within the window before and after it) and writes their URLs, domains (not shorteners or shared platforms themselves) and phone numbers as the organisation’s malicious indicators.',
      },
      input: {
        kind: 'json',
        schema: z
          .object({
            decisionId: decisionId.describe(
              'キャンペーンの一通の判定 ID / The decision id of one message of the campaign',
            ),
            windowMinutes: minutes
              .optional()
              .describe('前後の時間窓（分、既定 60）/ Minutes before and after it (default 60)'),
            hammingThreshold: z.number().int().min(0).max(16).optional(),
          })
          .strict(),
        examples: {
          one: { summary: 'キャンペーンの一通 / one message of it', value: { decisionId: 'dec_0123' } },
        },
      },
      output: indicatorsOutput,
      async run(input, ctx) {
        const orgId = ctx.actor.orgId;
        const seed = await store.message(orgId, input.decisionId);
        if (!seed) throw notFound(`message decision ${input.decisionId}`);
        const window = (input.windowMinutes ?? DEFAULT_CAMPAIGN_SETTINGS.windowMinutes) * 60_000;
        const t = seed.receivedAt.getTime();
        const { rows } = await store.neighbours(
          orgId,
          seed.fingerprint,
          { from: new Date(t - window), to: new Date(t + window) },
          input.hammingThreshold ?? DEFAULT_CAMPAIGN_SETTINGS.hammingThreshold,
          { withIndicators: true, perBand: 1000 },
        );
        if (!rows.some((r) => r.decisionId === seed.decisionId)) rows.push(seed);
        const urls = new Set<string>();
        const domains = new Set<string>();
        const skipped = new Set<string>();
        const phones = new Set<string>();
        for (const r of rows) {
          for (const url of r.urls) {
            urls.add(url);
            const host = hostOf(url);
            if (!host) continue;
            const d = campaignDomain(host);
            if ('domain' in d) domains.add(d.domain);
            else skipped.add(d.skipped);
          }
          for (const p of r.phones) if (p.startsWith('+')) phones.add(p);
        }
        const refs: IndicatorRef[] = [
          ...[...urls].map((value) => ({ type: 'url' as const, value })),
          ...[...domains].map((value) => ({ type: 'domain' as const, value })),
          ...[...phones].map((value) => ({ type: 'phone' as const, value })),
        ].slice(0, MAX_REFS);
        const added =
          refs.length === 0
            ? []
            : await intel.add(orgId, refs, {
                verdict: 'malicious',
                source: `campaign:${input.decisionId}`,
                scope: 'org',
              });
        const fresh = added.filter(Boolean).length;
        return {
          messages: rows.length,
          senders: new Set(rows.map((r) => r.sender)).size,
          urls: [...urls],
          domains: [...domains],
          phones: [...phones],
          skippedDomains: [...skipped],
          added: fresh,
          existing: added.length - fresh,
        };
      },
    }),
    defineOperation({
      name: 'campaigns',
      method: 'GET',
      path: 'campaigns',
      permission: 'decisions:read',
      summary: { ja: '最近のキャンペーン一覧', en: 'Recent campaigns' },
      description: {
        ja: '直近の時間窓に、ほぼ同じ文面を複数の送信者から受けたまとまりを、送信者の多い順に返します（最新 5,000 通まで調べます）。',
        en: 'Clusters of near-identical texts from several senders in the last window, most senders first (the latest 5,000 messages are read).',
      },
      input: {
        kind: 'query',
        schema: z
          .object({
            minutes: minutes.optional(),
            minSenders: z.coerce.number().int().min(2).max(1000).optional(),
            limit: z.coerce.number().int().min(1).max(100).optional(),
          })
          .strict(),
      },
      output: z.object({ items: z.array(campaignItem), scanned: z.number().int(), truncated: z.boolean() }),
      async run(query, ctx) {
        const span = (query.minutes ?? DEFAULT_CAMPAIGN_SETTINGS.windowMinutes) * 60_000;
        const minSenders = query.minSenders ?? DEFAULT_CAMPAIGN_SETTINGS.minSenders;
        const rows = await store.recent(ctx.actor.orgId, new Date(Date.now() - span), RECENT_ROWS);
        const items = clusters(rows, DEFAULT_CAMPAIGN_SETTINGS.hammingThreshold)
          .map((g) => ({ g, senders: new Set(g.map((r) => r.sender)).size }))
          .filter((c) => c.senders >= minSenders)
          .sort((a, b) => b.senders - a.senders || b.g.length - a.g.length)
          .slice(0, query.limit ?? 20)
          .map(({ g, senders }) => {
            // Rows come newest first.
            const newest = g[0]!;
            const oldest = g.at(-1)!;
            return {
              simhash: simhashHex(newest.fingerprint),
              copies: g.length,
              senders,
              firstSeen: oldest.receivedAt.toISOString(),
              lastSeen: newest.receivedAt.toISOString(),
              sampleDecisionId: newest.decisionId,
              blocked: g.filter((r) => r.action !== 'allow').length,
              urls: [...new Set(g.flatMap((r) => r.urls))].slice(0, 5),
            };
          });
        return { items, scanned: rows.length, truncated: rows.length >= RECENT_ROWS };
      },
    }),
  ];
}
