import type { Kysely } from 'kysely';
import type { IndicatorRef, IndicatorVerdict, SharingScope } from '../core/indicator.ts';
import type { Verdict } from '../core/verdict.ts';
import type { KeyedHasher } from '../intel/keyed-hash.ts';
import type { CoreDatabase } from '../store/schema.ts';
import type { DecisionReader } from '../store/store.ts';

/**
 * What every channel is built with (issue 8, item 1): the migrated database,
 * typed with the core's tables only (a channel adds its own with
 * `db.$extendTables<ItsTables>()`), the keyed hasher, and the decision log's
 * reads (a channel never queries the log's table).
 */
export interface ChannelDeps {
  readonly db: Kysely<CoreDatabase>;
  readonly hasher: KeyedHasher;
  readonly decisions: DecisionReader;
  readonly intel: ChannelIntel;
  /**
   * The case queue, for a channel that opens a case after screening (the
   * mail channel's appeal of a quarantined mail, E4); absent where no case
   * service runs (the CLI's catalogue, pure tests).
   */
  readonly cases?: ChannelCases | undefined;
}

/**
 * How a channel opens a case on one of its decisions after the screening
 * (the cases module's `CaseService.open`): at most one case per decision,
 * a second call answers the case already opened.
 */
export interface ChannelCases {
  open(
    verdict: Verdict,
    options: {
      readonly details?: Readonly<Record<string, unknown>> | undefined;
      readonly origin?: string | undefined;
    },
  ): Promise<
    { readonly case: { readonly id: string; readonly status: string }; readonly reused: boolean } | undefined
  >;
}

/** How a channel records indicators (the intel module's `IndicatorService` implements it). */
export interface ChannelIntel {
  /**
   * Upsert indicators of the organisation (an indicator already known is
   * refreshed, not duplicated); the lookups of this process see them at once.
   * Answers, per ref, whether it was new.
   */
  add(
    orgId: string,
    refs: readonly IndicatorRef[],
    options: { readonly verdict: IndicatorVerdict; readonly source: string; readonly scope: SharingScope },
  ): Promise<boolean[]>;
}
