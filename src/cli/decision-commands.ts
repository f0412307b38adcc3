import { type Command, InvalidArgumentError, Option } from 'commander';
import { ACTIONS, notFound } from '../core/index.ts';
import type { DecisionRecord } from '../store/index.ts';
import { positiveInt } from './config-flags.ts';
import { dataCommand, pageOf, printJson, printPage, via, withJsonFlag } from './context.ts';
import type { Column } from './table.ts';

interface DecisionRow {
  readonly seq: number;
  readonly verdict: {
    readonly id: string;
    readonly channel: string;
    readonly action: string;
    readonly score: number;
    readonly createdAt: string;
    readonly summary?: { readonly ja?: string };
  };
}

const DECISION_COLUMNS: readonly Column<DecisionRow>[] = [
  { header: 'seq', value: (d) => d.seq },
  { header: 'id', value: (d) => d.verdict.id },
  { header: 'decided', value: (d) => d.verdict.createdAt.slice(0, 19).replace('T', ' ') },
  { header: 'channel', value: (d) => d.verdict.channel },
  { header: 'action', value: (d) => d.verdict.action },
  { header: 'score', value: (d) => d.verdict.score },
  { header: 'summary', value: (d) => d.verdict.summary?.ja, max: 40 },
];

/** A cursor of the decision log: the seq of the last decision of the previous page. */
function seqCursor(value: string): string {
  if (!/^\d{1,15}$/.test(value)) throw new InvalidArgumentError('the nextCursor of the previous page');
  return value;
}

/** `decisions list|show`: the decision log read back, newest first (not for agent keys). */
export function registerDecisionCommands(program: Command): void {
  const decisions = program.command('decisions').description('判定ログ / the decision log');
  dataCommand(
    withJsonFlag(
      decisions
        .command('list')
        .description('判定の一覧（新しい順）/ list decisions, newest first')
        .option('--channel <channel>', 'チャネル / channel')
        .addOption(new Option('--action <action>', '判定 / action').choices(ACTIONS))
        .option('--limit <n>', '件数 1–500 / how many, 1–500', positiveInt, 50)
        .option('--cursor <cursor>', '前のページの続き / the next page, from the previous one', seqCursor),
    ),
  ).action(
    async (
      options: { channel?: string; action?: string; limit: number; cursor?: string; json?: boolean },
      command: Command,
    ) => {
      const page = await via(command, {
        api: async (api) =>
          pageOf<DecisionRow>(
            await api.request('GET', '/v1/decisions', {
              query: {
                limit: options.limit,
                channel: options.channel,
                action: options.action,
                cursor: options.cursor,
              },
            }),
            'decisions',
          ),
        direct: async (m, actor) => {
          const items: DecisionRecord[] = await m.store.decisions.list(actor.orgId, {
            limit: options.limit,
            ...(options.channel ? { channel: options.channel } : {}),
            ...(options.action ? { action: options.action } : {}),
            ...(options.cursor ? { beforeSeq: Number(options.cursor) } : {}),
          });
          const last = items.at(-1);
          return {
            items: items as readonly DecisionRow[],
            nextCursor: items.length === options.limit && last ? String(last.seq) : null,
          };
        },
      });
      printPage(page, DECISION_COLUMNS, options.json);
    },
  );
  dataCommand(decisions.command('show <id>').description('判定を取得 / one decision, with its event')).action(
    async (id: string, _o, command: Command) =>
      printJson(
        await via(command, {
          api: (api) => api.request('GET', `/v1/decisions/${encodeURIComponent(id)}`),
          direct: async (m, actor) => {
            const record = await m.store.decisions.get(actor.orgId, id);
            if (!record) throw notFound(`decision ${id}`);
            return record;
          },
        }),
      ),
  );
}
