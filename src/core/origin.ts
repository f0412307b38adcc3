import { MamoruError } from './errors.ts';

/**
 * Where an event comes from (issue 8, item 6): a shop or a sales agency
 * (line applications, P2), a web form or an app (online sign-up, posts), an MTA
 * (mail, E1–E4), a trunk or a carrier's interconnect (calls), a bank branch
 * or an internet-banking channel (transfers). A neutral concept every
 * channel can fill (`ChannelModule.origin`): written `<kind>:<id>`, or the
 * kind alone where there is only one (`online`).
 *
 * A key bound to an origin (a shop's tablet, an agency's integration, one
 * MTA) screens that origin's events only and sees that origin's cases,
 * without other people's evidence. Keys bound before this concept existed
 * were bound to an "outlet" (`shop:<id>`, `agency:<id>`, `online`): those
 * are origins of the kinds `shop`, `agency` and `online`, and keep working.
 *
 * The kinds Mamoru's channels fill today or are named by the measures; a
 * channel may use another lower-case kind (letters, digits, `_`, `-`).
 */
export const ORIGIN_KINDS = [
  'shop',
  'agency',
  'online',
  'web',
  'app',
  'api',
  'mta',
  'trunk',
  'branch',
  'platform',
] as const;

/** An origin as text: `<kind>:<id>` or `<kind>`. */
export type Origin = string;

/**
 * A kind of origin a channel fills, and whether it carries an id
 * (`shop:<id>`) or stands alone (`online`). A key may be bound only to an
 * origin some registered channel fills, so that a typo does not make a key
 * that can screen nothing.
 */
export interface OriginKind {
  readonly kind: string;
  readonly id: 'required' | 'none';
}

/** Whether an origin is of one of the kinds (any well-formed origin when none are declared). */
export function originOfKinds(origin: Origin, kinds: readonly OriginKind[]): boolean {
  if (!isOrigin(origin)) return false;
  if (kinds.length === 0) return true;
  const kind = originKind(origin);
  const hasId = origin.length > kind.length;
  return kinds.some((k) => k.kind === kind && (k.id === 'required') === hasId);
}

/** How the kinds read in a message: `shop:<id>, agency:<id>, online`. */
export function describeOriginKinds(kinds: readonly OriginKind[]): string {
  return kinds.map((k) => (k.id === 'required' ? `${k.kind}:<id>` : k.kind)).join(', ');
}

const ORIGIN = /^[a-z][a-z0-9_-]{0,31}(?::[^\p{C}\s][^\p{C}]{0,99})?$/u;

/** Whether a text is a well-formed origin (`shop:shinjuku-01`, `mta:mx1.example.jp`, `online`). */
export function isOrigin(value: unknown): value is Origin {
  return typeof value === 'string' && ORIGIN.test(value);
}

/** The kind of an origin: `shop` for `shop:shinjuku-01`, `online` for `online`. */
export function originKind(origin: Origin): string {
  const colon = origin.indexOf(':');
  return colon === -1 ? origin : origin.slice(0, colon);
}

/** The message for a malformed origin, in English (the Japanese is in the error catalogue). */
export const ORIGIN_MESSAGE =
  'must be an origin of 1–132 characters: <kind>:<id> or <kind> (shop:<id>, agency:<id>, online, mta:<host>…)';

/**
 * The origin of an event screened by a key: what the channel says the event
 * came from, else the key's own origin. A key bound to an origin may screen
 * only events from that origin.
 *
 * @throws MamoruError `forbidden` when a bound key screens another origin's event.
 */
export function screeningOrigin(
  channelOrigin: Origin | undefined,
  boundTo: Origin | undefined,
): Origin | undefined {
  const origin = channelOrigin ?? boundTo;
  if (boundTo !== undefined && origin !== boundTo) {
    throw new MamoruError(
      'forbidden',
      `this key screens for origin ${boundTo} only; the event is from ${origin ?? 'an unknown origin'}`,
    );
  }
  return origin;
}
