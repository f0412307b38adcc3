import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  INDICATOR_TYPES,
  INDICATOR_VERDICTS,
  type IndicatorType,
  MamoruError,
  SHARING_SCOPES,
} from '../core/index.ts';
import { importIndicators } from '../intel/import-indicators.ts';
import type { Query } from './api-client.ts';
import { positiveInt } from './config-flags.ts';
import { connect, dataCommand, pageOf, printJson, printPage, via, withJsonFlag } from './context.ts';
import { importFile } from './import-file.ts';
import { uploadImport } from './import-upload.ts';
import type { Column } from './table.ts';

interface IndicatorRow {
  readonly id: string;
  readonly type: string;
  readonly value: string;
  readonly verdict: string;
  readonly confidence: number;
  readonly source: string;
  readonly scope: string;
  readonly expiresAt?: string | null;
  readonly orgId?: string;
}

const INDICATOR_COLUMNS: readonly Column<IndicatorRow>[] = [
  { header: 'id', value: (i) => i.id },
  { header: 'type', value: (i) => i.type },
  { header: 'value', value: (i) => i.value, max: 48 },
  { header: 'verdict', value: (i) => i.verdict },
  { header: 'conf', value: (i) => i.confidence },
  { header: 'source', value: (i) => i.source, max: 24 },
  { header: 'scope', value: (i) => i.scope },
  { header: 'expires', value: (i) => i.expiresAt?.slice(0, 10) ?? 'never' },
];

const MATCH_COLUMNS: readonly Column<IndicatorRow>[] = [
  ...INDICATOR_COLUMNS.slice(0, 7),
  { header: 'organisation', value: (i) => i.orgId },
];

function indicatorType(value: string): IndicatorType {
  if (!(INDICATOR_TYPES as readonly string[]).includes(value)) {
    throw new MamoruError('validation_failed', `type must be one of ${INDICATOR_TYPES.join(', ')}`, {
      issues: [{ path: 'type', message: 'unknown type' }],
    });
  }
  return value as IndicatorType;
}

/** The value as typed; an identity may be given as a JSON object (`{"name":…,"birthdate":…}`). */
function indicatorValue(type: IndicatorType, value: string): unknown {
  if (type !== 'identity' || !value.trimStart().startsWith('{')) return value;
  try {
    return JSON.parse(value);
  } catch {
    throw new MamoruError('validation_failed', 'value: an identity is a JSON object', {
      issues: [{ path: 'value', message: 'not JSON' }],
    });
  }
}

