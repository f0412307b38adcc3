import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { ACTIONS, INDICATOR_TYPES, type IndicatorType, notFound } from '../../core/index.ts';
import type { Mamoru } from '../../mamoru.ts';
import { CheckpointIssuer } from '../../store/checkpoint-issuer.ts';
import { loadSigningKey, parsePublicKey, publicKeyPem } from '../../store/checkpoint-key.ts';
import { CHECKPOINT_TYPE, keyId } from '../../store/decision-checkpoint.ts';
import { AUDIT_FINDING_KINDS } from '../../store/index.ts';
import { verifyLog } from '../../store/verify-log.ts';
import { pageSchema } from '../paging.ts';
import { type App, actorOf } from '../route-kit.ts';
import { decisionSchema, errorResponses, idParams } from '../schemas.ts';

/**
 * The decision log, read back (one decision, or the newest first), and its
 * audit (X1): a full verify, signed checkpoints of its head and their key.
 */
export async function decisionRoutes(app: App, { mamoru }: { mamoru: Mamoru }): Promise<void> {
  app.get(
    '/v1/decisions/:id',
    {
      schema: {
        tags: ['decisions'],
        summary: '判定を取得 / Get a decision',
        params: idParams,
        response: { 200: decisionSchema, ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request, 'decisions:read');
      const record = await mamoru.store.decisions.get(actor.orgId, request.params.id);
      if (!record) throw notFound(`decision ${request.params.id}`);
      return record;
    },
  );
  app.get(
    '/v1/decisions',
    {
      schema: {
        tags: ['decisions'],
        summary: '判定の一覧（新しい順）/ List decisions, newest first',
        description:
          '期間（from〜to）、シグナル、インジケーター、イベント ID で絞り込めます。期間を指定せずにシグナルかインジケーターで探すときは、組織の最新 100,000 件（channel 指定時はそのチャネルの最新 100,000 件）だけを調べます。 / ' +
          'Filter by time window (`from` inclusive, `to` exclusive, on the decision time), `signal`, `indicator` (with `indicatorType`: normalised as intel normalises it, keyed-hashed for sensitive types) and `eventId`. A search by `signal` or `indicator` without `from` walks only the organisation’s newest 100,000 decisions (of the channel, when `channel` is given): give `from` to search further back.',
        querystring: z.object({
          channel: z.string().max(50).optional(),
          action: z.enum(ACTIONS).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
          cursor: z
            .string()
            .regex(/^\d{1,15}$/, 'must be the nextCursor of the previous page')
            .optional()
            .describe('前のページの nextCursor / the nextCursor of the previous page'),
          before: z.coerce
            .number()
            .int()
            .min(0)
            .optional()
            .describe('旧名（cursor と同じ）/ deprecated: the same as cursor'),
          from: z.iso
            .datetime({ offset: true })
            .optional()
            .describe('この時刻以降（ISO 8601）/ created at or after this instant (ISO 8601)'),
          to: z.iso
            .datetime({ offset: true })
            .optional()
            .describe(
              'この時刻より前（ISO 8601、含まない）/ created before this instant (ISO 8601, exclusive)',
            ),
          signal: z
            .string()
            .regex(/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/, 'must be a signal name (UPPER_SNAKE_CASE)')
            .max(100)
            .optional()
            .describe('このシグナルが発火した判定 / decisions whose hits include this signal'),
          indicator: z
            .string()
            .min(1)
            .max(2048)
            .optional()
            .describe(
              '判定が抽出したインジケーターの値。indicatorType があれば正規化（機微な種別はキー付きハッシュ）してから比較 / a value among the indicators the verdict extracted; normalised (keyed-hashed for bank_account, card, identity) when indicatorType is given, else compared as given',
            ),
          indicatorType: z.enum(INDICATOR_TYPES).optional(),
          eventId: z.string().min(1).max(200).optional(),
        }),
        response: { 200: pageSchema(decisionSchema), ...errorResponses },
      },
    },
    async (request) => {
      const actor = actorOf(request, 'decisions:read');
      const q = request.query;
      const before = q.cursor !== undefined ? Number(q.cursor) : q.before;
      const items = await mamoru.store.decisions.list(actor.orgId, {
        limit: q.limit,
        ...(q.channel ? { channel: q.channel } : {}),
        ...(q.action ? { action: q.action } : {}),
        ...(before !== undefined ? { beforeSeq: before } : {}),
        ...(q.from ? { from: q.from } : {}),
        ...(q.to ? { to: q.to } : {}),
        ...(q.signal ? { signal: q.signal } : {}),
        ...(q.eventId ? { eventId: q.eventId } : {}),
        ...(q.indicator !== undefined ? { indicator: indicatorOf(q.indicator, q.indicatorType) } : {}),
      });
      const last = items.at(-1);
      return { items, nextCursor: items.length === q.limit && last ? String(last.seq) : null };
    },
  );
  /** The indicator as the verdicts store it; a value that is not of its type is a 400 on the query. */
  const indicatorOf = (raw: string, type: IndicatorType | undefined) =>
    type === undefined
      ? { value: raw }
      : { type, value: mamoru.intel.storedValue(type, raw, 'query.indicator') };
  // The signing key is loaded (created in the data folder) on the first checkpoint asked for.
  let issuer: Promise<{ signingKey: KeyObject; key: string; publicKey: string }> | undefined;
  const checkpoints = () => {
    if (issuer === undefined) {
      issuer = loadSigningKey(mamoru.config, true).then((key) => ({
        signingKey: key,
        key: keyId(key),
        publicKey: publicKeyPem(key),
      }));
      // A key that could not be loaded is tried again on the next request.
      issuer.catch(() => {
        issuer = undefined;
      });
    }
    return issuer;
  };
  app.get(
    '/v1/decisions/checkpoint',
    {
      schema: {
        tags: ['decisions'],
        summary: '判定ログの署名付きチェックポイント / A signed checkpoint of the decision log',
        description:
          'The head of the whole decision log (every organisation: its length and the hash of its last row, no content), signed with Ed25519 (X1). Keep it outside the operator: `mamoru audit verify --against <file>` later shows the log truncated or its tail rewritten. Save the body as it is. `check=head` (default) checks only that the head is the last row; `check=audit` (what `mamoru audit checkpoint` asks for) audits the whole log first, as `POST /v1/decisions/verify` does (about 10,000 rows a second on the embedded database, 30,000 on PostgreSQL: minutes on a large log). 409 when the log does not verify: no checkpoint is signed. Needs decisions:audit (admin).',
        querystring: z.object({
          check: z
            .enum(['head', 'audit'])
            .default('head')
            .describe('head: the head row only; audit: audit the log before signing'),
        }),
        response: { 200: checkpointSchema, ...errorResponses },
      },
    },
    async (request) => {
      actorOf(request, 'decisions:audit');
      const { signingKey } = await checkpoints();
      // A fresh issuer: `audit` walks the whole log each time, as the command does on the database.
      return new CheckpointIssuer(mamoru.store, signingKey).issue(request.query.check);
    },
  );
  app.post(
    '/v1/decisions/verify',
    {
      schema: {
        tags: ['decisions'],
        summary: '判定ログを監査 / Audit the decision log',
        description:
          'What `mamoru audit verify [--against <file>]` does, on the server’s database (X1): recompute every row’s hash and follow the links (`edited`, `deleted`, `broken_link`, `head_mismatch`), find cases whose decision is gone (`case_without_decision`), and with a `checkpoint` (as `GET /v1/decisions/checkpoint` answered it, or the text of its file) check its signature — with `publicKey` (PEM), else the server’s own checkpoint key — then that the log still holds its head (`truncated`, `rewritten`, `checkpoint_log`). Findings are data: the answer is 200 with `ok: false`. It walks the whole log, about 10,000 rows a second on the embedded database and 30,000 on PostgreSQL (a million rows: a minute or more), and the request stays open until it is done. At most 10,000 chain findings and 1,000 cases are named; the rest are counted. Needs decisions:audit (admin).',
        // No body at all: a plain audit.
        body: z
          .preprocess(
            (body) => body ?? {},
            z
              .object({
                checkpoint: z
                  .union([z.record(z.string(), z.unknown()), z.string().max(100_000)], {
                    error: 'must be a checkpoint: the object, or the text of its file',
                  })
                  .optional()
                  .describe('a signed checkpoint to check the log against (the object, or its file’s text)'),
                publicKey: z
                  .string()
                  .max(10_000)
                  .optional()
                  .describe(
                    'the Ed25519 public key (PEM) to check its signature with; default: the server’s',
                  ),
              })
              .strict(),
          )
          .meta({
            // `x-examples`: zod leaves `examples` out of the input schema of a preprocessed schema.
            'x-examples': {
              audit: { summary: '全件の監査 / audit the whole log', value: {} },
            },
          }),
        response: { 200: verifyReportSchema, ...errorResponses },
      },
    },
    async (request) => {
      actorOf(request, 'decisions:audit');
      const { checkpoint, publicKey } = request.body;
      if (checkpoint === undefined) return verifyLog(mamoru.store, mamoru.config);
      const field = 'body.publicKey';
      return verifyLog(mamoru.store, mamoru.config, {
        text: typeof checkpoint === 'string' ? checkpoint : JSON.stringify(checkpoint),
        keyField: field,
        ...(publicKey === undefined ? {} : { publicKey: parsePublicKey(publicKey, field) }),
      });
    },
  );
  app.get(
    '/v1/decisions/checkpoint/key',
    {
      schema: {
        tags: ['decisions'],
        summary: 'チェックポイントの公開鍵 / The public key checkpoints are signed with',
        description:
          'Keep it with the checkpoints (`mamoru audit verify --against <file> --public-key <pem>`). Needs decisions:audit (admin).',
        response: {
          200: z.object({ key: z.string(), algorithm: z.literal('Ed25519'), publicKey: z.string() }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      actorOf(request, 'decisions:audit');
      const { key, publicKey } = await checkpoints();
      return { key, algorithm: 'Ed25519' as const, publicKey };
    },
  );
}

const checkpointSchema = z
  .object({
    type: z.literal(CHECKPOINT_TYPE),
    version: z.literal(1),
    log: z.string().describe('the log id'),
    seq: z.number().int().describe('decisions vouched for: the head seq'),
    hash: z.string().describe('SHA-256 (hex) of decision seq, covering every row before it'),
    time: z.string().describe('when it was signed (ISO 8601)'),
    key: z.string().describe('signing key id: ed25519:<32 hex digits>'),
    signature: z.string().describe('Ed25519 signature of the canonical JSON of the other fields, base64url'),
  })
  .meta({ id: 'DecisionLogCheckpoint' });

const verifyReportSchema = z
  .object({
    ok: z.boolean().describe('no findings'),
    checked: z.number().int().describe('decision rows checked'),
    head: z
      .object({ seq: z.number().int(), hash: z.string() })
      .describe('the last row walked: the head read when the audit began'),
    log: z.string().optional().describe('the log id; absent when its setting was deleted'),
    findings: z
      .array(
        z.object({
          kind: z.enum(AUDIT_FINDING_KINDS),
          seq: z.number().int().optional(),
          id: z.string().optional(),
          caseId: z.string().optional(),
          orgId: z.string().optional(),
          message: z.string(),
        }),
      )
      .readonly(),
    checkpoint: z
      .object({
        signature: z.enum(['valid', 'invalid', 'malformed']),
        log: z.string().optional(),
        seq: z.number().int().optional(),
        hash: z.string().optional(),
        time: z.string().optional(),
        key: z.string().optional(),
      })
      .optional()
      .describe('the checkpoint given, and whether its signature holds'),
  })
  .meta({ id: 'DecisionLogAudit' });
