import { type Command, Option } from 'commander';
import { RESOLUTIONS } from '../cases/case-effect.ts';
import { CASE_ORDERS, type ListCasesQuery, SHARE_INDICATORS } from '../cases/case-schemas.ts';
import { CASE_STATUSES } from '../cases/case-status.ts';
import { CASE_ACTIONS } from '../core/index.ts';
import type { Query } from './api-client.ts';
import { positiveInt } from './config-flags.ts';
import { dataCommand, pageOf, printJson, printPage, via, withJsonFlag } from './context.ts';
import type { Column } from './table.ts';

interface CaseRow {
  readonly id: string;
  readonly status: string;
  readonly action: string;
  readonly channel: string;
  readonly assignee: string | null;
  readonly dueAt: string;
  readonly origin?: string | null;
  readonly summary?: { readonly summary?: { readonly ja?: string; readonly en?: string } };
}

const CASE_COLUMNS: readonly Column<CaseRow>[] = [
  { header: 'id', value: (c) => c.id },
  { header: 'status', value: (c) => c.status },
  { header: 'action', value: (c) => c.action },
  { header: 'channel', value: (c) => c.channel },
  { header: 'origin', value: (c) => c.origin },
  { header: 'assignee', value: (c) => c.assignee, max: 24 },
  { header: 'due', value: (c) => c.dueAt.slice(0, 16).replace('T', ' ') },
  { header: 'summary', value: (c) => c.summary?.summary?.ja, max: 40 },
];

const path = (id: string, rest = '') => `/v1/cases/${encodeURIComponent(id)}${rest}`;

/** `cases list|show|assign|comment|resolve`: the case queue, through the server's API or on the database. */
export function registerCaseCommands(program: Command): void {
  const cases = program.command('cases').description('案件 / the case queue');
  dataCommand(
    withJsonFlag(
      cases
        .command('list')
        .description('案件の一覧（期限順）/ list cases, oldest due first')
        .addOption(new Option('--status <status>', '状態 / status').choices(CASE_STATUSES))
        .option('--channel <channel>', 'チャネル / channel')
        .addOption(new Option('--action <action>', '判定 / action').choices(CASE_ACTIONS))
        .option('--assignee <id>', '担当者 / assignee')
        .option('--overdue', '期限切れのみ / overdue only')
        .option(
          '--undelivered',
          '結果がチャネルに未反映の終了案件のみ / closed cases whose outcome the channel has not acted on',
        )
        .addOption(
          new Option('--order <order>', '並び順 / order: due (the queue) or newest').choices(CASE_ORDERS),
        )
        .option('--limit <n>', '件数 1–200 / how many, 1–200', positiveInt, 50)
        .option('--cursor <cursor>', '前のページの続き / the next page, from the previous one'),
    ),
  ).action(async (options: CaseListOptions, command: Command) => {
    const query: ListCasesQuery = {
      limit: options.limit,
      ...(options.status ? { status: options.status as (typeof CASE_STATUSES)[number] } : {}),
      ...(options.channel ? { channel: options.channel } : {}),
      ...(options.action ? { action: options.action as (typeof CASE_ACTIONS)[number] } : {}),
      ...(options.assignee ? { assignee: options.assignee } : {}),
      ...(options.overdue ? { overdue: true } : {}),
      ...(options.undelivered ? { undelivered: true } : {}),
      ...(options.order ? { order: options.order as (typeof CASE_ORDERS)[number] } : {}),
      ...(options.cursor ? { cursor: options.cursor } : {}),
    };
    const page = await via(command, {
      api: async (api) =>
        pageOf<CaseRow>(await api.request('GET', '/v1/cases', { query: query as Query }), 'cases'),
      direct: async (m, actor) => pageOf<CaseRow>(await m.cases.list(actor.orgId, query), 'cases'),
    });
    printPage(page, CASE_COLUMNS, options.json);
  });
  dataCommand(cases.command('show <id>').description('案件と履歴 / a case and its history')).action(
    async (id: string, _o, command: Command) =>
      printJson(
        await via(command, {
          api: (api) => api.request('GET', path(id)),
          direct: (m, actor) => m.cases.get(actor.orgId, id),
        }),
      ),
  );
  dataCommand(
    cases
      .command('assign <id> <assignee>')
      .description('担当者を割り当て（審査中になる）/ assign a case to a person (it moves to in_review)'),
  ).action(async (id: string, assignee: string, _o, command: Command) =>
    printJson(
      await via(command, {
        api: (api) => api.request('POST', path(id, '/assign'), { json: { assignee } }),
        direct: (m, actor) => m.cases.assign(actor, id, assignee),
      }),
    ),
  );
  dataCommand(cases.command('comment <id> <text>').description('コメントを追加 / comment on a case')).action(
    async (id: string, text: string, _o, command: Command) =>
      printJson(
        await via(command, {
          api: (api) => api.request('POST', path(id, '/comments'), { json: { text } }),
          direct: (m, actor) => m.cases.comment(actor, id, text),
        }),
      ),
  );
  dataCommand(
    cases
      .command('resolve <id>')
      .description('案件を解決 / resolve a case')
      .addOption(
        new Option('--resolution <resolution>', '承認または否認 / approved or denied')
          .choices(RESOLUTIONS)
          .makeOptionMandatory(),
      )
      .requiredOption('--reason <text>', '理由 / why')
      .addOption(
        new Option('--share <scope>', '否認時に指標を共有 / share indicators when denied')
          .choices(SHARE_INDICATORS)
          .default('none'),
      )
      .option('--no-label', '学習用ラベルを付けない / write no training label'),
  ).action(
    async (
      id: string,
      options: {
        resolution: (typeof RESOLUTIONS)[number];
        reason: string;
        share: (typeof SHARE_INDICATORS)[number];
        label: boolean;
      },
      command: Command,
    ) => {
      const body = {
        resolution: options.resolution,
        reason: options.reason,
        label: options.label,
        shareIndicators: options.share,
      };
      printJson(
        await via(command, {
          api: (api) => api.request('POST', path(id, '/resolve'), { json: body }),
          direct: async (m, actor) => {
            await m.assertMayPublish(actor.orgId, options.share, '--share');
            return m.cases.resolve(actor, id, body);
          },
        }),
      );
    },
  );
}

interface CaseListOptions {
  readonly status?: string;
  readonly channel?: string;
  readonly action?: string;
  readonly assignee?: string;
  readonly overdue?: boolean;
  readonly undelivered?: boolean;
  readonly order?: string;
  readonly limit: number;
  readonly cursor?: string;
  readonly json?: boolean;
}
