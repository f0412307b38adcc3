import { DummyDriver, Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import type { CoreDatabase } from './schema.ts';

/**
 * A database handle that builds queries and runs none (Kysely's dummy
 * driver: every query answers no rows, nothing is written): the database of
 * a fresh installation, for `mamoru eval message` (a carrier's file screened
 * by the whole channel with no history) and for suites and benchmarks that
 * build channels without opening a store.
 *
 * @example const message = createMessageChannel({ db: emptyDatabase(), hasher, decisions, intel });
 */
export function emptyDatabase(): Kysely<CoreDatabase> {
  return new Kysely<CoreDatabase>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new DummyDriver(),
      createIntrospector: (db) => new PostgresIntrospector(db),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
}
