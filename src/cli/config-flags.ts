import { type Command, InvalidArgumentError, Option } from 'commander';
import { SETTINGS, type SettingName } from '../config.ts';

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
