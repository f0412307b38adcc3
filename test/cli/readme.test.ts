import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { CLIENT_SETTINGS } from '../../src/cli/api-client.ts';
import { buildProgram } from '../../src/cli/main.ts';
import { ROOT } from './run-cli.ts';

/** Every runnable command of the CLI, as its words (`cases assign`). */
function leaves(command: Command, prefix: readonly string[] = []): string[] {
  return command.commands.flatMap((c) =>
    c.commands.length > 0 ? leaves(c, [...prefix, c.name()]) : [[...prefix, c.name()].join(' ')],
  );
}

/** The commands the README's command table names (each backticked command in its first column). */
async function readmeCommands(): Promise<string[]> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Command line'), readme.indexOf('## Development'));
  const rows = section.split('\n').filter((l) => /^\| `/.test(l));
  return rows.flatMap((row) => {
    const first = row.split(/(?<!\\)\|/)[1] ?? '';
    return [...first.matchAll(/`([^`]+)`/g)].map((m) =>
      (m[1] ?? '')
        .split(' ')
        .filter((w) => /^[a-z][a-z-]*$/.test(w))
        .join(' '),
    );
  });
}

describe('the README command table', () => {
  it('names only commands the CLI has, and every command it has', async () => {
    const named = await readmeCommands();
    const actual = leaves(buildProgram()).filter((c) => c !== 'help');
    expect(named.length).toBeGreaterThan(20);
    for (const c of named) expect(actual, `README names "${c}"`).toContain(c);
    for (const c of actual) expect(named, `README lacks "${c}"`).toContain(c);
  });
});

describe('docs/configuration.md', () => {
  it('documents the settings that point the CLI at a server', async () => {
    const doc = await readFile(join(ROOT, 'docs', 'configuration.md'), 'utf8');
    for (const s of Object.values(CLIENT_SETTINGS)) {
      const row = doc.split('\n').find((l) => new RegExp(`^\\|\\s*\`${s.env}\``).test(l));
      expect(row, s.env).toBeDefined();
      expect(row).toContain(`\`${s.flag}\``);
    }
  });
});
