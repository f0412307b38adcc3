import { type Kysely, sql } from 'kysely';
import { GENESIS_HASH, storedRowHash } from './decision-hash.ts';
import type { Database, DecisionRow } from './schema.ts';
import type { AuditAnchor, AuditFinding, AuditOptions, AuditReport, ChainAnchor } from './store.ts';

const PAGE = 1000;
/** Cases named one by one; beyond, one finding counts the rest. */
const CASE_FINDINGS = 1000;
/** Chain findings named one by one (a log rewritten whole would make millions); beyond, counted per kind. */
const CHAIN_FINDINGS = 10_000;
/** The settings key of the log's id (migration 007). */
export const LOG_ID_SETTING = 'decision_log_id';

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
 * rows and the head together, recomputing every hash after them, or deletes
 * every row and the head, is not caught by the chain alone: `against` is a
 * head kept outside the database (a signed checkpoint, `decision-checkpoint.ts`),
 * and the log must still hold that row with that hash:
 *
 * - `truncated`: the log ends before the checkpointed seq, or that row is gone;
 * - `rewritten`: the row at that seq is not the one checkpointed;
 * - `checkpoint_log`: the checkpoint was taken of another log (another id).
 *
 * And, whatever the chain says, `case_without_decision`: a case whose
 * decision is not in the log (decisions are never deleted, so it was).
 */
export async function auditDecisionLog(
  db: Kysely<Database>,
  options: AuditOptions = {},
): Promise<AuditReport> {
  const [head, log] = await Promise.all([readHead(db), readLogId(db)]);
  const findings: AuditFinding[] = [];
  const against = options.against;
  const otherLog = against !== undefined && against.log !== log;
  if (against && otherLog)
    findings.push({
      kind: 'checkpoint_log',
      message:
        log === undefined
          ? `the checkpoint is of log ${against.log}, and this database has no log id: its settings were deleted`
          : `the checkpoint is of log ${against.log}, not of this log (${log}): another installation, or a log deleted and started again`,
    });
  const anchor = against && !otherLog && against.seq > 0 ? against : undefined;

  let start: { from: ChainAnchor; checked: number } = { from: { seq: 0, hash: GENESIS_HASH }, checked: 0 };
  if (anchor && options.scope === 'after-anchor') {
    // Rows up to the anchor were audited before: start after it, if it is still there unchanged.
    const row = await db.selectFrom('decisions').selectAll().where('seq', '=', anchor.seq).executeTakeFirst();
    if (row && row.hash === anchor.hash && storedRowHash(row) === row.hash)
      start = { from: anchor, checked: 1 };
  }
  const walk = await walkChain(db, start.from, head?.seq, anchor?.seq);
  for (const f of walk.findings) findings.push(f);
  const lastSeq = walk.last.seq;

  if (head === undefined) {
    if (walk.checked > 0)
      findings.push({
        kind: 'head_mismatch',
        seq: lastSeq,
        message: 'the chain head is missing but decisions exist',
      });
  } else if (head.seq > lastSeq) {
    findings.push({
      kind: 'head_mismatch',
      seq: head.seq,
      message: `the chain head is at decision ${head.seq} but the log ends at ${lastSeq}: the newest decisions were deleted`,
    });
  } else if (head.hash !== walk.last.hash) {
    findings.push({
      kind: 'head_mismatch',
      seq: head.seq,
      message: `decision ${head.seq} does not carry the hash the chain head recorded`,
    });
  }
  if (anchor) {
    const atAnchor = start.checked > 0 ? anchor.hash : walk.atAnchor;
    for (const f of anchorFindings(anchor, atAnchor, Math.max(lastSeq, head?.seq ?? 0))) findings.push(f);
  }
  if (options.cases !== false) for (const f of await casesWithoutDecision(db)) findings.push(f);
  return {
    ok: findings.length === 0,
    checked: start.checked + walk.checked,
    head: walk.last,
    log,
    findings,
  };
}

/** The `decision_chain` head, or undefined when there is none (an empty log, or the head deleted). */
async function readHead(db: Kysely<Database>): Promise<ChainAnchor | undefined> {
  const row = await db
    .selectFrom('decision_chain')
    .select(['last_seq', 'last_hash'])
    .where('id', '=', 1)
    .executeTakeFirst();
  return row && { seq: Number(row.last_seq), hash: row.last_hash };
}

/** This log's id, or undefined when the setting is gone. */
export async function readLogId(db: Kysely<Database>): Promise<string | undefined> {
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', LOG_ID_SETTING)
    .executeTakeFirst();
  return typeof row?.value === 'string' ? row.value : undefined;
}

