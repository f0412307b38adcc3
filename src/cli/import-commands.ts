import { type Command, InvalidArgumentError } from 'commander';
import { notFound } from '../core/index.ts';
import { ImportReports } from '../intel/import-reports.ts';
import { positiveInt } from './config-flags.ts';
import { dataCommand, pageOf, printJson, printPage, via, withJsonFlag } from './context.ts';
import type { Column } from './table.ts';

interface RejectionRow {
  readonly line: number;
  readonly field: string;
  readonly message: string;
}

const REJECTION_COLUMNS: readonly Column<RejectionRow>[] = [
  { header: 'line', value: (r) => r.line },
  { header: 'field', value: (r) => r.field, max: 32 },
  { header: 'message', value: (r) => r.message, max: 100 },
];

function rowCursor(value: string): string {
  if (!/^\d{1,10}$/.test(value)) throw new InvalidArgumentError('the nextCursor of the previous page');
  return value;
}

const importPath = (id: string, rest = '') => `/v1/imports/${encodeURIComponent(id)}${rest}`;

/**
 * `imports show <id>` and `imports rejections <id>`: what a bulk import did,
 * and every line it rejected (an import prints its first 1,000 only).
 */
export function registerImportCommands(program: Command): void {
  const imports = program.command('imports').description('一括取り込みの結果 / bulk import reports');
  dataCommand(imports.command('show <id>').description('取り込みの結果 / what an import did')).action(
    async (id: string, _o, command: Command) =>
      printJson(
        await via(command, {
          api: (api) => api.request('GET', importPath(id)),
          direct: async (m, actor) => {
            const report = await new ImportReports(m.store.db).get(actor.orgId, id);
            if (!report) throw notFound(`import ${id}`);
            return report;
          },
        }),
      ),
  );
  dataCommand(
    withJsonFlag(
      imports
        .command('rejections <id>')
        .description('拒否した行（入力順）/ the lines an import rejected, in input order')
        .option('--limit <n>', '件数 1–10000 / how many, 1–10000', positiveInt, 1000)
        .option('--cursor <cursor>', '前のページの続き / the next page, from the previous one', rowCursor),
    ),
  ).action(
    async (id: string, options: { limit: number; cursor?: string; json?: boolean }, command: Command) => {
      const page = await via(command, {
        api: async (api) =>
          pageOf<RejectionRow>(
            await api.request('GET', importPath(id, '/rejections'), {
              query: { limit: options.limit, cursor: options.cursor },
            }),
            'rejections',
          ),
        direct: async (m, actor) => {
          const reports = new ImportReports(m.store.db);
          if (!(await reports.get(actor.orgId, id))) throw notFound(`import ${id}`);
          return reports.rejections(actor.orgId, id, {
            limit: options.limit,
            ...(options.cursor ? { cursor: Number(options.cursor) } : {}),
          });
        },
      });
      printPage(page, REJECTION_COLUMNS, options.json);
    },
  );
}
