import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { Mamoru } from '../../src/mamoru.ts';
import { runCli } from '../cli/run-cli.ts';
import { application } from './fixtures.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamoru-contract-cli-'));
  const mamoru = await Mamoru.open(loadConfig({ dataDir: dir }, {}));
  await mamoru.bootstrap({ demo: false });
  await mamoru.close();
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('mamoru contract', () => {
  it('import-lines loads a CSV with progress on stderr, names rejected lines and exits 4', async () => {
    const file = join(dir, 'lines.csv');
    await writeFile(
      file,
      [
        'line_id,name,birth_date,address,sim_type,status,contracted_at',
        'M1,山田 太郎,1980-01-02,東京都千代田区1-1,voice,active,2025-01-01',
        'M2,山田 太郎,1980-01-02,東京都千代田区1-1,voice,active,2025-01-01',
        'M3,山田 太郎,1980-01-02,東京都千代田区1-1,fax,active,2025-01-01',
      ].join('\n'),
    );
    const res = await runCli(['contract', 'import-lines', file, '--data-dir', dir]);
    expect(res.code, res.stderr).toBe(4);
    expect(res.stderr).toMatch(/importing: 3 lines — 2 new, 0 updated, 1 rejected/);
    expect(JSON.parse(res.stdout)).toMatchObject({
      imported: 2,
      rejected: 1,
      rejections: [{ line: 4, field: 'sim_type' }],
    });
    const again = await runCli(['contract', 'import-lines', file, '--data-dir', dir, '--format', 'csv']);
    expect(JSON.parse(again.stdout)).toMatchObject({ imported: 0, updated: 2 });
  });

  it('import-lines counts every line of a large file, prints the first 1,000 rejections and keeps them all', async () => {
    const file = join(dir, 'many.csv');
    const rows = ['line_id,holder_key,sim_type,status'];
    for (let i = 0; i < 40_000; i++)
      rows.push(`Q${i},${'c'.repeat(64)},${i % 20 === 7 ? 'fax' : 'data'},active`);
    await writeFile(file, `${rows.join('\n')}\n`);
    const res = await runCli(['contract', 'import-lines', file, '--data-dir', dir]);
    expect(res.code, res.stderr).toBe(4);
    const out = JSON.parse(res.stdout);
    expect(out).toMatchObject({ processed: 40_000, imported: 38_000, updated: 0, rejected: 2_000 });
    expect(out.rejections).toHaveLength(1_000);
    expect(out.rejections[0]).toMatchObject({ line: 9, field: 'sim_type' });
    expect(res.stderr).toContain(`/v1/imports/${out.importId}/rejections`);
    const all = await runCli([
      'imports',
      'rejections',
      out.importId,
      '--limit',
      '10000',
      '--json',
      '--data-dir',
      dir,
    ]);
    expect(all.code, all.stderr).toBe(0);
    const page = JSON.parse(all.stdout);
    expect(page.items).toHaveLength(2_000);
    expect(page.items.at(-1)).toMatchObject({ line: 39_989, field: 'sim_type' });
  }, 60_000);

  it('import-lines refuses a file whose format it cannot tell, naming --format', async () => {
    const file = join(dir, 'lines.txt');
    await writeFile(file, 'line_id,sim_type\n');
    const res = await runCli(['contract', 'import-lines', file, '--data-dir', dir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('--format');
  });

  it('record-line records one line event from a file or stdin (also as `line`), naming a bad field', async () => {
    const holder = { name: '山田 太郎', birthDate: '1980-01-02', address: '東京都千代田区1-1' };
    const file = join(dir, 'line.json');
    await writeFile(
      file,
      JSON.stringify({ lineId: 'R1', holder, simType: 'voice', contractedAt: '2025-01-01' }),
    );
    const res = await runCli(['contract', 'record-line', file, '--data-dir', dir]);
    expect(res.code, res.stderr).toBe(0);
    const recorded = JSON.parse(res.stdout);
    expect(recorded).toMatchObject({
      created: true,
      line: { lineId: 'R1', simType: 'voice', status: 'active' },
    });
    // Keyed on arrival: the raw identity is not in the answer.
    expect(res.stdout).not.toContain('山田');
    const cancel = { lineId: 'R1', holder, simType: 'voice', status: 'cancelled', cancelledAt: '2025-06-01' };
    const again = await runCli(['contract', 'line', '--data-dir', dir], { input: JSON.stringify(cancel) });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      created: false,
      line: { lineId: 'R1', status: 'cancelled', holderKey: recorded.line.holderKey },
    });
    const bad = await runCli(['contract', 'record-line', '--data-dir', dir], {
      input: JSON.stringify({ lineId: 'R2', holder, simType: 'fax' }),
    });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('simType');
  });

  it('screen prints the verdict of an application and exits with its action code', async () => {
    const file = join(dir, 'app.json');
    const app = application({ identityVerification: undefined, lines: [{ simType: 'data', count: 1 }] });
    await writeFile(file, JSON.stringify(app));
    const res = await runCli(['contract', 'screen', file, '--data-dir', dir]);
    const verdict = JSON.parse(res.stdout);
    expect(verdict.channel).toBe('contract');
    expect(res.code).toBe(
      { allow: 0, warn: 10, step_up: 11, review: 12, hold: 13, block: 14, freeze: 15 }[
        verdict.action as string
      ],
    );
    const text = await runCli(['contract', 'screen', '--data-dir', dir, '--format', 'text'], {
      input: JSON.stringify(app),
    });
    expect(text.stdout).toMatch(/decision dec_/);
  });

  it('screen names the field of a bad application and exits 1', async () => {
    const res = await runCli(['contract', 'screen', '--data-dir', dir], {
      input: JSON.stringify({ ...application(), lines: [{ simType: 'pager', count: 1 }] }),
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('lines.0.simType');
  });
});
