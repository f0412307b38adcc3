import { readFile } from 'node:fs/promises';
import { MamoruError } from '../core/index.ts';
import { CheckpointIssuer } from '../store/checkpoint-issuer.ts';
import {
  type CheckpointKeySource,
  loadPublicKey,
  loadSigningKey,
  publicKeyPem,
} from '../store/checkpoint-key.ts';
import {
  anchorOf,
  type Checkpoint,
  checkpointSignatureProblem,
  keyId,
  parseCheckpoint,
} from '../store/decision-checkpoint.ts';
import type { AuditAnchor, Store } from '../store/index.ts';
import { type VerifyReport, verifyLog } from '../store/verify-log.ts';

/**
 * The logic of `mamoru audit …` (X1), apart from the command line: verify the
 * decision log (against a checkpoint), sign a checkpoint, show the public key.
 * The CLI runs them on the database when no server is running; through a
 * server, `POST /v1/decisions/verify` runs {@link verifyLog} on its database.
 */

export type { VerifyReport } from '../store/verify-log.ts';

/**
 * `audit verify [--against <checkpoint> [--public-key <pem>]]` on the
 * database: {@link verifyLog} with the files read.
 */
export async function auditVerify(
  store: Store,
  keys: CheckpointKeySource,
  options: { readonly against?: string; readonly publicKey?: string },
): Promise<VerifyReport> {
  if (options.against === undefined) return verifyLog(store, keys);
  const text = await readText(options.against, '--against');
  const publicKey = options.publicKey === undefined ? undefined : await loadPublicKey(options.publicKey);
  return verifyLog(store, keys, {
    text,
    file: options.against,
    keyField: '--public-key',
    ...(publicKey ? { publicKey } : {}),
  });
}

/**
 * `audit checkpoint [--since <checkpoint>]`: audit the log (all of it, or
 * the rows after a checkpoint this key signed, which must still be there) and
 * sign its head. Throws `conflict` when the log has findings.
 */
export async function auditCheckpoint(
  store: Store,
  keys: CheckpointKeySource,
  options: { readonly since?: string },
): Promise<Checkpoint> {
  const key = await loadSigningKey(keys, true);
  let since: AuditAnchor | undefined;
  if (options.since !== undefined) {
    const parsed = parseCheckpoint(await readText(options.since, '--since'));
    const problem = parsed.ok ? checkpointSignatureProblem(parsed.checkpoint, key) : parsed.problem;
    if (!parsed.ok || problem !== undefined)
      throw new MamoruError('validation_failed', `--since: ${options.since}: ${problem}`, {
        issues: [{ path: '--since', message: problem ?? 'not a checkpoint' }],
      });
    since = anchorOf(parsed.checkpoint);
  }
  return new CheckpointIssuer(store, key, since).issue('audit');
}

/** `audit public-key`: the signing key's id and public key (PEM), for verifiers to keep. */
export async function auditPublicKey(keys: CheckpointKeySource): Promise<{ key: string; publicKey: string }> {
  const key = await loadSigningKey(keys, true);
  return { key: keyId(key), publicKey: publicKeyPem(key) };
}

/** A file named by a flag, as text; one that cannot be read is a validation error naming the flag. */
export async function readText(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new MamoruError(
      'validation_failed',
      `${flag}: cannot read ${file} (${(error as NodeJS.ErrnoException).code})`,
      {
        issues: [{ path: flag, message: 'the file cannot be read' }],
      },
    );
  }
}
