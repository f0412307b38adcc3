import type { Kysely } from 'kysely';
import { jsonText } from './json-text.ts';
import type { Database } from './schema.ts';
import type { SettingsRepo } from './store.ts';

/**
 * Installation-wide settings as JSON values under a key (for example whether
 * the demo organisation was created). Not per organisation: tenant data
 * belongs in the tables that carry `org_id`.
 */
export class SqlSettingsRepo implements SettingsRepo {
  readonly #db: Kysely<Database>;

  constructor(db: Kysely<Database>) {
    this.#db = db;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const row = await this.#db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', key)
      .executeTakeFirst();
    return row === undefined ? undefined : (row.value as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    const json = jsonText(value, 'value');
    await this.#db
      .insertInto('settings')
      .values({ key, value: json })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value: json }))
      .execute();
  }
}
