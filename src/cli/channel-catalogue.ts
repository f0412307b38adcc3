import {
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
} from 'kysely';
import { type ChannelDeps, createChannels } from '../channels/registry.ts';
import type { AnyChannel } from '../core/index.ts';

/**
 * The registered channels as the CLI describes them (their names, titles and
 * operations), built before any database is opened: the command tree
 * (`mamoru <channel> <operation>`, `--help`) exists before a command knows
 * where its data is. A channel factory only wires its parts together (no I/O
 * when it is built), so each is built here on dependencies that refuse to be
 * used. A command never runs these channels' operations: it runs those of the
 * channel of the Mamoru it opens, or goes through the server's API.
 */
export function describedChannels(): AnyChannel[] {
  const db = new Kysely<never>({
    dialect: {
      createAdapter: () => new PostgresAdapter(),
      createDriver: () => new RefusingDriver(),
      createIntrospector: (k) => new PostgresIntrospector(k),
      createQueryCompiler: () => new PostgresQueryCompiler(),
    },
  });
  // Whatever else a channel is built with (the keyed hasher, the decision log's reads) refuses any call.
  const deps = new Proxy({ db } as Record<string | symbol, unknown>, {
    get: (given, name) => (name in given ? given[name] : refusing(String(name))),
  });
  return createChannels(deps as unknown as ChannelDeps);
}

const describing = (what: string) =>
  new Error(`${what}: not available while the CLI describes its commands (a channel used it when built)`);

/** An object every member of which throws when called. */
function refusing(what: string): object {
  return new Proxy(
    {},
    {
      get: (_target, name) =>
        name === 'then'
          ? undefined
          : () => {
              throw describing(`${what}.${String(name)}`);
            },
    },
  );
}

/** A driver that connects to nothing: any query throws. */
class RefusingDriver implements Driver {
  async init(): Promise<void> {}
  async acquireConnection(): Promise<DatabaseConnection> {
    throw describing('the database');
  }
  async beginTransaction(): Promise<void> {}
  async commitTransaction(): Promise<void> {}
  async rollbackTransaction(): Promise<void> {}
  async releaseConnection(): Promise<void> {}
  async destroy(): Promise<void> {}
}
