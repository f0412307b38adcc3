import type { Kysely } from 'kysely';
import { GENESIS_HASH, storedRowHash } from './decision-hash.ts';
import type { Database } from './schema.ts';
import type { AuditFinding, AuditReport } from './store.ts';

const PAGE = 1000;

/**
 * Audit the decision log (X1; `mamoru audit verify`): walk every row in seq
 * order, a page at a time, recompute each hash and follow the links.
 *
 * - `edited`: a row's stored hash is not the hash of its content.
 * - `deleted`: seqs are missing between two rows (or before the first).
 * - `broken_link`: no seq is missing, but a row's `prev_hash` is not the
 *   previous row's hash: that row was replaced with its hash recomputed.
 * - `head_mismatch`: the `decision_chain` head disagrees with the last row,
 *   which is how deleting the newest rows shows.
 *
 * The head is read first and the walk stops at its seq, so appends made
 * during the audit are neither checked nor reported. Someone who rewrites
 * rows and the head together, recomputing every hash after them, is not
 * caught by the chain alone: anchor `last_hash` outside the database for that.
 */
export async function auditDecisionLog(db: Kysely<Database>): Promise<AuditReport> {
  const head = await db
    .selectFrom('decision_chain')
    .select(['last_seq', 'last_hash'])
    .where('id', '=', 1)
    .executeTakeFirst();
  const headSeq = head === undefined ? undefined : Number(head.last_seq);
  const findings: AuditFinding[] = [];
  let checked = 0;
  let expected = 1;
  let prevHash = GENESIS_HASH;
  for (;;) {
    let q = db.selectFrom('decisions').selectAll().where('seq', '>=', expected).orderBy('seq').limit(PAGE);
    if (headSeq !== undefined) q = q.where('seq', '<=', headSeq);
    const rows = await q.execute();
    for (const row of rows) {
      const seq = Number(row.seq);
      checked++;
      if (storedRowHash(row) !== row.hash)
        findings.push({
          kind: 'edited',
          seq,
          id: row.id,
          message: `decision ${seq} (${row.id}) was changed after it was written`,
        });
      if (seq !== expected)
        findings.push({
          kind: 'deleted',
          seq: expected,
          message: `${seq - expected === 1 ? `decision ${expected} is` : `decisions ${expected}–${seq - 1} are`} missing`,
        });
      else if (row.prev_hash !== prevHash)
        findings.push({
          kind: 'broken_link',
          seq,
          id: row.id,
          message: `decision ${seq} does not follow decision ${seq - 1}: the earlier row was replaced`,
        });
      expected = seq + 1;
      prevHash = row.hash;
    }
    if (rows.length < PAGE) break;
  }
  const lastSeq = expected - 1;
  if (head === undefined || headSeq === undefined) {
    if (checked > 0)
      findings.push({
        kind: 'head_mismatch',
        seq: lastSeq,
        message: 'the chain head is missing but decisions exist',
      });
  } else if (headSeq > lastSeq) {
    findings.push({
      kind: 'head_mismatch',
      seq: headSeq,
      message: `the chain head is at decision ${headSeq} but the log ends at ${lastSeq}: the newest decisions were deleted`,
    });
  } else if (head.last_hash !== prevHash) {
    findings.push({
      kind: 'head_mismatch',
      seq: headSeq,
      message: `decision ${headSeq} does not carry the hash the chain head recorded`,
    });
  }
  return { ok: findings.length === 0, checked, findings };
}
