import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { isRole, ROLES } from '../cases/roles.ts';
import { MamoruError } from '../core/index.ts';
import { storeOptions } from '../mamoru.ts';
import { openStore } from '../store/index.ts';
import { registerAuditCommands } from './audit-commands.ts';
import { configFrom, DATA_FLAGS, printJson, withMamoru } from './context.ts';
import { positiveInt, withConfigFlags } from './main.ts';

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new MamoruError('validation_failed', `${file}: ${(error as Error).message}`, {
      issues: [{ path: file, message: 'not readable JSON' }],
    });
  }
}

/** `keys`, `orgs`, `policy`, `audit` and `db` commands. */
export function registerAdminCommands(program: Command): void {
  const keys = program.command('keys').description('API キー / API keys');
  withConfigFlags(
    keys
      .command('create')
      .description('API キーを発行（一度だけ表示）/ create an API key (shown once)')
      .requiredOption('--name <name>', '名前 / name')
      .requiredOption('--role <role>', `役割 / role: ${ROLES.join(', ')}`)
      .option(
        '--outlet <id>',
        '販売店・代理店に限定（agent のみ）/ bind an agent key to one outlet: shop:<id>, agency:<id> or online',
      )
      .option('--org <id>', '組織 / organisation'),
    DATA_FLAGS,
  ).action(async (options: { name: string; role: string; outlet?: string }, command: Command) => {
    if (!isRole(options.role)) {
      throw new MamoruError('validation_failed', `--role must be one of ${ROLES.join(', ')}`, {
        issues: [{ path: '--role', message: 'unknown role' }],
      });
    }
    const role = options.role;
    const created = await withMamoru(command, (mamoru, actor) =>
      mamoru.store.keys.create({
        orgId: actor.orgId,
        name: options.name,
        role,
        createdBy: actor.id,
        outlet: options.outlet,
      }),
    );
    printJson(created);
  });
  withConfigFlags(
    keys
      .command('list')
      .description('API キーの一覧 / list keys')
      .option('--org <id>', '組織 / organisation'),
    DATA_FLAGS,
  ).action(async (_o, command: Command) =>
    printJson(await withMamoru(command, (m, actor) => m.store.keys.list(actor.orgId))),
  );

  const orgs = program.command('orgs').description('組織 / organisations');
  withConfigFlags(orgs.command('list').description('組織の一覧 / list organisations'), DATA_FLAGS).action(
    async (_o, command: Command) => printJson(await withMamoru(command, (m) => m.store.orgs.list())),
  );
  withConfigFlags(
    orgs.command('create <name>').description('組織を作成 / create an organisation'),
    DATA_FLAGS,
  ).action(async (name: string, _o, command: Command) =>
    printJson(await withMamoru(command, (m) => m.store.orgs.create({ name }))),
  );

  const policy = program.command('policy').description('ポリシー / policies');
  withConfigFlags(
    policy
      .command('show <channel>')
      .description('現在のポリシー / current policy')
      .option('--org <id>', '組織'),
    DATA_FLAGS,
  ).action(async (channel: string, _o, command: Command) =>
    printJson(await withMamoru(command, async (m, actor) => m.policy(actor.orgId, channel))),
  );
  withConfigFlags(
    policy
      .command('set <channel> <file>')
      .description('新しい版を保存 / store a new version from a JSON file')
      .option('--comment <text>', '変更理由 / why')
      .option('--org <id>', '組織'),
    DATA_FLAGS,
  ).action(async (channel: string, file: string, options: { comment?: string }, command: Command) => {
    const document = await readJson(file);
    printJson(
      await withMamoru(command, (m, actor) => m.putPolicy(actor, channel, document, options.comment)),
    );
  });
  withConfigFlags(
    policy
      .command('dry-run <channel> <file>')
      .description('下書きを直近の判定で試す / dry-run a draft against recent decisions')
      .option('--limit <n>', '件数 / decisions to re-score', positiveInt, 1000)
      .option('--org <id>', '組織'),
    DATA_FLAGS,
  ).action(async (channel: string, file: string, options: { limit: number }, command: Command) => {
    const document = await readJson(file);
    printJson(await withMamoru(command, (m, actor) => m.dryRun(actor, channel, document, options.limit)));
  });

  registerAuditCommands(program);

  const db = program.command('db').description('データベース / database');
  withConfigFlags(
    db.command('migrate').description('マイグレーションを実行 / run migrations'),
    DATA_FLAGS,
  ).action(async (_o, command: Command) => {
    const config = configFrom(command);
    const store = await openStore(storeOptions(config));
    await store.close();
    process.stdout.write(`migrated (${store.kind})\n`);
  });
}
