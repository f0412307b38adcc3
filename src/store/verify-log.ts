import type { KeyObject } from 'node:crypto';
import { MamoruError } from '../core/index.ts';
import { type CheckpointKeySource, loadSigningKey } from './checkpoint-key.ts';
import {
  anchorOf,
  type Checkpoint,
  checkpointSignatureProblem,
  parseCheckpoint,
} from './decision-checkpoint.ts';
import type { AuditFinding, AuditReport, Store } from './store.ts';

/** The report of `audit verify`, with what became of the checkpoint it was given. */
export interface VerifyReport extends AuditReport {
  readonly checkpoint?: {
    /** The file it was read from (on the command line; the API is given the checkpoint itself). */
    readonly file?: string;
    /** `valid`: signed by the trusted key and unchanged; `invalid`: not; `malformed`: not a checkpoint. */
    readonly signature: 'valid' | 'invalid' | 'malformed';
    readonly log?: string;
    readonly seq?: number;
    readonly hash?: string;
    readonly time?: string;
    readonly key?: string;
  };
}

/** A checkpoint to verify the log against, and the public key to trust. */
export interface VerifyAgainst {
  /** The checkpoint's JSON text (a file's, or the API body's). */
  readonly text: string;
  /** The file it came from, for the report. */
  readonly file?: string;
  /** The key its signature must be made with; default: the configured signing key's. */
  readonly publicKey?: KeyObject;
  /** What gives a public key here (`--public-key`, `body.publicKey`): named when none is given or configured. */
  readonly keyField: string;
}

/**
 * The audit of `mamoru audit verify` (X1), one code for the CLI on the
 * database (`src/cli/audit-run.ts`) and `POST /v1/decisions/verify` on the
 * server's: the chain checks and the cases without their decision; with a
 * checkpoint, first its signature (with the key given, else the configured
 * signing key's), then that the log still holds its head. A checkpoint that
 * is malformed or whose signature fails is a finding, and its head is not
 * used. It walks the whole log (about 10,000 rows a second on PGlite, 30,000 on PostgreSQL).
 *
 * @example
 * const report = await verifyLog(store, config, { text, file: 'head.json', keyField: '--public-key' });
 */
export async function verifyLog(
  store: Store,
  keys: CheckpointKeySource,
  against?: VerifyAgainst,
): Promise<VerifyReport> {
  if (against === undefined) return store.decisions.verify();
  const file = against.file === undefined ? {} : { file: against.file };
  const trusted = against.publicKey ?? (await ownKey(keys, against.keyField));
  const parsed = parseCheckpoint(against.text);
  if (!parsed.ok) {
    const finding: AuditFinding = {
      kind: 'checkpoint_invalid',
      message: `判定ログのチェックポイントではありません / not a decision log checkpoint: ${parsed.problem}`,
    };
    return withCheckpoint(await store.decisions.verify(), { ...file, signature: 'malformed' }, [finding]);
  }
  const checkpoint = parsed.checkpoint;
  const problem = checkpointSignatureProblem(checkpoint, trusted);
  const described = { ...file, ...describe(checkpoint) };
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

async function ownKey(keys: CheckpointKeySource, field: string): Promise<KeyObject> {
  const own = await loadSigningKey(keys, false);
  if (own) return own;
  throw new MamoruError(
    'validation_failed',
    `チェックポイントを検証する公開鍵がありません / no key to check the checkpoint with: give ${field} (the key \`mamoru audit public-key\` printed), or set MAMORU_CHECKPOINT_KEY`,
    { issues: [{ path: field, message: 'required: no checkpoint key is configured here' }] },
  );
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
