import type { Command } from 'commander';
import { isRole, ROLES } from '../cases/roles.ts';
import { MamoruError, notFound } from '../core/index.ts';
import { pageFrom } from '../server/paging.ts';
import { positiveInt } from './config-flags.ts';
import { dataCommand, type PageOptions, pageOf, printJson, printPage, via, withJsonFlag } from './context.ts';
import { type Column, cellText } from './table.ts';

interface KeyRow {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly outlet: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

const day = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : null);

const KEY_COLUMNS: readonly Column<KeyRow>[] = [
  { header: 'id', value: (k) => k.id },
  { header: 'name', value: (k) => k.name, max: 32 },
  { header: 'role', value: (k) => k.role },
  { header: 'outlet', value: (k) => k.outlet },
  { header: 'created', value: (k) => day(k.createdAt) },
  { header: 'last used', value: (k) => day(k.lastUsedAt) },
  { header: 'revoked', value: (k) => day(k.revokedAt) },
];

interface OrgRow {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

const ORG_COLUMNS: readonly Column<OrgRow>[] = [
  { header: 'id', value: (o) => o.id },
  { header: 'name', value: (o) => o.name, max: 40 },
  { header: 'created', value: (o) => day(o.createdAt) },
];

/** `keys create|list|revoke`, `orgs list|create|partner` and `whoami`. */
export function registerKeyCommands(program: Command): void {
  const keys = program.command('keys').description('API キー / API keys');
  dataCommand(
    keys
      .command('create')
      .description('API キーを発行（一度だけ表示）/ create an API key (shown once)')
      .requiredOption('--name <name>', '名前 / name')
      .requiredOption('--role <role>', `役割 / role: ${ROLES.join(', ')}`)
      .option(
        '--origin <origin>',
        '一つの発生元に限定（agent・system のみ）/ bind an agent or system key to one origin: shop:<id>, agency:<id>, online…',
      )
      .option('--outlet <outlet>', '--origin の旧名 / the older name of --origin'),
  ).action(
    async (options: { name: string; role: string; origin?: string; outlet?: string }, command: Command) => {
      const { role } = options;
      if (!isRole(role)) {
        throw new MamoruError('validation_failed', `--role must be one of ${ROLES.join(', ')}`, {
          issues: [{ path: '--role', message: 'unknown role' }],
        });
      }
      const origin = options.origin ?? options.outlet;
      const body = { name: options.name, role, ...(origin ? { origin } : {}) };
      printJson(
        await via(command, {
          api: (api) => api.request('POST', '/v1/keys', { json: body }),
          direct: (m, actor) => m.createKey(actor, body),
        }),
      );
      process.stderr.write('このキーは二度と表示されません / the key is shown this once only\n');
    },
  );
  dataCommand(
    withJsonFlag(
      keys
        .command('list')
        .description('API キーの一覧 / list keys')
        .option('--limit <n>', '件数 1–500 / how many, 1–500', positiveInt, 100)
        .option('--cursor <cursor>', '前のページの続き / the next page, from the previous one'),
    ),
  ).action(async (options: PageOptions, command: Command) => {
    const query = { limit: options.limit, cursor: options.cursor };
    const page = await via(command, {
      api: async (api) => pageOf<KeyRow>(await api.request('GET', '/v1/keys', { query }), 'keys'),
      direct: async (m, actor) => pageFrom(await m.store.keys.list(actor.orgId), (k) => k.id, query),
    });
    printPage(page, KEY_COLUMNS, options.json);
  });
  dataCommand(
    keys
      .command('revoke <id>')
      .description('API キーを失効（以後のリクエストは 401）/ revoke a key (401 from now on)'),
  ).action(async (id: string, _o, command: Command) => {
    await via(command, {
      api: (api) => api.request('DELETE', `/v1/keys/${encodeURIComponent(id)}`),
      direct: async (m, actor) => {
        if (!(await m.store.keys.revoke(actor.orgId, id))) throw notFound(`key ${id}`);
      },
    });
    process.stdout.write(`失効しました / revoked: ${id}\n`);
  });

  const orgs = program.command('orgs').description('組織 / organisations');
  dataCommand(
    withJsonFlag(
      orgs
        .command('list')
        .description(
          '組織の一覧（運営組織の管理者には全組織）/ list organisations (all of them for operator admins)',
        )
        .option('--limit <n>', '件数 1–500 / how many, 1–500', positiveInt, 100)
        .option('--cursor <cursor>', '前のページの続き / the next page, from the previous one'),
    ),
  ).action(async (options: PageOptions, command: Command) => {
    const query = { limit: options.limit, cursor: options.cursor };
    const page = await via(command, {
      api: async (api) => pageOf<OrgRow>(await api.request('GET', '/v1/orgs', { query }), 'organisations'),
      direct: async (m) => pageFrom(await m.store.orgs.list(), (o) => o.id, query),
    });
    printPage(page, ORG_COLUMNS, options.json);
  });
  dataCommand(
    orgs
      .command('create <name>')
      .description(
        '組織を作成し最初の管理者キーを発行（運営組織の管理者のみ）/ create an organisation and its first admin key (operator admins only)',
      ),
  ).action(async (name: string, _o, command: Command) => {
    printJson(
      await via(command, {
        api: (api) => api.request('POST', '/v1/orgs', { json: { name } }),
        direct: async (m, actor) => {
          const organisation = await m.store.orgs.create({ name });
          const admin = await m.store.keys.create({
            orgId: organisation.id,
            name: 'admin',
            role: 'admin',
            createdBy: actor.id,
          });
          return { organisation, admin };
        },
      }),
    );
  });
  dataCommand(
    orgs
      .command('partner <id> <partnerOrgId>')
      .description(
        '組織間の共有関係を登録（提携先の partners 指標が見える）/ record a partnership: each sees the other’s partners-scope indicators',
      ),
  ).action(async (id: string, partnerOrgId: string, _o, command: Command) => {
    await via(command, {
      api: (api) =>
        api.request('POST', `/v1/orgs/${encodeURIComponent(id)}/partners`, { json: { partnerOrgId } }),
      direct: async (m) => {
        const [a, b] = await Promise.all([m.store.orgs.get(id), m.store.orgs.get(partnerOrgId)]);
        if (!a) throw notFound(`organisation ${id}`);
        if (!b || a.id === b.id)
          throw new MamoruError(
            'validation_failed',
            `partnerOrgId: ${b ? 'same as the organisation' : 'no such organisation'}`,
            {
              issues: [
                { path: 'partnerOrgId', message: b ? 'same as the organisation' : 'no such organisation' },
              ],
            },
          );
        await m.store.orgs.addPartner(a.id, b.id);
      },
    });
    process.stdout.write(`提携を登録しました / partners: ${id} ⇄ ${partnerOrgId}\n`);
  });

  dataCommand(
    withJsonFlag(
      program
        .command('whoami')
        .description('接続先とキー・組織を表示 / where commands go, with which key and organisation'),
    ),
  ).action(async (options: { json?: boolean }, command: Command) => {
    const me = await via<Record<string, unknown>>(command, {
      api: async (api) => ({
        via: api.url,
        from: api.source,
        ...(await api.request<Record<string, unknown>>('GET', '/v1/me')),
      }),
      direct: async (m, actor) => ({
        via: `database (${m.store.kind})`,
        keyId: actor.id,
        role: actor.role,
        organisation: await m.store.orgs.get(actor.orgId),
        operator: await m.isOperator(actor.orgId),
      }),
    });
    if (options.json) {
      printJson(me);
      return;
    }
    const org = me.organisation as { id?: string; name?: string } | undefined;
    const lines = [
      `接続先 / via: ${cellText(me.via)}${me.from ? ` (${cellText(me.from)})` : ''}`,
      `キー / key: ${cellText(me.keyId)} (${cellText(me.role)})`,
      `組織 / organisation: ${cellText(org?.id)} ${cellText(org?.name ?? '')}${me.operator ? ' [operator]' : ''}`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  });
}
