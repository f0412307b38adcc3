import { open, readFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MamoruError } from '../../core/index.ts';

/**
 * One process at a time on an embedded (PGlite) data folder. PGlite is one
 * database inside one process: a second process opening the same folder
 * would write over the first one's pages and lose rows without an error. The
 * lock is a file holding the owner's pid, created exclusively; a lock whose
 * process is gone is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  // Beside the folder, not in it: the folder is PostgreSQL's own data directory.
  const file = `${resolve(dataDir)}.lock`;
  if (held.has(file)) throw inUse(dataDir, process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, 'wx', 0o600);
      await handle.writeFile(String(process.pid));
      await handle.close();
      held.add(file);
      return async () => {
        held.delete(file);
        await rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
      if (owner > 0 && owner !== process.pid && isAlive(owner)) throw inUse(dataDir, owner);
      await rm(file, { force: true });
    }
  }
  throw new MamoruError('conflict', `could not lock the data folder ${dataDir}`);
}

/** Lock files this process holds (a second open in the same process is refused too). */
const held = new Set<string>();

function inUse(dataDir: string, pid: number): MamoruError {
  return new MamoruError(
    'conflict',
    `データフォルダ ${dataDir} は別の Mamoru (pid ${pid}) が使用中です / the data folder ${dataDir} is in use by process ${pid}: stop it first, or use DATABASE_URL to share one database between processes`,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
