import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { Mamoru } from '../../src/mamoru.ts';
import { runCli } from './run-cli.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamoru-cli-'));
  const mamoru = await Mamoru.open(loadConfig({ dataDir: dir }, {}));
  await mamoru.bootstrap({ demo: true });
  await mamoru.close();
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('mamoru screen', () => {
  it('prints the verdict and exits 0 for allow', async () => {
    const sms = JSON.stringify({ kind: 'sms', sender: '+819012345678', text: '明日の会議は10時からです' });
    const res = await runCli(['screen', 'message', '--data-dir', dir], { input: sms });
    expect(res.code, res.stderr).toBe(0);
    expect(JSON.parse(res.stdout).action).toBe('allow');
  });

  it('exits with the action code for a non-allow verdict, reading a file', async () => {
    const file = join(dir, 'sms.json');
    await writeFile(
      file,
      JSON.stringify({
        kind: 'sms',
        sender: '+81300000000',
        text: '確認はこちら https://amazon-co-jp.account-verify.example/login',
      }),
    );
    const res = await runCli(['screen', 'message', file, '--data-dir', dir, '--format', 'text']);
    expect([10, 12, 13, 14]).toContain(res.code);
    expect(res.stdout).toMatch(/判定/);
  });

  it('names the field of bad input and exits 1', async () => {
    const bad = await runCli(['screen', 'message', '--data-dir', dir], { input: '{"kind":"fax"}' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('kind');
    const notJson = await runCli(['screen', 'message', '--data-dir', dir], { input: '{nope' });
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toContain('not JSON');
  });

  it('exits 2 on a usage error', async () => {
    const res = await runCli(['screen']);
    expect(res.code).toBe(2);
  });
});
