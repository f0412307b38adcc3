import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lockDataDir } from './data-dir-lock.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamoru-lock-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('lockDataDir', () => {
  it('refuses a second holder in this process, and frees the folder on release', async () => {
    const release = await lockDataDir(join(dir, 'a'));
    await expect(lockDataDir(join(dir, 'a'))).rejects.toMatchObject({ code: 'conflict' });
    await release();
    const again = await lockDataDir(join(dir, 'a'));
    await again();
  });

  it('refuses a folder held by another live process', async () => {
    const release = await lockDataDir(join(dir, 'b'));
    const other = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import('${join(import.meta.dirname, 'data-dir-lock.ts')}').then(m => m.lockDataDir('${join(dir, 'b')}')).then(() => process.exit(0), (e) => { console.error(e.message); process.exit(7); })`,
      ],
      { encoding: 'utf8' },
    );
    expect(other.status).toBe(7);
    expect(other.stderr).toContain(`process ${process.pid}`);
    await release();
  });

  it('takes over a lock left by a process that is gone', async () => {
    await writeFile(`${join(dir, 'c')}.lock`, '999999999');
    const release = await lockDataDir(join(dir, 'c'));
    await release();
  });
});
