import type { Hit } from '../../../core/index.ts';
import { outletOf } from '../contract-keys.ts';
import type { ContractApplication } from '../contract-schema.ts';
import { fallbackEvidence } from '../settings.ts';
import {
  applicationEvidence,
  applicationTime,
  type ContractDetectorContext,
  contextEvidence,
  DAY_MS,
  requestedLines,
  servicesOf,
  settingsOf,
  shortKey,
  within,
} from './application.ts';
import { counted } from './labels.ts';

/** Other holders' applications listed in the evidence at most. */
const SHOWN = 20;

/** What a ring is seen through, and where its settings, key, applications and signal are. */
const RINGS = {
  address: { setting: 'sharedAddress', signal: 'CONTRACT_SHARED_ADDRESS' },
  device: { setting: 'sharedDevice', signal: 'CONTRACT_SHARED_DEVICE' },
  ip: { setting: 'sharedIp', signal: 'CONTRACT_SHARED_IP' },
} as const;
export type RingKind = keyof typeof RINGS;

/**
 * Hits for a resale ring seen through a shared address, device or IP address
 * (P6): distinct other holders applied from it within `windowDays` —
 * - at least `minOtherHolders` of them; or, caught before it has its SIMs,
 * - at least `spread.minOtherHolders` (the third holder, by default) when
 *   the ring is spread over `spread.minOutlets` shops or asks for
 *   `spread.minSmsLines` SMS-capable lines in all, this application's
 *   included (a family opening a line each at one shop is neither).
 * The evidence is the ring: its holders (keyed), outlets, sales channels,
 * time span, lines and each application. HQ's approved exception for the
 * application covers it while no newer application has arrived.
 */
export function ringHits(kind: RingKind, app: ContractApplication, ctx: ContractDetectorContext): Hit[] {
  const read = settingsOf(ctx);
  const { setting, signal } = RINGS[kind];
  const ring = read.settings[setting];
  const { windowDays, minOtherHolders } = ring;
  const spread = 'spread' in ring ? ring.spread : null;
  const context = servicesOf(ctx);
  const key = context.keys[kind];
  const seen =
    kind === 'address'
      ? context.addressHolders
      : kind === 'device'
        ? context.deviceHolders
        : context.ipHolders;
  const time = applicationTime(app, ctx.now);
  const since = new Date(time.getTime() - windowDays * DAY_MS);
  // One application per other holder (their latest), as the store loads them.
  const byHolder = new Map<string, (typeof seen)[number]>();
  for (const a of within(seen, since)) {
    if (a.holderKey === context.keys.holder) continue;
    const known = byHolder.get(a.holderKey);
    if (!known || known.submittedAt < a.submittedAt) byHolder.set(a.holderKey, a);
  }
  const others = [...byHolder.values()].sort((a, b) => a.submittedAt.localeCompare(b.submittedAt));
  const outlets = new Set([...others.map((a) => a.outlet), outletOf(app.salesChannel)]);
  const requested = requestedLines(app);
  const smsLines = others.reduce((n, a) => n + a.smsLines, requested.voice + requested.data_sms);
  const why: string[] = [];
  if (others.length >= minOtherHolders) why.push(`other_holders=${others.length} >= ${minOtherHolders}`);
  else if (spread && others.length >= spread.minOtherHolders) {
    if (outlets.size >= spread.minOutlets)
      why.push(
        `spread: other_holders=${others.length} >= ${spread.minOtherHolders} over outlets=${outlets.size} >= ${spread.minOutlets}`,
      );
    if (smsLines >= spread.minSmsLines)
      why.push(
        `spread: other_holders=${others.length} >= ${spread.minOtherHolders} asking sms_lines=${smsLines} >= ${spread.minSmsLines}`,
      );
  }
  if (why.length === 0) return [];
  const channels = new Set([...others.map((a) => a.salesChannel), app.salesChannel.type]);
  const first = others[0]!.submittedAt;
  const spanHours = Math.round((time.getTime() - Date.parse(first)) / 360_000) / 10;
  const evidence = [
    ...why,
    `${kind}=${key ? shortKey(key) : '(unknown)'}`,
    `holders=${others.length + 1}`,
    `outlets=${[...outlets].sort().join(',')}`,
    `channels=${[...channels].sort().join(',')}`,
    `span=${first} .. ${time.toISOString()} (${spanHours} h)`,
    `lines=${others.reduce((n, a) => n + a.lines, 0)} by others`,
    `sms_lines=${smsLines} (this application's included)`,
    ...others.slice(0, SHOWN).map(applicationEvidence),
    ...(others.length > SHOWN ? [`more_holders=${others.length - SHOWN}`] : []),
    ...fallbackEvidence(read, setting),
    ...contextEvidence(ctx),
  ];
  return [
    {
      signal,
      evidence,
      params: {
        windowDays,
        windowDaysEn: counted(windowDays, 'day'),
        otherHolders: others.length,
        otherHoldersEn: counted(others.length, 'holder'),
        outlets: outlets.size,
        outletsEn: counted(outlets.size, 'outlet'),
        smsLines,
        smsLinesEn: counted(smsLines, 'line'),
      },
    },
  ];
}
