#!/usr/bin/env node
/**
 * `mamoru` — the command line: serve the API, screen an event, import and look
 * up intel, work cases, create keys, manage policies, verify the decision log
 * (X1) and migrate the database. Every command reads the same configuration as
 * the server (environment variables, or the matching flags).
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { isMamoruError } from '../core/index.ts';
import { SETTINGS, type SettingName } from '../server/config.ts';
import { registerAdminCommands } from './admin-commands.ts';
import { registerCaseCommands } from './case-commands.ts';
import { registerContractCommands } from './contract-commands.ts';
import { registerIntelCommands } from './intel-commands.ts';
import { registerScreenCommand } from './screen-command.ts';
import { registerServeCommand } from './serve-command.ts';

/** Attach the configuration flags (`--port`, `--database-url`…) to a command. */
export function withConfigFlags(command: Command, names: readonly SettingName[]): Command {
  for (const name of names) {
    const s = SETTINGS[name];
    command.addOption(new Option(`${s.flag} <value>`, `${s.ja} / ${s.en} [env ${s.env}]`));
  }
  return command;
}

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('mamoru')
    .description('Mamoru（守る）不正対策プラットフォーム / open anti-fraud platform')
    .showHelpAfterError()
    .exitOverride();
  registerServeCommand(program);
  registerScreenCommand(program);
  registerIntelCommands(program);
  registerCaseCommands(program);
  registerAdminCommands(program);
  registerContractCommands(program);
  return program;
}

export async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    const e = error as { code?: string; exitCode?: number };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      process.exitCode = e.exitCode === 0 ? 0 : 2;
      return;
    }
    if (isMamoruError(error)) {
      process.stderr.write(`mamoru: ${error.code}: ${error.message}\n`);
      for (const issue of error.issues) process.stderr.write(`  ${issue.path}: ${issue.message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`mamoru: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

if (import.meta.main) await main();
