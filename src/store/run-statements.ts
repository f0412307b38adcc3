import { type Kysely, sql } from 'kysely';

/**
 * Run `;`-separated DDL one statement at a time (PGlite's extended protocol
 * takes one per query). For the core's migrations and a channel's alike.
 *
 * @example await runStatements(db, 'create table t (id text primary key); create index t_id on t (id)');
 */
export async function runStatements(db: Kysely<unknown>, text: string): Promise<void> {
  for (const statement of text
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    await sql.raw(statement).execute(db);
  }
}
