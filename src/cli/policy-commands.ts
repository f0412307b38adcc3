import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { MamoruError, notFound } from '../core/index.ts';
import { pageFrom } from '../server/paging.ts';
import { positiveInt } from './config-flags.ts';
import {
  dataCommand,
  type PageOptions,
  pageOf,
  printJson,
  printPage,
  readStdin,
  via,
  withJsonFlag,
} from './context.ts';
import type { Column } from './table.ts';

/** A policy version as `GET /v1/policies/{channel}` answers it (version 0: the channel default). */
interface PolicyView {
  readonly channel: string;
  readonly version: number;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly comment?: string;
  readonly fromDefault?: readonly string[];
}

const VERSION_COLUMNS: readonly Column<PolicyView>[] = [
  { header: 'version', value: (v) => v.version },
  { header: 'created', value: (v) => v.createdAt.slice(0, 16).replace('T', ' ') },
  { header: 'by', value: (v) => v.createdBy, max: 32 },
  { header: 'comment', value: (v) => v.comment, max: 60 },
];

/**
 * A policy from a file (`-` for stdin): a layer (only what differs from the
 * channel default), or the output of `policy show` as it is (its `document`
 * is the layer; its `effective` must be left as shown).
 */
export async function readPolicyFile(file: string): Promise<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(file === '-' ? await readStdin() : await readFile(file, 'utf8'));
  } catch (error) {
    throw new MamoruError('validation_failed', `${file}: ${(error as Error).message}`, {
      issues: [{ path: file, message: 'not readable JSON' }],
    });
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new MamoruError('validation_failed', `${file}: a policy is a JSON object`, {
      issues: [{ path: file, message: 'must be a JSON object' }],
    });
  }
  return value as Record<string, unknown>;
}

/** The API body for a policy file: `policy show` output goes as it is, a bare layer as its `document`. */
function draftOf(policy: Record<string, unknown>): Record<string, unknown> {
  const shown = !!policy.document && typeof policy.document === 'object' && !Array.isArray(policy.document);
  return shown ? policy : { document: policy };
}

const policyPath = (channel: string, rest = '') => `/v1/policies/${encodeURIComponent(channel)}${rest}`;

/** `policy show|set|dry-run|versions`: policies as versioned data. */
export function registerPolicyCommands(program: Command): void {
  const policy = program.command('policy').description('ポリシー / policies');
  dataCommand(
    policy
      .command('show <channel>')
      .description(
        '現在のポリシー（そのまま policy set に渡せる）/ the current policy (policy set takes this output as it is)',
      )
      .option('--version <n>', '特定の版 / one stored version', positiveInt),
  ).action(async (channel: string, options: { version?: number }, command: Command) =>
    printJson(
      await via(command, {
        api: (api) =>
          api.request(
            'GET',
            options.version === undefined
              ? policyPath(channel)
              : policyPath(channel, `/versions/${options.version}`),
          ),
        direct: async (m, actor) => {
          if (options.version === undefined) return m.policies.show(actor.orgId, channel);
          const v = await m.policies.version(actor.orgId, channel, options.version);
          if (!v) throw notFound(`policy ${channel} version ${options.version}`);
          return v;
        },
      }),
    ),
  );
  dataCommand(
    policy
      .command('set <channel> <file>')
      .description(
        '新しい版を保存（JSON ファイル、- は標準入力）/ store a new version from a JSON file (- for stdin): a layer over the channel default, or policy show output as it is',
      )
      .option('--comment <text>', '変更理由 / why'),
  ).action(async (channel: string, file: string, options: { comment?: string }, command: Command) => {
    const policy = await readPolicyFile(file);
    printJson(
      await via(command, {
        api: (api) =>
          api.request('PUT', policyPath(channel), {
            json: { ...draftOf(policy), ...(options.comment ? { comment: options.comment } : {}) },
          }),
        direct: (m, actor) => m.policies.put(actor, channel, policy, options.comment),
      }),
    );
  });
  dataCommand(
    policy
      .command('dry-run <channel> <file>')
      .description('下書きを直近の判定で試す / dry-run a draft against recent decisions')
      .option('--limit <n>', '件数 / decisions to re-score', positiveInt, 1000),
  ).action(async (channel: string, file: string, options: { limit: number }, command: Command) => {
    const policy = await readPolicyFile(file);
    const { comment: _comment, ...draft } = draftOf(policy);
    printJson(
      await via(command, {
        api: (api) =>
          api.request('POST', policyPath(channel, '/dry-run'), { json: { ...draft, limit: options.limit } }),
        direct: (m, actor) => m.policies.dryRun(actor, channel, policy, options.limit),
      }),
    );
  });
  dataCommand(
    withJsonFlag(
      policy
        .command('versions <channel>')
        .description('ポリシーの履歴（誰がいつ何を変えたか）/ version history: who changed what, when')
        .option('--limit <n>', '件数 1–500 / how many, 1–500', positiveInt, 100)
        .option('--cursor <cursor>', '前のページの続き / the next page, from the previous one'),
    ),
  ).action(async (channel: string, options: PageOptions, command: Command) => {
    const query = { limit: options.limit, cursor: options.cursor };
    const page = await via(command, {
      api: async (api) =>
        pageOf<PolicyView>(await api.request('GET', policyPath(channel, '/versions'), { query }), 'versions'),
      direct: async (m, actor) =>
        pageFrom(await m.policies.history(actor.orgId, channel), (v) => String(v.version), query),
    });
    printPage(page, VERSION_COLUMNS, options.json);
  });
}
