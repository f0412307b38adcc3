import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { Mamoru } from '../../src/mamoru.ts';
import { runCli } from './run-cli.ts';

/**
 * `mamoru policy` as a person uses it: set a file with only settings, show
 * what runs, feed the output of show back to set unchanged, dry-run a draft.
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamoru-policy-cli-'));
  const mamoru = await Mamoru.open(loadConfig({ dataDir: dir }, {}));
  await mamoru.bootstrap({ demo: false });
  await mamoru.close();
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli([...args, '--data-dir', dir], { env: { MAMORU_URL: '' } });

describe('mamoru policy', () => {
  it('set with only settings keeps the defaults; show → set round-trips unchanged; dry-run names its mode', async () => {
    const file = join(dir, 'settings-only.json');
    await writeFile(file, JSON.stringify({ settings: { lineCaps: { person: { voice: 6 } } } }));
    const set = await cli('policy', 'set', 'contract', file, '--comment', '音声上限を6回線へ');
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({
      version: 1,
      document: { settings: { lineCaps: { person: { voice: 6 } } } },
      effective: {
        thresholds: { step_up: 4, review: 6 },
        signals: { CONTRACT_VELOCITY: { forceAction: 'review' } },
      },
    });

    const show = await cli('policy', 'show', 'contract');
    expect(show.code, show.stderr).toBe(0);
    const shown = join(dir, 'shown.json');
    await writeFile(shown, show.stdout);
    const again = await cli('policy', 'set', 'contract', shown);
    expect(again.code, again.stderr).toBe(0);
    const stored = JSON.parse(again.stdout);
    expect(stored.version).toBe(2);
    expect(stored.document).toEqual(JSON.parse(show.stdout).document);
    expect(stored.effective).toEqual(JSON.parse(show.stdout).effective);

    // An edit in the read-only part is refused, naming it, and nothing is stored.
    const edited = JSON.parse(await readFile(shown, 'utf8'));
    edited.effective.thresholds.review = 9;
    await writeFile(shown, JSON.stringify(edited));
    const refused = await cli('policy', 'set', 'contract', shown);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('effective.thresholds.review');

    const dry = await cli('policy', 'dry-run', 'contract', file);
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ checked: 0, mode: 'rescore', changed: 0 });
  });
});
