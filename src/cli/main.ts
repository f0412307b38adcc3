#!/usr/bin/env node
/**
 * `mamoru` — the command line: serve the API, screen an event, import and look
 * up intel, work cases, manage keys and policies, read decisions, verify the
 * decision log (X1) and migrate the database. Every command reads the same
 * configuration as the server (environment variables, or the matching flags).
 *
 * While a server runs, commands go through its API (`MAMORU_URL` and
 * `MAMORU_API_KEY`, or the server recorded in the data folder), as `gh` or
 * `kubectl` do; with none, they work on the database directly. `db migrate`
 * always works on the database.
 */
import { Command } from 'commander';
import { isMamoruError } from '../core/index.ts';
import { registerAdminCommands } from './admin-commands.ts';
import { ApiProblem } from './api-client.ts';
import { registerCaseCommands } from './case-commands.ts';
import { describedChannels } from './channel-catalogue.ts';
import { explainLocked } from './context.ts';
import { registerDecisionCommands } from './decision-commands.ts';
import { registerEvalCommands } from './eval-commands.ts';
import { registerImportCommands } from './import-commands.ts';
import { registerIntelCommands } from './intel-commands.ts';
import { registerMailCommands } from './mail-commands.ts';
import { registerChannelCommands } from './operation-commands.ts';
import { registerScreenCommand } from './screen-command.ts';
import { registerServeCommand } from './serve-command.ts';

export function buildProgram(): Command {
  const program = new Command('mamoru')
    .description('Mamoru（守る）不正対策プラットフォーム / open anti-fraud platform')
    .showHelpAfterError()
    .exitOverride();
  registerServeCommand(program);
  registerScreenCommand(program);
  registerIntelCommands(program);
  registerImportCommands(program);
  registerCaseCommands(program);
  registerDecisionCommands(program);
  registerAdminCommands(program);
  registerEvalCommands(program);
  // `mamoru <channel> …`: screen, and each operation a registered channel declares.
  registerChannelCommands(program, describedChannels());
  // `mamoru mail scan <file.eml>`: a mail file screened as the milter would (issue 11).
  registerMailCommands(program);
  return program;
}

export async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    process.exitCode = report(error);
  }
}

/** Print what went wrong for a reader and return the exit status: 2 for usage, 1 for the rest. */
function report(error: unknown): number {
  const e = error as { code?: string; exitCode?: number };
  if (typeof e.code === 'string' && e.code.startsWith('commander.')) return e.exitCode === 0 ? 0 : 2;
  if (error instanceof ApiProblem) {
    const [head, ...rest] = error.lines();
    process.stderr.write(`mamoru: ${head}\n${rest.map((l) => `${l}\n`).join('')}`);
    return 1;
  }
  // A command that works on the database directly, while a server holds the embedded one.
  const failure = explainLocked(error, true);
  if (isMamoruError(failure)) {
    const issues = failure.issues.map((i) => `${i.path}: ${i.message}`);
    // A message that is just its one field issue is printed once.
    const repeated = issues.length === 1 && failure.message === issues[0];
    process.stderr.write(`mamoru: ${failure.code}: ${failure.message}\n`);
    if (!repeated) for (const issue of issues) process.stderr.write(`  ${issue}\n`);
    return 1;
  }
  process.stderr.write(`mamoru: ${failure instanceof Error ? failure.message : String(failure)}\n`);
  return 1;
}

if (import.meta.main) await main();
