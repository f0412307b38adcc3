import { setTimeout as sleep } from 'node:timers/promises';
import type { Kysely, Selectable } from 'kysely';
import { MamoruError, notFound, type PolicyLayer, type PolicyVersion } from '../core/index.ts';
import { jsonText } from './json-text.ts';
import { PG_FOREIGN_KEY_VIOLATION, PG_UNIQUE_VIOLATION, pgErrorCode } from './pg-error-code.ts';
import type { Database, PolicyVersionsTable } from './schema.ts';
import type { PolicyRepo } from './store.ts';
import { toIso } from './to-iso.ts';

/** How often `put` retries after losing the race for a version number to a concurrent writer. */
const PUT_ATTEMPTS = 10;

/**
 * Policies as versioned data: every `put` adds version current + 1 for the
 * organisation and channel with who changed it and why; nothing is updated
 * in place, so the history is the audit trail. A version holds the layer the
 * organisation wrote over the channel's default (`PolicyLayer`); the policy
 * service resolves it over the default when it is read.
 *
 * @example
 * const v = await store.policies.put({ orgId, channel: 'message', document, createdBy: 'key_…' });
 * const now = await store.policies.current(orgId, 'message'); // now.version === v.version
 */
export class SqlPolicyRepo implements PolicyRepo {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async current(orgId: string, channel: string): Promise<PolicyVersion | undefined> {
    const row = await this.#versions(orgId, channel).orderBy('version', 'desc').limit(1).executeTakeFirst();
    return row && toPolicyVersion(row);
  }

  async get(orgId: string, channel: string, version: number): Promise<PolicyVersion | undefined> {
    if (!Number.isSafeInteger(version)) return undefined;
    const row = await this.#versions(orgId, channel).where('version', '=', version).executeTakeFirst();
    return row && toPolicyVersion(row);
  }

  /** Every version, newest first. */
  async history(orgId: string, channel: string): Promise<PolicyVersion[]> {
    const rows = await this.#versions(orgId, channel).orderBy('version', 'desc').execute();
    return rows.map(toPolicyVersion);
  }

  async put(input: {
    orgId: string;
    channel: string;
    document: PolicyLayer;
    createdBy: string;
    comment?: string;
  }): Promise<PolicyVersion> {
    const document = jsonText(input.document, 'document');
    for (let attempt = 1; ; attempt++) {
      try {
        const row = await this.#db.transaction().execute(async (trx) => {
          const top = await trx
            .selectFrom('policy_versions')
            .select((eb) => eb.fn.max('version').as('version'))
            .where('org_id', '=', input.orgId)
            .where('channel', '=', input.channel)
            .executeTakeFirst();
          return trx
            .insertInto('policy_versions')
            .values({
              org_id: input.orgId,
              channel: input.channel,
              version: (top?.version ?? 0) + 1,
              document,
              created_by: input.createdBy,
              comment: input.comment ?? null,
            })
            .returningAll()
            .executeTakeFirstOrThrow();
        });
        return toPolicyVersion(row);
      } catch (error) {
        const code = pgErrorCode(error);
        if (code === PG_FOREIGN_KEY_VIOLATION) throw notFound('organisation');
        // A concurrent put took the same version: the primary key refused ours; read the new top and retry.
        if (code !== PG_UNIQUE_VIOLATION) throw error;
        if (attempt >= PUT_ATTEMPTS)
          throw new MamoruError('conflict', 'the policy is being changed concurrently; try again', {
            cause: error,
          });
        // Jitter, so that writers who lost together do not collide again on the next number.
        await sleep(Math.random() * 5 * attempt);
      }
    }
  }

  #versions(orgId: string, channel: string) {
    return this.#db
      .selectFrom('policy_versions')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('channel', '=', channel);
  }
}

function toPolicyVersion(row: Selectable<PolicyVersionsTable>): PolicyVersion {
  return {
    orgId: row.org_id,
    channel: row.channel,
    version: row.version,
    document: row.document as PolicyLayer,
    createdBy: row.created_by,
    createdAt: toIso(row.created_at),
    ...(row.comment === null ? {} : { comment: row.comment }),
  };
}
