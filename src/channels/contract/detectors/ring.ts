import type { Hit } from '../../../core/index.ts';
import { outletOf } from '../contract-keys.ts';
import type { ContractApplication } from '../contract-schema.ts';
import { fallbackEvidence } from '../settings.ts';
import {
  applicationEvidence,
  applicationTime,
  type ContractDetectorContext,
  contextEvidence,
  coveringException,
  DAY_MS,
  exceptionHit,
  servicesOf,
  settingsOf,
  shortKey,
  within,
} from './application.ts';

/** Other holders' applications listed in the evidence at most. */
const SHOWN = 20;

/**
 * Hits for a resale ring seen through a shared address or device (P6): at
 * least `minOtherHolders` distinct other holders applied from it within
 * `windowDays`. The evidence is the ring: its holders (keyed), outlets,
 * sales channels, time span and each application. HQ's approved exception
 * for the application covers it while no newer application has arrived.
 */
export function ringHits(
  kind: 'address' | 'device',
  app: ContractApplication,
  ctx: ContractDetectorContext,
): Hit[] {
  const read = settingsOf(ctx);
  const setting = kind === 'address' ? 'sharedAddress' : 'sharedDevice';
  const { windowDays, minOtherHolders } = read.settings[setting];
  const context = servicesOf(ctx);
  const key = kind === 'address' ? context.keys.address : context.keys.device;
  const seen = kind === 'address' ? context.addressHolders : context.deviceHolders;
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
  if (others.length < minOtherHolders) return [];
  const outlets = new Set([...others.map((a) => a.outlet), outletOf(app.salesChannel)]);
  const channels = new Set([...others.map((a) => a.salesChannel), app.salesChannel.type]);
  const first = others[0]!.submittedAt;
  const spanHours = Math.round((time.getTime() - Date.parse(first)) / 360_000) / 10;
  const evidence = [
    `${kind}=${key ? shortKey(key) : '(unknown)'}`,
    `other_holders=${others.length} (at least ${minOtherHolders})`,
    `holders=${others.length + 1}`,
    `outlets=${[...outlets].sort().join(',')}`,
    `channels=${[...channels].sort().join(',')}`,
    `span=${first} .. ${time.toISOString()} (${spanHours} h)`,
    `lines=${others.reduce((n, a) => n + a.lines, 0)} by others`,
    ...others.slice(0, SHOWN).map(applicationEvidence),
    ...(others.length > SHOWN ? [`more_holders=${others.length - SHOWN}`] : []),
    ...fallbackEvidence(read, setting),
    ...contextEvidence(ctx),
  ];
  const signal = kind === 'address' ? 'CONTRACT_SHARED_ADDRESS' : 'CONTRACT_SHARED_DEVICE';
  const exception = coveringException(app, context);
  const approvedAt = exception ? Date.parse(exception.approvedAt) : Number.NaN;
  if (exception && others.every((a) => Date.parse(a.submittedAt) <= approvedAt)) {
    return [exceptionHit(exception, signal, evidence)];
  }
  return [
    {
      signal,
      evidence,
      params: { windowDays, otherHolders: others.length, outlets: outlets.size },
    },
  ];
}
