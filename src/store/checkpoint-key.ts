import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MamoruError } from '../core/index.ts';
import { requireEd25519 } from './decision-checkpoint.ts';

/** Where the checkpoint signing key comes from: `MAMORU_CHECKPOINT_KEY`, else the data folder. */
export interface CheckpointKeySource {
  /** A PEM private key, or the path of a file holding one; empty: `checkpoint.key` in `dataDir`. */
  readonly checkpointKey: string;
  readonly dataDir: string;
}

const SETTING = 'MAMORU_CHECKPOINT_KEY (--checkpoint-key)';
const KEY_FILE = 'checkpoint.key';

/**
 * The Ed25519 key that signs checkpoints of the decision log. It never lives
 * in the database (an insider who can rewrite the log must not be able to
 * sign for it): it is `MAMORU_CHECKPOINT_KEY` (PEM text or a file), else
 * `checkpoint.key` in the data folder, created on first use readable by the
 * owner only (0600). A configured file that is missing is an error, never
 * replaced: a new key would disown every checkpoint signed before.
 *
 * With `create: false` (verifying) a missing data-folder key gives undefined.
 */
export async function loadSigningKey(
  source: CheckpointKeySource,
  create: false,
): Promise<KeyObject | undefined>;
export async function loadSigningKey(source: CheckpointKeySource, create: true): Promise<KeyObject>;
export async function loadSigningKey(
  source: CheckpointKeySource,
  create: boolean,
): Promise<KeyObject | undefined> {
  if (source.checkpointKey.trim().startsWith('-----BEGIN')) return privateKey(source.checkpointKey, SETTING);
  if (source.checkpointKey !== '') {
    const text = await readFile(source.checkpointKey, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new MamoruError(
        'validation_failed',
        `${SETTING}: cannot read ${source.checkpointKey} (${error.code})`,
        {
          issues: [{ path: SETTING, message: 'the key file cannot be read' }],
        },
      );
    });
    return privateKey(text, source.checkpointKey);
  }
  if (source.dataDir === 'memory://') return create ? generate() : undefined;
  const file = join(source.dataDir, KEY_FILE);
  const existing = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing !== undefined) return privateKey(existing, file);
  if (!create) return undefined;
  await mkdir(source.dataDir, { recursive: true, mode: 0o700 });
  const pem = generate().export({ type: 'pkcs8', format: 'pem' }) as string;
  // `wx`: two processes starting at once keep the first one's key.
  await writeFile(file, pem, { mode: 0o600, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await chmod(file, 0o600);
  return privateKey(await readFile(file, 'utf8'), file);
}

/**
 * The public key a verifier trusts, from a PEM file (a public key, or the
 * private key it belongs to).
 */
export async function loadPublicKey(file: string, flag = '--public-key'): Promise<KeyObject> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new MamoruError('validation_failed', `${flag}: cannot read ${file} (${error.code})`, {
      issues: [{ path: flag, message: 'the key file cannot be read' }],
    });
  });
  return parsePublicKey(text, flag, file);
}

/**
 * A public key a verifier trusts, from PEM text (a public key, or the private
 * key it belongs to); `field` (and the file it came from) name it in errors.
 */
export function parsePublicKey(pem: string, field: string, file?: string): KeyObject {
  try {
    return requireEd25519(createPublicKey(pem), field);
  } catch (error) {
    if (error instanceof MamoruError) throw error;
    throw new MamoruError(
      'validation_failed',
      file === undefined ? `${field}: not a PEM key` : `${field}: ${file} is not a PEM key`,
      {
        issues: [{ path: field, message: 'must be an Ed25519 public key (PEM)' }],
      },
    );
  }
}

/** The public key as PEM (SPKI), for verifiers to keep. */
export function publicKeyPem(key: KeyObject): string {
  return (key.type === 'private' ? createPublicKey(key) : key).export({
    type: 'spki',
    format: 'pem',
  }) as string;
}

function generate(): KeyObject {
  return generateKeyPairSync('ed25519').privateKey;
}

function privateKey(pem: string, source: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw new MamoruError('validation_failed', `${source}: not a PEM private key`, {
      issues: [{ path: SETTING, message: 'must be an Ed25519 private key (PEM, PKCS#8)' }],
    });
  }
  return requireEd25519(key, source);
}
