import type { KeyObject } from 'node:crypto';
import { MamoruError } from '../core/index.ts';
import { readLogId } from './decision-audit.ts';
import { type Checkpoint, signCheckpoint } from './decision-checkpoint.ts';
import { GENESIS_HASH, storedRowHash } from './decision-hash.ts';
import type { AuditAnchor, AuditFinding, Store } from './store.ts';

/**
 * How much is checked before a head is signed:
 * - `audit`: the chain is audited first — all of it the first time, then only
 *   the rows after the last head this issuer signed (which must still be
 *   there, unchanged) — and cases without their decision; a log with findings
 *   is never signed, so a checkpoint never vouches for tampering.
 * - `head`: only that the head row is the last row and carries its hash (for
 *   a request that must answer quickly; the periodic checkpoint audits).
 */
export type CheckpointCheck = 'audit' | 'head';

/**
 * Signs checkpoints of one store's decision log with one key (X1). Keeps
 * the last head it audited and signed, so each later audit walks only the
 * new rows.
 *
 * @example
 * const issuer = new CheckpointIssuer(store, await loadSigningKey(config, true));
 * const checkpoint = await issuer.issue('audit'); // throws `conflict` when the log has findings
 */
export class CheckpointIssuer {
  readonly #store: Store;
  readonly #key: KeyObject;
  #verified: AuditAnchor | undefined;

  /** `verified`: a head audited before (a checkpoint this key signed): audits start after it. */
  constructor(store: Store, key: KeyObject, verified?: AuditAnchor) {
    this.#store = store;
    this.#key = key;
    this.#verified = verified;
  }

  async issue(check: CheckpointCheck): Promise<Checkpoint> {
    if (check === 'head') {
      const log = await this.#logId();
      return signCheckpoint(this.#key, { log, ...(await this.#checkedHead()) });
    }
    const report = await this.#store.decisions.verify(
      this.#verified ? { against: this.#verified, scope: 'after-anchor' } : {},
    );
    if (!report.ok) throw refused(report.findings);
    const log = report.log ?? (await this.#logId());
    const checkpoint = signCheckpoint(this.#key, { log, ...report.head });
    this.#verified = { log, seq: checkpoint.seq, hash: checkpoint.hash, time: checkpoint.time };
    return checkpoint;
  }

  async #logId(): Promise<string> {
    const log = await readLogId(this.#store.db);
    if (log === undefined)
      throw new MamoruError(
        'conflict',
        '判定ログの ID がありません / the decision log has no id (settings decision_log_id was deleted): no checkpoint signed',
      );
    return log;
  }

  /** The head, once its row is found to be the last one and to carry the head's hash. */
  async #checkedHead(): Promise<{ seq: number; hash: string }> {
    const db = this.#store.db;
    const head = await db
      .selectFrom('decision_chain')
      .select(['last_seq', 'last_hash'])
      .where('id', '=', 1)
      .executeTakeFirst();
    const last = await db
      .selectFrom('decisions')
      .selectAll()
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!head && !last) return { seq: 0, hash: GENESIS_HASH };
    // A row appended after the head was read is newer than it: read the head's own row.
    const row =
      head && last && Number(last.seq) > Number(head.last_seq)
        ? await db.selectFrom('decisions').selectAll().where('seq', '=', head.last_seq).executeTakeFirst()
        : last;
    const sound =
      head !== undefined &&
      row !== undefined &&
      Number(row.seq) === Number(head.last_seq) &&
      row.hash === head.last_hash &&
      storedRowHash(row) === row.hash;
    if (!sound || !head)
      throw refused([{ kind: 'head_mismatch', message: 'the chain head does not match the last decision' }]);
    return { seq: Number(head.last_seq), hash: head.last_hash };
  }
}

function refused(findings: readonly AuditFinding[]): MamoruError {
  return new MamoruError(
    'conflict',
    `判定ログに改ざんの跡があるためチェックポイントを署名しません / the decision log does not verify (${findings.length} finding${findings.length === 1 ? '' : 's'}): no checkpoint signed; run \`mamoru audit verify\``,
    {
      issues: findings
        .slice(0, 20)
        .map((f) => ({ path: f.seq === undefined ? f.kind : `${f.kind} ${f.seq}`, message: f.message })),
    },
  );
}
