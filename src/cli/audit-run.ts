import type { KeyObject } from 'node:crypto';
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
import type { AuditAnchor, AuditFinding, AuditReport, Store } from '../store/index.ts';

/**
 * The logic of `mamoru audit …` (X1), apart from the command line: verify the
 * decision log (against a checkpoint), sign a checkpoint, show the public key.
 * These run on the database directly: an audit does not ask the server it audits.
 */

/** The report of `audit verify`, with what became of the checkpoint it was given. */
export interface VerifyReport extends AuditReport {
  readonly checkpoint?: {
    readonly file: string;
    /** `valid`: signed by the trusted key and unchanged; `invalid`: not; `malformed`: not a checkpoint. */
    readonly signature: 'valid' | 'invalid' | 'malformed';
    readonly log?: string;
    readonly seq?: number;
    readonly hash?: string;
    readonly time?: string;
    readonly key?: string;
  };
}

/**
 * `audit verify [--against <checkpoint> [--public-key <pem>]]`: the chain
 * checks and the cases without their decision; with a checkpoint, first its
 * signature (with `--public-key`, else the configured signing key's), then
 * that the log still holds its head. A checkpoint that is malformed or whose
 * signature fails is a finding, and its head is not used.
 */
export async function auditVerify(
  store: Store,
  keys: CheckpointKeySource,
  options: { readonly against?: string; readonly publicKey?: string },
): Promise<VerifyReport> {
  if (options.against === undefined) return store.decisions.verify();
  const file = options.against;
  const text = await readText(file, '--against');
  const trusted = await trustedKey(keys, options.publicKey);
  const parsed = parseCheckpoint(text);
  if (!parsed.ok) {
    const finding: AuditFinding = {
      kind: 'checkpoint_invalid',
      message: `${file} は判定ログのチェックポイントではありません / ${file} is not a decision log checkpoint: ${parsed.problem}`,
    };
    return withCheckpoint(await store.decisions.verify(), { file, signature: 'malformed' }, [finding]);
  }
  const checkpoint = parsed.checkpoint;
  const problem = checkpointSignatureProblem(checkpoint, trusted);
  const described = { file, ...describe(checkpoint) };
  if (problem !== undefined) {
    const finding: AuditFinding = {
      kind: 'checkpoint_signature',
      seq: checkpoint.seq,
      message: `チェックポイントの署名が検証できません / checkpoint signature check failed: ${problem}`,
    };
    return withCheckpoint(await store.decisions.verify(), { ...described, signature: 'invalid' }, [finding]);
  }
  const report = await store.decisions.verify({ against: anchorOf(checkpoint) });
  return withCheckpoint(report, { ...described, signature: 'valid' }, []);
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

async function trustedKey(keys: CheckpointKeySource, publicKey: string | undefined): Promise<KeyObject> {
  if (publicKey !== undefined) return loadPublicKey(publicKey);
  const own = await loadSigningKey(keys, false);
  if (own) return own;
  throw new MamoruError(
    'validation_failed',
    'チェックポイントを検証する公開鍵がありません / no key to check the checkpoint with: pass --public-key <file> (the key `mamoru audit public-key` printed), or set MAMORU_CHECKPOINT_KEY',
    { issues: [{ path: '--public-key', message: 'required: no checkpoint key is configured here' }] },
  );
}

async function readText(file: string, flag: string): Promise<string> {
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

function describe(c: Checkpoint) {
  return { log: c.log, seq: c.seq, hash: c.hash, time: c.time, key: c.key };
}

function withCheckpoint(
  report: AuditReport,
  checkpoint: NonNullable<VerifyReport['checkpoint']>,
  first: readonly AuditFinding[],
): VerifyReport {
  const findings = [...first, ...report.findings];
  return { ...report, ok: findings.length === 0, checkpoint, findings };
}