function isoTime(value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new InvalidArgumentError('an ISO 8601 time, e.g. 2026-12-31T00:00:00Z');
  return new Date(t).toISOString();
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const indicatorPath = (id: string) => `/v1/indicators/${encodeURIComponent(id)}`;

/** `intel import|lookup|list|show|add|expire|delete`: the organisation's indicators. */
export function registerIntelCommands(program: Command): void {
  const intel = program.command('intel').description('脅威指標 / indicators');
  dataCommand(
    intel
      .command('import <file>')
      .description('指標を一括取り込み / bulk-import indicators (CSV with a header row, or JSON lines)')
      .addOption(
        new Option('--format <format>', '形式 / format (default: from the file name)').choices([
          'csv',
          'jsonl',
        ]),
      )
      .option('--source <source>', '情報源の既定値 / default source')
      .addOption(
        new Option('--scope <scope>', '共有範囲の既定値 / default sharing scope').choices(SHARING_SCOPES),
      )
      .addOption(
        new Option('--verdict <verdict>', '判定の既定値 / default verdict').choices(INDICATOR_VERDICTS),
      ),
  ).action(
    async (
      file: string,
      options: {
        format?: 'csv' | 'jsonl';
        source?: string;
        scope?: (typeof SHARING_SCOPES)[number];
        verdict?: (typeof INDICATOR_VERDICTS)[number];
      },
      command: Command,
    ) => {
      const defaults = {
        ...(options.source ? { source: options.source } : {}),
        ...(options.scope ? { scope: options.scope } : {}),
        ...(options.verdict ? { verdict: options.verdict } : {}),
      };
      const api = await connect(command);
      if (api) return uploadImport(api, '/v1/indicators/import', file, options.format, defaults);
      await importFile(
        command,
        file,
        options.format,
        async (m, actor, { lines, format, onProgress, rejections }) =>
          importIndicators(await m.importTarget(actor.orgId, options.scope, '--scope'), actor.orgId, lines, {
            format,
            defaults,
            onProgress,
            rejections,
          }),
      );
    },
  );
  dataCommand(
    withJsonFlag(
      intel
        .command('lookup <type> <value>')
        .description(
          `値を照会（自組織・提携先・公開）、一致なしは終了コード 5 / look a value up: own, partners’ and public (exit 5 when none matches); type: ${INDICATOR_TYPES.join(', ')}`,
        )
        .option('--hashed', '値は鍵付きハッシュ / the value is already the keyed hash'),
    ),
  ).action(
    async (type: string, value: string, options: { hashed?: boolean; json?: boolean }, command: Command) => {
      const t = indicatorType(type);
      const raw = indicatorValue(t, value);
      const matches = await via<readonly IndicatorRow[]>(command, {
        api: async (api) =>
          (
            await api.request<{ matches: IndicatorRow[] }>('POST', '/v1/indicators/lookup', {
              json: { type: t, value: raw, ...(options.hashed ? { hashed: true } : {}) },
            })
          ).matches,
        direct: (m, actor) =>
          m.intel.lookupRaw(
            actor.orgId,
            t,
            raw as Parameters<typeof m.intel.lookupRaw>[2],
            options.hashed ? { hashed: true } : {},
          ),
      });
      if (options.json) printJson({ matches });
      else printPage({ items: matches, nextCursor: null }, MATCH_COLUMNS, false);
      if (matches.length === 0) process.exitCode = 5;
    },
  );
  dataCommand(
    withJsonFlag(
      intel
        .command('list')
        .description('自組織の指標の一覧 / list the organisation’s own indicators')
        .addOption(new Option('--type <type>', '種類 / type').choices(INDICATOR_TYPES))
        .addOption(new Option('--verdict <verdict>', '判定 / verdict').choices(INDICATOR_VERDICTS))
        .addOption(new Option('--scope <scope>', '共有範囲 / scope').choices(SHARING_SCOPES))
        .option('--source <source>', '情報源 / source')
        .option('--limit <n>', '件数 1–1000 / how many, 1–1000', positiveInt, 100)
        .option('--cursor <cursor>', '前のページの続き / the next page, from the previous one'),
    ),
  ).action(
    async (
      options: {
        type?: string;
        verdict?: string;
        scope?: string;
        source?: string;
        limit: number;
        cursor?: string;
        json?: boolean;
      },
      command: Command,
    ) => {
      const query: Query = {
        type: options.type,
        verdict: options.verdict,
        scope: options.scope,
        source: options.source,
        limit: options.limit,
        cursor: options.cursor,
      };
      const page = await via(command, {
        api: async (api) =>
          pageOf<IndicatorRow>(await api.request('GET', '/v1/indicators', { query }), 'indicators'),
        direct: async (m, actor) =>
          pageOf<IndicatorRow>(await m.intel.list(actor.orgId, query), 'indicators'),
      });
      printPage(page, INDICATOR_COLUMNS, options.json);
    },
  );
  dataCommand(intel.command('show <id>').description('指標を取得 / one indicator')).action(
    async (id: string, _o, command: Command) =>
      printJson(
        await via(command, {
          api: (api) => api.request('GET', indicatorPath(id)),
          direct: (m, actor) => m.intel.get(actor.orgId, id),
        }),
      ),
  );
  dataCommand(
    intel
      .command('add <type> <value>')
      .description('指標を登録（既知なら更新）/ add an indicator, or refresh a known one')
      .addOption(new Option('--verdict <verdict>', '判定 / verdict').choices(INDICATOR_VERDICTS))
      .option('--confidence <n>', '確信度 0–100 / confidence 0–100', (v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0 || n > 100) throw new InvalidArgumentError('an integer 0–100');
        return n;
      })
      .option('--source <source>', '情報源 / source')
      .addOption(new Option('--scope <scope>', '共有範囲 / sharing scope').choices(SHARING_SCOPES))
      .option('--expires <time>', '有効期限（ISO 8601）/ expiry (ISO 8601)', isoTime)
      .option('--tag <tag>', 'タグ（複数可）/ tag (repeatable)', collect)
      .option('--description <text>', '説明 / description')
      .option('--hashed', '値は鍵付きハッシュ / the value is already the keyed hash'),
  ).action(
    async (
      type: string,
      value: string,
      options: {
        verdict?: string;
        confidence?: number;
        source?: string;
        scope?: (typeof SHARING_SCOPES)[number];
        expires?: string;
        tag?: string[];
        description?: string;
        hashed?: boolean;
      },
      command: Command,
    ) => {
      const t = indicatorType(type);
      const body = {
        type: t,
        value: indicatorValue(t, value),
        ...(options.hashed ? { hashed: true } : {}),
        ...(options.verdict ? { verdict: options.verdict } : {}),
        ...(options.confidence !== undefined ? { confidence: options.confidence } : {}),
        ...(options.source ? { source: options.source } : {}),
        ...(options.scope ? { scope: options.scope } : {}),
        ...(options.expires ? { expiresAt: options.expires } : {}),
        ...(options.tag ? { tags: options.tag } : {}),
        ...(options.description ? { description: options.description } : {}),
      };
      printJson(
        await via(command, {
          api: (api) => api.request('POST', '/v1/indicators', { json: body }),
          direct: async (m, actor) => {
            await m.assertMayPublish(actor.orgId, options.scope, '--scope');
            return (await m.intel.upsert(actor.orgId, body)).indicator;
          },
        }),
      );
    },
  );
  dataCommand(
    intel
      .command('expire <id>')
      .description('指標を失効（以後の審査で使わない）/ expire an indicator: screening stops using it')
      .option('--at <time>', '失効日時（既定: 今）/ when (ISO 8601; default now)', isoTime),
  ).action(async (id: string, options: { at?: string }, command: Command) => {
    const patch = { expiresAt: options.at ?? new Date().toISOString() };
    printJson(
      await via(command, {
        api: (api) => api.request('PATCH', indicatorPath(id), { json: patch }),
        direct: (m, actor) => m.intel.update(actor.orgId, id, patch),
      }),
    );
  });
  dataCommand(intel.command('delete <id>').description('指標を削除 / delete an indicator')).action(
    async (id: string, _o, command: Command) => {
      await via(command, {
        api: (api) => api.request('DELETE', indicatorPath(id)),
        direct: (m, actor) => m.intel.delete(actor.orgId, id),
      });
      process.stdout.write(`削除しました / deleted: ${id}\n`);
    },
  );
}
