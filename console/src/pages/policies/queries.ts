import { useQuery } from '@tanstack/react-query';
import { api } from '../../api.ts';
import type { Action, Localized, Page } from '../../types.ts';
import type { JsonObject } from './layer.ts';

/** `GET /v1/policies/{channel}` and each version of `…/versions`. */
export interface PolicyVersion {
  readonly channel: string;
  readonly version: number;
  readonly document: JsonObject;
  readonly effective: JsonObject;
  readonly fromDefault: readonly string[];
  readonly createdBy: string;
  readonly createdAt: string;
  readonly comment?: string;
}

export interface SchemaSignal {
  readonly name: string;
  readonly group?: string;
  readonly weight?: number;
  readonly description?: Localized;
  readonly forceAction?: Action | null;
  /** False for the engine's own signals (the allow and deny lists), which a policy may not set under `signals`. */
  readonly tunable: boolean;
}

/** `GET /v1/policies/{channel}/schema`: what the form is generated from. */
export interface PolicySchema {
  readonly channel: string;
  /** JSON Schema of the policy document. */
  readonly document?: JsonSchema;
  readonly signals: readonly SchemaSignal[];
  readonly actions: readonly string[];
  readonly caseActions: readonly string[];
  /** The channel's default effective document (undefined: not known). */
  readonly defaults?: JsonObject;
}

export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: JsonSchema | boolean;
  readonly items?: JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly description?: string;
  readonly minimum?: number;
  readonly maximum?: number;
}

export interface DryRunChange {
  readonly decisionId: string;
  readonly createdAt: string;
  readonly mode: string;
  readonly from: { readonly action: Action; readonly score: number };
  readonly to: { readonly action: Action; readonly score: number };
  readonly note?: Localized;
}

/** `POST /v1/policies/{channel}/dry-run`. */
export interface DryRunReport {
  readonly channel: string;
  readonly checked: number;
  readonly changed: number;
  readonly transitions: Readonly<Record<string, number>>;
  /** Every decision checked, counted by action as recorded and under the draft. */
  readonly actions: {
    readonly before: Readonly<Partial<Record<string, number>>>;
    readonly after: Readonly<Partial<Record<string, number>>>;
  };
  readonly changes: readonly DryRunChange[];
  readonly rescoredOnly?: { readonly count: number; readonly note?: Localized };
  readonly summary: Localized;
}

export const policyKey = (channel: string) => ['policy', channel] as const;
export const versionsKey = (channel: string) => ['policy', channel, 'versions'] as const;

export function usePolicy(channel: string) {
  return useQuery({
    queryKey: policyKey(channel),
    queryFn: () => api<PolicyVersion>(`/v1/policies/${encodeURIComponent(channel)}`),
  });
}

export function useVersions(channel: string) {
  return useQuery({
    queryKey: versionsKey(channel),
    queryFn: () =>
      api<Page<PolicyVersion>>(`/v1/policies/${encodeURIComponent(channel)}/versions`, {
        query: { limit: 500 },
      }),
    select: (page) => [...page.items].sort((a, b) => b.version - a.version),
  });
}

export function useVersion(channel: string, version: number | null) {
  return useQuery({
    queryKey: ['policy', channel, 'version', version],
    queryFn: () => api<PolicyVersion>(`/v1/policies/${encodeURIComponent(channel)}/versions/${version}`),
    enabled: version !== null && version > 0,
  });
}

/** The channel's policy schema (`GET /v1/policies/{channel}/schema`), once its current policy is read. */
export function usePolicySchema(channel: string, current: PolicyVersion | undefined) {
  return useQuery({
    queryKey: ['policy', channel, 'schema'],
    enabled: current !== undefined,
    staleTime: Number.POSITIVE_INFINITY,
    queryFn: () => api<PolicySchema>(`/v1/policies/${encodeURIComponent(channel)}/schema`),
  });
}
