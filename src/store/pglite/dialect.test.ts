import { PGlite } from '@electric-sql/pglite';
import { Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGliteDialect } from './dialect.ts';

describe('PGliteDialect parameters', () => {
  let db: Kysely<unknown>;
  beforeAll(async () => {
    db = new Kysely<unknown>({ dialect: new PGliteDialect(new PGlite()) });
    await sql`create table t (id int primary key, j jsonb, k json, s text, v varchar)`.execute(db);
  });
  afterAll(() => db.destroy());

  // Long strings go in binary format: they must arrive exactly as short ones do.
  it.each([
    ['short', 'こんにちは 😀 "quoted"'],
    ['long', `${'日本語のテキスト 😀 \\ "q" '.repeat(200)}end`],
  ])('sends %s text and JSON unchanged', async (_name, text) => {
    const id = text.length;
    const doc = { text, nested: [text, 1.5, null] };
    await sql`insert into t (id, j, k, s, v) values (${id}, ${JSON.stringify(doc)}, ${JSON.stringify(doc)}, ${text}, ${text})`.execute(
      db,
    );
    const { rows } = await sql<{ j: unknown; k: unknown; s: string; v: string; ok: boolean }>`
      select j, k, s, v, j->>'text' = ${text} as ok from t where id = ${id}`.execute(db);
    expect(rows).toEqual([{ j: doc, k: doc, s: text, v: text, ok: true }]);
  });

  it('refuses a long value PostgreSQL cannot hold, as it refuses a short one', async () => {
    for (const text of ['a\u0000b', `${'x'.repeat(500)}\u0000`]) {
      await expect(
        sql`insert into t (id, s) values (${text.length + 1e6}, ${text})`.execute(db),
      ).rejects.toThrow();
    }
    await expect(sql`select ${'{"a":'.repeat(100)}::jsonb`.execute(db)).rejects.toThrow();
  });
});
