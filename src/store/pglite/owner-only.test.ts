import { chmod, mkdir, mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ownerOnly, ownerOnlyDir } from './owner-only.ts';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'mamoru-owner-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe('ownerOnly', () => {
  it('brings an older data folder to folders 0700 and files 0600', async () => {
    const dir = join(root, 'old');
    await mkdir(join(dir, 'base', '1'), { recursive: true });
    await writeFile(join(dir, 'PG_VERSION'), '16');
    await writeFile(join(dir, 'base', '1', '1259'), 'x');
    await chmod(dir, 0o755);
    await chmod(join(dir, 'base'), 0o755);
    await chmod(join(dir, 'PG_VERSION'), 0o644);
    await chmod(join(dir, 'base', '1', '1259'), 0o666);
    await ownerOnly(dir);
    expect(await mode(dir)).toBe(0o700);
    expect(await mode(join(dir, 'base'))).toBe(0o700);
    expect(await mode(join(dir, 'base', '1'))).toBe(0o700);
    expect(await mode(join(dir, 'PG_VERSION'))).toBe(0o600);
    expect(await mode(join(dir, 'base', '1', '1259'))).toBe(0o600);
  });

  it('leaves a link, and what it points to, alone', async () => {
    const outside = join(root, 'outside.txt');
    await writeFile(outside, 'x');
    await chmod(outside, 0o644);
    const dir = join(root, 'with-link');
    await mkdir(dir);
    await symlink(outside, join(dir, 'link'));
    await ownerOnly(dir);
    expect(await mode(outside)).toBe(0o644);
  });

  it('creates a folder and its parents owner-only', async () => {
    const dir = join(root, 'a', 'b');
    await ownerOnlyDir(dir);
    expect(await mode(dir)).toBe(0o700);
    expect(await mode(join(root, 'a'))).toBe(0o700);
  });
});