interface Walk {
  readonly findings: AuditFinding[];
  readonly checked: number;
  /** The last row walked (seq 0 and the genesis hash when none). */
  readonly last: ChainAnchor;
  /** The hash of the row at the anchor's seq, when the walk met it. */
  readonly atAnchor: string | undefined;
}

/** Walk the rows after `from` up to `headSeq` (all rows when undefined), checking hashes and links. */
async function walkChain(
  db: Kysely<Database>,
  from: ChainAnchor,
  headSeq: number | undefined,
  anchorSeq: number | undefined,
): Promise<Walk> {
  const findings: AuditFinding[] = [];
  const more = new Map<AuditFinding['kind'], number>();
  const found = (finding: AuditFinding) => {
    if (findings.length < CHAIN_FINDINGS) findings.push(finding);
    else more.set(finding.kind, (more.get(finding.kind) ?? 0) + 1);
  };
  let checked = 0;
  let expected = from.seq + 1;
  let prevHash = from.hash;
  let atAnchor: string | undefined;
  for (;;) {
    let q = db.selectFrom('decisions').selectAll().where('seq', '>=', expected).orderBy('seq').limit(PAGE);
    if (headSeq !== undefined) q = q.where('seq', '<=', headSeq);
    const rows: DecisionRow[] = await q.execute();
    for (const row of rows) {
      const seq = Number(row.seq);
      checked++;
      if (seq === anchorSeq) atAnchor = row.hash;
      if (storedRowHash(row) !== row.hash)
        found({
          kind: 'edited',
          seq,
          id: row.id,
          message: `decision ${seq} (${row.id}) was changed after it was written`,
        });
      if (seq !== expected)
        found({
          kind: 'deleted',
          seq: expected,
          message: `${seq - expected === 1 ? `decision ${expected} is` : `decisions ${expected}–${seq - 1} are`} missing`,
        });
      else if (row.prev_hash !== prevHash)
        found({
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
  for (const [kind, n] of more)
    findings.push({ kind, message: `and ${n} more finding${n === 1 ? '' : 's'} of this kind (${kind})` });
  return { findings, checked, last: { seq: expected - 1, hash: prevHash }, atAnchor };
}

/** What the log shows of a checkpointed head: gone (`truncated`) or another row (`rewritten`). */
function anchorFindings(anchor: AuditAnchor, atAnchor: string | undefined, end: number): AuditFinding[] {
  const vouched = `the checkpoint of ${anchor.time} vouches for decisions 1–${anchor.seq}`;
  if (atAnchor === undefined)
    return [
      {
        kind: 'truncated',
        seq: anchor.seq,
        message:
          end < anchor.seq
            ? `${vouched}, but the log ${end === 0 ? 'holds none' : `ends at ${end}`}: decisions were deleted with the chain head`
            : `${vouched}, but decision ${anchor.seq} is gone`,
      },
    ];
  if (atAnchor !== anchor.hash)
    return [
      {
        kind: 'rewritten',
        seq: anchor.seq,
        message: `${vouched}, but decision ${anchor.seq} is not the row checkpointed: the log was rewritten up to it`,
      },
    ];
  return [];
}

/** Cases whose decision is not in the log, oldest first: one finding each up to a bound, then their count. */
async function casesWithoutDecision(db: Kysely<Database>): Promise<AuditFinding[]> {
  const orphans = db
    .selectFrom('cases as c')
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('decisions as d')
            .select(sql.lit(1).as('one'))
            .whereRef('d.id', '=', 'c.decision_id')
            .whereRef('d.org_id', '=', 'c.org_id'),
        ),
      ),
    );
  const rows = await orphans
    .select(['c.id', 'c.org_id', 'c.decision_id'])
    .orderBy('c.created_at')
    .orderBy('c.id')
    .limit(CASE_FINDINGS + 1)
    .execute();
  const findings: AuditFinding[] = rows.slice(0, CASE_FINDINGS).map((c) => ({
    kind: 'case_without_decision',
    id: c.decision_id,
    caseId: c.id,
    orgId: c.org_id,
    message: `case ${c.id} (organisation ${c.org_id}) points at decision ${c.decision_id}, which is not in the log`,
  }));
  if (rows.length > CASE_FINDINGS) {
    const { n } = await orphans.select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const more = Number(n) - CASE_FINDINGS;
    findings.push({
      kind: 'case_without_decision',
      message: `and ${more} more case${more === 1 ? '' : 's'} whose decision is not in the log`,
    });
  }
  return findings;
}
