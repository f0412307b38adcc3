import { userInfo } from 'node:os';
import type { Command } from 'commander';
import type { Actor } from '../cases/roles.ts';
import { MamoruError } from '../core/index.ts';
import { Mamoru } from '../mamoru.ts';
import { type Config, loadConfig, SETTINGS, type SettingName } from '../server/config.ts';

/** The store-facing flags every data command takes. */
export const DATA_FLAGS = [
  'databaseUrl',
  'dataDir',
  'hmacKey',
  'logLevel',
] as const satisfies readonly SettingName[];

/** Configuration from a command's flags (camel-cased by commander) over the environment. */
export function configFrom(command: Command): Config {
  const opts = command.optsWithGlobals() as Record<string, string | undefined>;
  const flags: Partial<Record<SettingName, string>> = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const value = opts[name];
    if (value !== undefined) flags[name] = value;
  }
  return loadConfig(flags);
}

/**
 * Open Mamoru for one CLI command, run `fn`, close it. The CLI works on the
 * database directly, as an admin of the organisation chosen by `--org`
 * (default: the operator organisation).
 */
export async function withMamoru<T>(
  command: Command,
  fn: (mamoru: Mamoru, actor: Actor) => Promise<T>,
): Promise<T> {
  const mamoru = await Mamoru.open(configFrom(command));
  try {
    const org =
      (command.optsWithGlobals() as { org?: string }).org ??
      (await mamoru.store.settings.get<string>('operator_org'));
    if (!org)
      throw new MamoruError('not_found', 'no organisation yet: run `mamoru serve` once, or pass --org');
    if (!(await mamoru.store.orgs.get(org)))
      throw new MamoruError('not_found', `organisation ${org} not found`);
    return await fn(mamoru, { id: `cli:${userInfo().username}`, role: 'admin', orgId: org });
  } finally {
    await mamoru.close();
  }
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Read all of stdin (for `-` or a missing file argument). */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
