import { type Kysely, sql } from 'kysely';

/**
 * The decision log's verdict and event columns compressed with LZ4 instead of
 * PostgreSQL's default pglz, where the server was built with LZ4 (PostgreSQL
 * 14 and later, as most packages are; PGlite is not, and keeps pglz). A
 * verdict is about 2 kB of JSON, over the size at which PostgreSQL compresses
 * a value, and pglz was a third of the database's CPU per logged verdict:
 * 67 -> 46 µs per row on PostgreSQL 15 (issue 8, item 10). Only new rows are
 * compressed so; the stored values, and so the hash chain, are unchanged.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`do $$
    begin
      if exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any(enumvals)) then
        alter table decisions alter column verdict set compression lz4;
        alter table decisions alter column event set compression lz4;
      end if;
    end
  $$`.execute(db);
}
