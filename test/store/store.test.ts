import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMamoruError, newId, policyDocumentSchema } from '../../src/core/index.ts';
import { SqlApiKeyRepo, type Store } from '../../src/store/index.ts';
import { hashSecret } from '../../src/store/secret-hash.ts';
import { storeBackends } from '../helpers/stores.ts';
import { QueryCounter } from './query-counter.ts';

/** The store suite (repositories other than the decision log), run against every backend. */

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const TOKEN = /^mk_key_[0-9a-z]{26}_[A-Za-z0-9_-]{43}$/;

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isMamoruError(error) ? error.code : error).toBe(code);
}

const policy = (channel: string, description = 'v') =>
  policyDocumentSchema.parse({ id: 'default', channel, description, thresholds: { block: 10 } });

for (const backend of storeBackends()) {
  describe(`store on ${backend.name}`, () => {
    let store: Store;
    let orgA: string;
    let orgB: string;
    beforeAll(async () => {
      store = await backend.open();
      orgA = (await store.orgs.create({ name: 'Carrier A' })).id;
      orgB = (await store.orgs.create({ name: 'Bank B' })).id;
    });
    afterAll(() => store.close());

    it('reports its kind', () => {
      expect(store.kind).toBe(backend.name);
    });

    describe('organisations', () => {
      it('creates, gets and lists', async () => {
        const org = await store.orgs.create({ id: `org_${newId('t')}`, name: '  Shop 42 ' });
        expect(org.name).toBe('Shop 42');
        expect(org.createdAt).toMatch(ISO);
        expect(await store.orgs.get(org.id)).toEqual(org);
        expect(await store.orgs.get('org_missing')).toBeUndefined();
        const ids = (await store.orgs.list()).map((o) => o.id);
        expect(ids).toEqual(expect.arrayContaining([orgA, orgB, org.id]));
      });

      it('refuses a duplicate id and an empty name', async () => {
        await rejectsWith(store.orgs.create({ id: orgA, name: 'again' }), 'conflict');
        await rejectsWith(store.orgs.create({ name: '  ' }), 'validation_failed');
      });

      it('keeps partnerships symmetric and idempotent', async () => {
        const c = (await store.orgs.create({ name: 'C' })).id;
        const d = (await store.orgs.create({ name: 'D' })).id;
        await store.orgs.addPartner(c, d);
        await store.orgs.addPartner(d, c);
        expect(await store.orgs.partners(c)).toEqual([d]);
        expect(await store.orgs.partners(d)).toEqual([c]);
        await store.orgs.removePartner(d, c);
        expect(await store.orgs.partners(c)).toEqual([]);
        expect(await store.orgs.partners(d)).toEqual([]);
        await rejectsWith(store.orgs.addPartner(c, c), 'validation_failed');
        await rejectsWith(store.orgs.addPartner(c, 'org_missing'), 'not_found');
      });
    });

    describe('api keys', () => {
      it('returns the token once and stores only a hash of its secret', async () => {
        const { key, token } = await store.keys.create({
          orgId: orgA,
          name: 'shop',
          role: 'agent',
          createdBy: 'test',
        });
        expect(token).toMatch(TOKEN);
        expect(token.startsWith(`mk_${key.id}_`)).toBe(true);
        expect(key).toMatchObject({
          orgId: orgA,
          name: 'shop',
          role: 'agent',
          lastUsedAt: null,
          revokedAt: null,
        });
        const row = await store.db
          .selectFrom('api_keys')
          .selectAll()
          .where('id', '=', key.id)
          .executeTakeFirstOrThrow();
        expect(row.hash).toMatch(/^sha256\$[A-Za-z0-9_-]{43}$/);
        expect(JSON.stringify(row)).not.toContain(token.slice(-43));
      });

      it('refuses a key name that would mislead a reader (bidi override, zero-width, control)', async () => {
        const input = { orgId: orgA, role: 'agent', createdBy: 'test' } as const;
        for (const name of ['shop\u202Egnp', 'sh\u200Bop', 'a\nb', 'a\u0000b']) {
          await rejectsWith(store.keys.create({ ...input, name }), 'validation_failed');
        }
        expect((await store.keys.create({ ...input, name: '渋谷店 👍' })).key.name).toBe('渋谷店 👍');
      });

      it('verifies a token, and refuses a wrong secret', async () => {
        const { key, token } = await store.keys.create({
          orgId: orgA,
          name: 'api',
          role: 'analyst',
          createdBy: 'test',
        });
        const verified = await store.keys.verify(token);
        expect(verified).toMatchObject({ id: key.id, orgId: orgA, role: 'analyst' });
        expect(verified?.lastUsedAt).toMatch(ISO);
        const wrong = `${token.slice(0, -43)}${'A'.repeat(43)}`;
        expect(await store.keys.verify(wrong)).toBeUndefined();
        const fresh = new SqlApiKeyRepo(store.db);
        expect(await fresh.verify(wrong)).toBeUndefined();
        expect(await fresh.verify(token)).toMatchObject({ id: key.id });
      });

      it('answers malformed tokens without a query', async () => {
        const counter = new QueryCounter();
        const keys = new SqlApiKeyRepo(store.db.withPlugin(counter));
        const { token } = await store.keys.create({
          orgId: orgA,
          name: 'm',
          role: 'agent',
          createdBy: 'test',
        });
        const malformed = [
          '',
          'mk_',
          token.slice(0, -1),
          `${token}A`,
          token.replace('mk_', 'mx_'),
          token.replace('_key_', '_kex_'),
          `${token.slice(0, -43)}${'!'.repeat(43)}`,
          `Bearer ${token}`,
          42 as unknown as string,
        ];
        for (const t of malformed) expect(await keys.verify(t)).toBeUndefined();
        expect(counter.total).toBe(0);
      });

      it('runs scrypt once per key: a verified token is served from memory', async () => {
        const counter = new QueryCounter();
        const keys = new SqlApiKeyRepo(store.db.withPlugin(counter));
        const { key, token } = await store.keys.create({
          orgId: orgA,
          name: 'hot',
          role: 'system',
          createdBy: 'test',
        });
        const first = await Promise.all(Array.from({ length: 20 }, () => keys.verify(token)));
        expect(first.every((k) => k?.id === key.id)).toBe(true);
        // One lookup shared by the concurrent first uses, one last_used_at write.
        expect(counter.count('SelectQueryNode', 'api_keys')).toBe(1);
        expect(counter.count('UpdateQueryNode', 'api_keys')).toBe(1);
        // Break the stored hash: a cached token no longer needs it.
        await store.db
          .updateTable('api_keys')
          .set({ hash: 'sha256$broken' })
          .where('id', '=', key.id)
          .execute();
        counter.reset();
        for (let i = 0; i < 100; i++) expect(await keys.verify(token)).toMatchObject({ id: key.id });
        expect(counter.total).toBe(0);
        expect(await new SqlApiKeyRepo(store.db).verify(token)).toBeUndefined();
      });

      it('never refuses the right secret: guesses are limited per client, checked before they are counted', async () => {
        let now = Date.parse('2026-03-02T09:00:00Z');
        const clock = { now: () => now };
        const keys = new SqlApiKeyRepo(store.db, clock);
        const { key, token } = await store.keys.create({
          orgId: orgA,
          name: 'guessed',
          role: 'agent',
          createdBy: 'test',
        });
        const wrong = (i: number) => `${token.slice(0, -43)}${String(i).padStart(43, 'A')}`;
        const attacker = '198.51.100.7';
        // A new key, in a process that never saw it: 20 failures, then the attacker is limited for the minute.
        for (let i = 0; i < 20; i++) {
          expect(await keys.verify(wrong(i), { client: attacker })).toBeUndefined();
          expect(keys.retryAfterMs(attacker)).toBe(i < 19 ? 0 : 60_000);
        }
        now += 15_000;
        expect(await keys.verify(wrong(20), { client: attacker })).toBeUndefined();
        expect(keys.retryAfterMs(attacker)).toBe(45_000);
        // The right secret passes, from the attacker's own address too, and in a fresh process (a restart).
        expect(await keys.verify(token, { client: attacker })).toMatchObject({ id: key.id });
        expect(await new SqlApiKeyRepo(store.db, clock).verify(token, { client: attacker })).toMatchObject({
          id: key.id,
        });
        // Other clients are not limited, and a success does not clear the attacker's count.
        expect(keys.retryAfterMs('203.0.113.9')).toBe(0);
        expect(await keys.verify(token, { client: '203.0.113.9' })).toMatchObject({ id: key.id });
        expect(keys.retryAfterMs(attacker)).toBe(45_000);
        // After the window the attacker starts again from zero.
        now += 45_000;
        expect(keys.retryAfterMs(attacker)).toBe(0);
        expect(await keys.verify(wrong(21), { client: attacker })).toBeUndefined();
        expect(keys.retryAfterMs(attacker)).toBe(0);
        // Without a client (the CLI, in process) nothing is counted.
        for (let i = 0; i < 30; i++) expect(await keys.verify(wrong(100 + i))).toBeUndefined();
        expect(await keys.verify(token)).toMatchObject({ id: key.id });
      });

      it('counts unknown and revoked keys as failures; thousands of unknown ids do not reset a count', async () => {
        const now = Date.parse('2026-03-02T10:00:00Z');
        const counter = new QueryCounter();
        const keys = new SqlApiKeyRepo(store.db.withPlugin(counter), { now: () => now });
        const attacker = '2001:db8:7::/64';
        const unknown = (i: number) => `mk_key_${String(i).padStart(26, '0')}_${'A'.repeat(43)}`;
        const revoked = await store.keys.create({ orgId: orgA, name: 'gone', role: 'agent', createdBy: 't' });
        await store.keys.revoke(orgA, revoked.key.id);
        for (let i = 0; i < 19; i++)
          expect(await keys.verify(revoked.token, { client: attacker })).toBeUndefined();
        expect(keys.retryAfterMs(attacker)).toBe(0);
        // There is no count per key id to push out: the client's count only grows with more unknown ids.
        await Promise.all(
          Array.from({ length: 2_000 }, (_, i) => keys.verify(unknown(i), { client: attacker })),
        );
        expect(keys.retryAfterMs(attacker)).toBe(60_000);
        expect(await keys.verify(unknown(2_001), { client: attacker })).toBeUndefined();
        expect(keys.retryAfterMs(attacker)).toBe(60_000);
        // A guessed secret for a known key is compared in memory once its row is cached: one query in all.
        const { token } = await store.keys.create({
          orgId: orgA,
          name: 'hot',
          role: 'agent',
          createdBy: 't',
        });
        counter.reset();
        for (let i = 0; i < 50; i++)
          await keys.verify(`${token.slice(0, -43)}${String(i).padStart(43, 'B')}`, { client: attacker });
        expect(counter.count('SelectQueryNode', 'api_keys')).toBe(1);
      });

      it('checks a key from before the fast hash with scrypt once, then rewrites it; a limited client gets no scrypt', async () => {
        const now = Date.parse('2026-03-02T11:00:00Z');
        const clock = { now: () => now };
        const { key, token } = await store.keys.create({
          orgId: orgA,
          name: 'old',
          role: 'agent',
          createdBy: 't',
        });
        const secret = token.slice(-43);
        const legacy = await hashSecret(secret);
        await store.db.updateTable('api_keys').set({ hash: legacy }).where('id', '=', key.id).execute();
        const stored = async () =>
          (
            await store.db
              .selectFrom('api_keys')
              .select('hash')
              .where('id', '=', key.id)
              .executeTakeFirstOrThrow()
          ).hash;
        const wrong = (i: number) => `${token.slice(0, -43)}${String(i).padStart(43, 'C')}`;
        const keys = new SqlApiKeyRepo(store.db, clock);
        const attacker = '192.0.2.66';
        // Parallel guesses are counted before scrypt runs: the 21st and later run none.
        await Promise.all(Array.from({ length: 60 }, (_, i) => keys.verify(wrong(i), { client: attacker })));
        expect(keys.retryAfterMs(attacker)).toBe(60_000);
        // The limited client's right secret, for this legacy key only, waits for its window (no scrypt for it).
        expect(await keys.verify(token, { client: attacker })).toBeUndefined();
        expect(await stored()).toBe(legacy);
        // From anyone else it passes, and the row now holds the fast hash: from then on it always passes.
        expect(await keys.verify(token, { client: '192.0.2.1' })).toMatchObject({ id: key.id });
        expect(await stored()).toMatch(/^sha256\$/);
        expect(await new SqlApiKeyRepo(store.db, clock).verify(token, { client: attacker })).toMatchObject({
          id: key.id,
        });
      });

      it('revokes at once, only within the owning organisation', async () => {
        const { key, token } = await store.keys.create({
          orgId: orgA,
          name: 'r',
          role: 'admin',
          createdBy: 'test',
        });
        expect(await store.keys.verify(token)).toBeDefined();
        expect(await store.keys.revoke(orgB, key.id)).toBe(false);
        expect(await store.keys.verify(token)).toBeDefined();
        expect(await store.keys.revoke(orgA, key.id)).toBe(true);
        expect(await store.keys.verify(token)).toBeUndefined();
        expect(await store.keys.revoke(orgA, key.id)).toBe(true);
        expect(await store.keys.revoke(orgA, 'key_missing')).toBe(false);
        const listed = (await store.keys.list(orgA)).find((k) => k.id === key.id);
        expect(listed?.revokedAt).toMatch(ISO);
      });

      it('lists only the organisation’s own keys', async () => {
        const b = await store.keys.create({ orgId: orgB, name: 'b-only', role: 'admin', createdBy: 'test' });
        const aKeys = await store.keys.list(orgA);
        const bKeys = await store.keys.list(orgB);
        expect(aKeys.length).toBeGreaterThan(0);
        expect(aKeys.every((k) => k.orgId === orgA)).toBe(true);
        expect(bKeys.map((k) => k.id)).toEqual([b.key.id]);
      });

      it('refuses an unknown role, an empty name and an unknown organisation', async () => {
        const input = { orgId: orgA, name: 'x', role: 'agent', createdBy: 'test' } as const;
        await rejectsWith(store.keys.create({ ...input, role: 'root' as 'agent' }), 'validation_failed');
        await rejectsWith(store.keys.create({ ...input, name: ' ' }), 'validation_failed');
        await rejectsWith(store.keys.create({ ...input, orgId: 'org_missing' }), 'not_found');
      });
    });

    describe('policies', () => {
      it('stores versions current + 1 with who and why', async () => {
        expect(await store.policies.current(orgA, 'message')).toBeUndefined();
        const v1 = await store.policies.put({
          orgId: orgA,
          channel: 'message',
          document: policy('message', 'one'),
          createdBy: 'alice',
        });
        const v2 = await store.policies.put({
          orgId: orgA,
          channel: 'message',
          document: policy('message', 'two'),
          createdBy: 'bob',
          comment: 'raise block',
        });
        expect(v1).toMatchObject({ orgId: orgA, channel: 'message', version: 1, createdBy: 'alice' });
        expect(v1).not.toHaveProperty('comment');
        expect(v2).toMatchObject({ version: 2, createdBy: 'bob', comment: 'raise block' });
        expect(v2.createdAt).toMatch(ISO);
        expect(await store.policies.current(orgA, 'message')).toEqual(v2);
        expect(await store.policies.get(orgA, 'message', 1)).toEqual(v1);
        expect((await store.policies.get(orgA, 'message', 1))?.document).toEqual(policy('message', 'one'));
        expect(await store.policies.get(orgA, 'message', 3)).toBeUndefined();
        expect((await store.policies.history(orgA, 'message')).map((p) => p.version)).toEqual([2, 1]);
      });

      it('versions each organisation and channel on its own', async () => {
        await store.policies.put({ orgId: orgA, channel: 'mail', document: policy('mail'), createdBy: 'a' });
        expect(await store.policies.current(orgB, 'mail')).toBeUndefined();
        expect(await store.policies.get(orgB, 'mail', 1)).toBeUndefined();
        expect(await store.policies.history(orgB, 'mail')).toEqual([]);
        const b1 = await store.policies.put({
          orgId: orgB,
          channel: 'mail',
          document: policy('mail'),
          createdBy: 'b',
        });
        expect(b1.version).toBe(1);
      });

      it('gives concurrent puts distinct, consecutive versions', async () => {
        const puts = Array.from({ length: 8 }, (_, i) =>
          store.policies.put({
            orgId: orgB,
            channel: 'voice',
            document: policy('voice', `p${i}`),
            createdBy: `u${i}`,
          }),
        );
        const versions = (await Promise.all(puts)).map((p) => p.version).sort((a, b) => a - b);
        expect(versions).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      });

      it('refuses an unknown organisation', async () => {
        await rejectsWith(
          store.policies.put({
            orgId: 'org_missing',
            channel: 'mail',
            document: policy('mail'),
            createdBy: 'x',
          }),
          'not_found',
        );
      });
    });

    describe('settings', () => {
      it('sets, overwrites and reads JSON values', async () => {
        expect(await store.settings.get('missing')).toBeUndefined();
        await store.settings.set('operator_org', orgA);
        expect(await store.settings.get<string>('operator_org')).toBe(orgA);
        await store.settings.set('limits', { a: [1, 2.5, 'x'], b: { c: null } });
        await store.settings.set('limits', { a: [3], b: true });
        expect(await store.settings.get('limits')).toEqual({ a: [3], b: true });
        await store.settings.set('zero', 0);
        expect(await store.settings.get('zero')).toBe(0);
        await rejectsWith(store.settings.set('bad', undefined), 'validation_failed');
      });
    });

    it('reads timestamps as Date and int8 as number through db', async () => {
      const row = await sql<{ t: unknown; n: unknown }>`select now() as t, 42::int8 as n`.execute(store.db);
      expect(row.rows[0]?.t).toBeInstanceOf(Date);
      expect(row.rows[0]?.n).toBe(42);
    });
  });
}
