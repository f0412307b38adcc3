import type { Kysely, Selectable } from 'kysely';
import { invalidField, MamoruError, newId, notFound } from '../core/index.ts';
import { PG_FOREIGN_KEY_VIOLATION, PG_UNIQUE_VIOLATION, pgErrorCode } from './pg-error-code.ts';
import type { Database, OrganisationsTable } from './schema.ts';
import type { Organisation, OrganisationRepo } from './store.ts';
import { toIso } from './to-iso.ts';

/**
 * Organisations (tenants) and their partnerships. A partnership is stored as
 * two rows, one per direction, so that "partners of X" is one indexed lookup.
 *
 * @example
 * const org = await store.orgs.create({ name: 'Example Bank' });
 * await store.orgs.addPartner(org.id, other.id);
 */
export class SqlOrganisationRepo implements OrganisationRepo {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async create(input: { id?: string; name: string }): Promise<Organisation> {
    const name = input.name.trim();
    if (name === '') throw invalidField('name', 'must not be empty');
    const id = input.id ?? newId('org');
    try {
      const row = await this.#db
        .insertInto('organisations')
        .values({ id, name })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toOrganisation(row);
    } catch (error) {
      if (pgErrorCode(error) === PG_UNIQUE_VIOLATION)
        throw new MamoruError('conflict', `organisation ${id} already exists`, { cause: error });
      throw error;
    }
  }

  async get(id: string): Promise<Organisation | undefined> {
    const row = await this.#db
      .selectFrom('organisations')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row && toOrganisation(row);
  }

  async list(): Promise<Organisation[]> {
    const rows = await this.#db
      .selectFrom('organisations')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toOrganisation);
  }

  async addPartner(orgId: string, partnerOrgId: string): Promise<void> {
    if (orgId === partnerOrgId) throw invalidField('partnerOrgId', 'an organisation cannot partner itself');
    try {
      await this.#db
        .insertInto('partnerships')
        .values([
          { org_id: orgId, partner_org_id: partnerOrgId },
          { org_id: partnerOrgId, partner_org_id: orgId },
        ])
        .onConflict((oc) => oc.columns(['org_id', 'partner_org_id']).doNothing())
        .execute();
    } catch (error) {
      if (pgErrorCode(error) === PG_FOREIGN_KEY_VIOLATION) throw notFound('organisation');
      throw error;
    }
  }

  async removePartner(orgId: string, partnerOrgId: string): Promise<void> {
    await this.#db
      .deleteFrom('partnerships')
      .where((eb) =>
        eb.or([
          eb.and([eb('org_id', '=', orgId), eb('partner_org_id', '=', partnerOrgId)]),
          eb.and([eb('org_id', '=', partnerOrgId), eb('partner_org_id', '=', orgId)]),
        ]),
      )
      .execute();
  }

  async partners(orgId: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('partnerships')
      .select('partner_org_id')
      .where('org_id', '=', orgId)
      .orderBy('partner_org_id')
      .execute();
    return rows.map((r) => r.partner_org_id);
  }
}

function toOrganisation(row: Selectable<OrganisationsTable>): Organisation {
  return { id: row.id, name: row.name, createdAt: toIso(row.created_at) };
}
