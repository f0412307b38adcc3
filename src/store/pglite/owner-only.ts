import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * From now on, files and folders this process creates are its owner's only
 * (umask 0077): PGlite writes the database's files itself, with modes the
 * umask decides (0644 under the usual 0022). A worker thread cannot change
 * the umask; there, {@link ownerOnly} after the writes is what protects them.
 */
export function ownerOnlyUmask(): void {
  try {
    process.umask(0o077);
  } catch {
    // Worker threads (ERR_WORKER_UNSUPPORTED_OPERATION): the chmod of ownerOnly still applies.
  }
}

/** Create `dir` (and its missing parents) readable by the owner only. */
export async function ownerOnlyDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/**
 * Bring `dir` and everything under it to owner-only modes — folders 0700,
 * files 0600 — as a folder written by an older version (or under another
 * umask) may not be. Symbolic links are left alone, and not followed.
 *
 * @example await ownerOnly('./data/pglite');
 */
export async function ownerOnly(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await ownerOnly(path);
    else if (entry.isFile() && ((await lstat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  }
}
