import type { Command } from 'commander';
import { isMamoruError } from '../core/index.ts';
import { storeOptions } from '../mamoru.ts';
import { openStore } from '../store/index.ts';
import { findServer, type ServerFile } from './api-client.ts';
import { registerAuditCommands } from './audit-commands.ts';
import { withConfigFlags } from './config-flags.ts';
import { configFrom, DATA_FLAGS, explainLocked } from './context.ts';
import { registerKeyCommands } from './key-commands.ts';
import { registerPolicyCommands } from './policy-commands.ts';

/** `keys`, `orgs`, `whoami`, `policy`, `audit` and `db` commands. */
export function registerAdminCommands(program: Command): void {
  registerKeyCommands(program);
  registerPolicyCommands(program);
  registerAuditCommands(program);

  const db = program.command('db').description('データベース / database');
  withConfigFlags(
    db
      .command('migrate')
      .description(
        'マイグレーションを実行（データベースを直接使う。サーバーは起動時に実行）/ run migrations, on the database directly (the server runs them when it starts)',
      ),
    DATA_FLAGS,
  ).action(async (_o, command: Command) => {
    const config = configFrom(command);
    let server: ServerFile | undefined;
    const store = await openStore(storeOptions(config)).catch(async (error: unknown) => {
      // The embedded database held by a running server: it migrated the schema when it started.
      server =
        isMamoruError(error) && error.code === 'conflict' ? await findServer(config.dataDir) : undefined;
      if (server) return undefined;
      throw explainLocked(error, true);
    });
    if (!store) {
      process.stdout.write(
        `起動中のサーバー (${server?.url ?? '?'}, pid ${server?.pid ?? '?'}) が起動時に移行済みです。新しいマイグレーションはサーバーの再起動で適用されます / the running server (${server?.url ?? '?'}, pid ${server?.pid ?? '?'}) migrated the schema when it started; restart it to apply newer migrations\n`,
      );
      return;
    }
    await store.close();
    process.stdout.write(`migrated (${store.kind})\n`);
  });
}
