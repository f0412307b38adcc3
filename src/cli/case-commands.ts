import { type Command, Option } from 'commander';
import { RESOLUTIONS } from '../cases/case-effect.ts';
import { SHARE_INDICATORS } from '../cases/case-schemas.ts';
import { CASE_STATUSES } from '../cases/case-status.ts';
import { DATA_FLAGS, printJson, withMamoru } from './context.ts';
import { positiveInt, withConfigFlags } from './main.ts';

/** `cases list|show|resolve`: the case queue from the command line. */
export function registerCaseCommands(program: Command): void {
  const cases = program.command('cases').description('案件 / the case queue');
  withConfigFlags(
    cases
      .command('list')
      .description('案件の一覧 / list cases')
      .addOption(new Option('--status <status>', '状態 / status').choices(CASE_STATUSES))
      .option('--channel <channel>', 'チャネル / channel')
      .option('--overdue', '期限切れのみ / overdue only')
      .option(
        '--undelivered',
        '結果がチャネルに未反映の終了案件のみ / closed cases whose outcome the channel has not acted on',
      )
      .option('--limit <n>', '件数 / how many', positiveInt, 50)
      .option('--org <id>', '組織 / organisation'),
    DATA_FLAGS,
  ).action(
    async (
      options: { status?: string; channel?: string; overdue?: boolean; undelivered?: boolean; limit: number },
      command: Command,
    ) => {
      const page = await withMamoru(command, (m, actor) =>
        m.cases.list(actor.orgId, {
          limit: options.limit,
          ...(options.status ? { status: options.status as (typeof CASE_STATUSES)[number] } : {}),
          ...(options.channel ? { channel: options.channel } : {}),
          ...(options.overdue ? { overdue: true } : {}),
          ...(options.undelivered ? { undelivered: true } : {}),
        }),
      );
      printJson(page);
    },
  );
  withConfigFlags(
    cases
      .command('show <id>')
      .description('案件と履歴 / a case and its history')
      .option('--org <id>', '組織'),
    DATA_FLAGS,
  ).action(async (id: string, _o, command: Command) =>
    printJson(await withMamoru(command, (m, actor) => m.cases.get(actor.orgId, id))),
  );
  withConfigFlags(
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
      .option('--no-label', '学習用ラベルを付けない / write no training label')
      .option('--org <id>', '組織'),
    DATA_FLAGS,
  ).action(
    async (
      id: string,
      options: {
        resolution: 'approved' | 'denied';
        reason: string;
        share: (typeof SHARE_INDICATORS)[number];
        label: boolean;
      },
      command: Command,
    ) => {
      const resolved = await withMamoru(command, async (m, actor) => {
        await m.assertMayPublish(actor.orgId, options.share, '--share');
        return m.cases.resolve(actor, id, {
          resolution: options.resolution,
          reason: options.reason,
          label: options.label,
          shareIndicators: options.share,
        });
      });
      printJson(resolved);
    },
  );
}
