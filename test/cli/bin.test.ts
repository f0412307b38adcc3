import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './run-cli.ts';

/** A Node older than 24 on this machine (the one `npx` finds outside the clone), if there is one. */
function olderNode(): string | undefined {
  for (const candidate of ['/usr/bin/node', '/usr/local/bin/node', '/bin/node']) {
    if (!existsSync(candidate)) continue;
    const version = execFileSync(candidate, ['--version'], { encoding: 'utf8' }).trim();
    if (Number(version.replace(/^v/, '').split('.')[0]) < 24) return candidate;
  }
  return undefined;
}

function run(
  node: string,
  args: readonly string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // From outside the clone, as `npx --prefix <clone> mamoru` runs it.
    const child = spawn(node, [join(ROOT, 'bin', 'mamoru.js'), ...args], {
      cwd: tmpdir(),
      env: { ...process.env, MAMORU_URL: '', MAMORU_API_KEY: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

const old = olderNode();

describe('bin/mamoru.js', () => {
  it('runs the CLI on Node 24, from any folder, with its exit status', async () => {
    const help = await run(process.execPath, ['--help']);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: mamoru');
    const usage = await run(process.execPath, ['screen']);
    expect(usage.code).toBe(2);
  });

  it.skipIf(!old)(
    'on an older Node, runs again on the project’s Node 24 and passes the exit status back',
    async () => {
      const help = await run(old ?? '', ['--help']);
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toContain('cases');
      const usage = await run(old ?? '', ['screen']);
      expect(usage.code).toBe(2);
      expect(usage.stderr).toContain("missing required argument 'channel'");
    },
  );
});
