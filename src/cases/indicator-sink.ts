import type { Kysely } from 'kysely';
import type { IndicatorRef, IndicatorVerdict, SharingScope } from '../core/indicator.ts';
import type { Database } from '../store/schema.ts';

/** How a denied case's indicators are recorded. */
export interface IndicatorSinkOptions {
  readonly verdict: Extract<IndicatorVerdict, 'malicious'>;
  /** `case:<case id>`, so every shared indicator traces back to the decision behind it. */
  readonly source: string;
  readonly scope: SharingScope;
  /**
   * The transaction the resolution is written in. The sink must write through
   * it: the indicators then commit or roll back with the resolution, and on
   * PGlite (one connection) a write through another handle would wait forever
   * for the open transaction.
   */
  readonly db: Kysely<Database>;
}

/**
 * Where a denied case sends the indicators extracted from its decision (a
 * phone number, URL, mule account…) when the resolver chooses to share them.
 * The intel module implements it; `add` upserts (an indicator already known
 * is refreshed, not duplicated). A sink that throws fails the resolution.
 */
export interface IndicatorSink {
  add(orgId: string, refs: readonly IndicatorRef[], options: IndicatorSinkOptions): Promise<unknown>;
  /**
   * Called once the resolution's transaction has committed what `add` wrote
   * (optional). A sink that caches lookups forgets the values here too: until
   * the commit, other connections could still read, and cache, the old answer.
   */
  committed?(orgId: string, refs: readonly IndicatorRef[], options: IndicatorSinkOptions): void;
}
