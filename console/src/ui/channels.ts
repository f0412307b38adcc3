import { useQuery } from '@tanstack/react-query';
import { api } from '../api.ts';
import type { Action, Localized } from '../types.ts';

/** One signal a channel can raise, as the catalogue `GET /v1/channels` lists it. */
export interface CatalogueSignal {
  readonly name: string;
  readonly group?: string;
  readonly weight?: number;
  readonly description: Localized;
  readonly forceAction?: Action;
}

/** One channel of the catalogue: its title, signals and example payload. */
export interface CatalogueChannel {
  readonly name: string;
  readonly title: Localized;
  readonly signals: readonly CatalogueSignal[];
  readonly example?: unknown;
}

export const CHANNELS_QUERY = ['channels'] as const;

/**
 * The channel catalogue (`GET /v1/channels`, any signed-in key). It changes only
 * with a deployment, so it is fetched once per session.
 */
export function useChannelCatalogue() {
  return useQuery({
    queryKey: CHANNELS_QUERY,
    queryFn: () => api<{ items: readonly CatalogueChannel[] }>('/v1/channels'),
    staleTime: Number.POSITIVE_INFINITY,
    retry: false,
    select: (data) => data.items,
  });
}

/** A signal's description by name, across every channel of the catalogue (undefined when unknown). */
export function describeSignal(
  channels: readonly CatalogueChannel[] | undefined,
  signal: string,
  channel?: string,
): Localized | undefined {
  if (!channels) return undefined;
  const own = channels.find((c) => c.name === channel);
  const found =
    own?.signals.find((s) => s.name === signal) ??
    channels.flatMap((c) => c.signals).find((s) => s.name === signal);
  return found?.description;
}
