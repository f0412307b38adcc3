import type { Enrichment, EnrichmentRef } from '../../core/index.ts';
import type { ContractContext } from './contract-context.ts';
import type { ContractKeySet } from './contract-keys.ts';
import type { ContractApplication } from './contract-schema.ts';
import type { ContractStore } from './contract-store.ts';
import { readContractSettings } from './settings.ts';

/** The holder's lines and history (P2, P6), as the contract detectors read it. */
export const CONTRACT_HISTORY: EnrichmentRef<ContractContext> = { name: 'contract.history' };

/** The detectors that read the history declare this. */
export const NEEDS_HISTORY: readonly string[] = [CONTRACT_HISTORY.name];

/**
 * How long the history may take: one indexed statement, ~1 ms at p50 on
 * PostgreSQL with 10M lines, 3–4 ms at p99; a database slower than this
 * makes the checks that need it `enrichment_failed`, and the engine's
 * `POLICY_ENRICHMENT_FAILED` sends the application to a person.
 */
const HISTORY_BUDGET_MS = 1_000;

/**
 * The windows the store loads history for, from the carrier's settings
 * (each detector then applies its own window within what was loaded).
 */
export function windowsOf(settings: Readonly<Record<string, unknown>>) {
  const s = readContractSettings(settings).settings;
  return {
    velocityDays: s.velocity.windowDays,
    sharedAddressDays: s.sharedAddress.windowDays,
    sharedDeviceDays: s.sharedDevice.windowDays,
    sharedIpDays: s.sharedIp.windowDays,
    sharedUserDays: s.registeredUser.sharedUser.windowDays,
  };
}

const COUNT_KEYS = ['voice', 'data_sms', 'data'] as const;

/** A cheap shape check of a loaded history (it is our own store's answer; zod would parse every row on every screening). */
export function isContractContext(value: unknown): value is ContractContext {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  const lines = c.existingLines as Record<string, unknown> | undefined;
  return (
    typeof c.keys === 'object' &&
    c.keys !== null &&
    typeof lines === 'object' &&
    lines !== null &&
    COUNT_KEYS.every((k) => typeof lines[k] === 'number') &&
    Array.isArray(c.holderApplications) &&
    typeof c.recentlyCancelled === 'number' &&
    Array.isArray(c.addressHolders) &&
    Array.isArray(c.deviceHolders) &&
    Array.isArray(c.ipHolders) &&
    Array.isArray(c.sharedUsers)
  );
}

/**
 * `contract.history`: everything the contract checks read besides the
 * application, loaded by the channel's store in one statement for the
 * windows of the carrier's settings. Not cached across screenings: every
 * screening and line event changes it.
 */
export function contractHistory(
  store: ContractStore,
): Enrichment<ContractApplication, ContractKeySet, ContractContext> {
  return {
    name: CONTRACT_HISTORY.name,
    budgetMs: HISTORY_BUDGET_MS,
    output: isContractContext,
    run: (screening) =>
      store.load(screening.event, screening.now, windowsOf(screening.settings), screening.state),
  };
}
