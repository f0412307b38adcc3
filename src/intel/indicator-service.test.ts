import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isMamoruError } from '../core/index.ts';
import { openDatabase } from '../store/open-store.ts';
import type { Database } from '../store/schema.ts';
import { importIndicators } from './import-indicators.ts';
import { IndicatorService } from './indicator-service.ts';
import { createKeyedHasher } from './keyed-hash.ts';

// One PGlite for the whole file: it takes seconds to start.
let db: Kysely<Database>;
let clock = new Date('2026-01-15T00:00:00Z');
const hasher = createKeyedHasher('service-test-key-0123456789');
let intel: IndicatorService;

const A = 'org_a';
const B = 'org_b';
const P = 'org_partner';
const X = 'org_stranger';

beforeAll(async () => {
  ({ db } = await openDatabase({ dataDir: 'memory://' }));
  await db
    .insertInto('organisations')
    .values([A, B, P, X].map((id) => ({ id, name: id })))
    .execute();
  // One direction only: lookups must treat partnerships as symmetric.
  await db.insertInto('partnerships').values({ org_id: P, partner_org_id: A }).execute();
  intel = new IndicatorService({ db, hasher, now: () => clock });
});

afterAll(async () => {
  await db?.destroy();
});

const codeOf = async (p: Promise<unknown>) => {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isMamoruError(error) ? error.code : String(error);
};

describe('IndicatorService', () => {
  it('creates, gets, refreshes (upsert) and keeps first seen', async () => {
    const first = await intel.upsert(A, {
      type: 'phone',
      value: '090-1111-2222',
      verdict: 'suspicious',
      confidence: 40,
      source: 'analyst',
      tags: ['sms'],
      description: '架空請求',
    });
    expect(first.created).toBe(true);
    expect(first.indicator).toMatchObject({
      orgId: A,
      type: 'phone',
      value: '+819011112222',
      hashed: false,
      verdict: 'suspicious',
      confidence: 40,
      scope: 'org',
      tags: ['sms'],
      description: '架空請求',
      firstSeen: clock.toISOString(),
      expiresAt: null,
    });
    expect(await intel.get(A, first.indicator.id)).toEqual(first.indicator);

    clock = new Date('2026-01-16T00:00:00Z');
    const again = await intel.upsert(A, {
      type: 'phone',
      value: '+81 90 1111 2222',
      verdict: 'malicious',
      confidence: 90,
    });
    expect(again.created).toBe(false);
    expect(again.indicator).toMatchObject({
      id: first.indicator.id,
      verdict: 'malicious',
      confidence: 90,
      source: 'manual',
      firstSeen: '2026-01-15T00:00:00.000Z',
      lastSeen: '2026-01-16T00:00:00.000Z',
      tags: ['sms'],
      description: '架空請求',
    });
  });

  it('stores sensitive values only as keyed hashes', async () => {
    const { indicator } = await intel.upsert(A, {
      type: 'card',
      value: '4111 1111 1111 1111',
      verdict: 'malicious',
      confidence: 100,
    });
    expect(indicator.hashed).toBe(true);
    expect(indicator.value).toBe(hasher.hash('card', '4111111111111111'));
    const all = await db.selectFrom('indicators').select(['value', 'description', 'tags']).execute();
    expect(JSON.stringify(all)).not.toContain('4111');
    // A partner shares the hash, not the number.
    const shared = await intel.upsert(B, {
      type: 'card',
      value: indicator.value,
      hashed: true,
      verdict: 'malicious',
    });
    expect(shared.indicator.value).toBe(indicator.value);
  });

  it('refuses bad input with the field at fault', async () => {
    expect(await codeOf(intel.upsert(A, { type: 'phone', value: 'not a phone' }))).toBe('invalid_indicator');
    expect(await codeOf(intel.upsert(A, { type: 'phone', value: '090-1111-2222', confidence: 101 }))).toBe(
      'validation_failed',
    );
    expect(
      await codeOf(intel.upsert(A, { type: 'url', value: 'https://example.com/', tags: ['a\u0000b'] })),
    ).toBe('validation_failed');
    expect(await codeOf(intel.upsert(A, { type: 'url', value: { name: 'x' } }))).toBe('validation_failed');
  });

  it('lists newest first with filters and a cursor, and updates and deletes', async () => {
    for (const d of ['a.example.com', 'b.example.net', 'c.example.org']) {
      await intel.upsert(A, { type: 'url', value: `https://${d}/`, source: 'feed', scope: 'public' });
    }
    const page1 = await intel.list(A, { type: 'url', limit: 2 });
    expect(page1.items.map((i) => i.value)).toEqual(['https://c.example.org/', 'https://b.example.net/']);
    const page2 = await intel.list(A, { type: 'url', limit: 2, cursor: page1.nextCursor! });
    expect(page2.items.map((i) => i.value)).toEqual(['https://a.example.com/']);
    expect(page2.nextCursor).toBeNull();
    expect(
      (await intel.list(A, { source: 'feed', scope: 'public', verdict: 'malicious' })).items,
    ).toHaveLength(3);
    expect((await intel.list(A, { verdict: 'benign' })).items).toHaveLength(0);

    const target = page2.items[0]!;
    const updated = await intel.update(A, target.id, {
      verdict: 'benign',
      tags: ['fp'],
      description: null,
      expiresAt: '2027-01-01T00:00:00Z',
    });
    expect(updated).toMatchObject({
      verdict: 'benign',
      tags: ['fp'],
      description: null,
      expiresAt: '2027-01-01T00:00:00.000Z',
    });
    expect(await codeOf(intel.update(A, target.id, {}))).toBe('validation_failed');
    await intel.delete(A, target.id);
    expect(await codeOf(intel.get(A, target.id))).toBe('not_found');
    expect(await codeOf(intel.delete(A, target.id))).toBe('not_found');
  });

  it('isolates tenants: another organisation gets not_found for every operation', async () => {
    const { indicator } = await intel.upsert(A, {
      type: 'domain',
      value: 'isolated.example.com',
      scope: 'org',
    });
    expect(await codeOf(intel.get(B, indicator.id))).toBe('not_found');
    expect(await codeOf(intel.update(B, indicator.id, { verdict: 'benign' }))).toBe('not_found');
    expect(await codeOf(intel.delete(B, indicator.id))).toBe('not_found');
    expect((await intel.list(B, { type: 'domain' })).items.map((i) => i.value)).not.toContain(
      'isolated.example.com',
    );
    expect(await intel.lookupRaw(B, 'domain', 'isolated.example.com')).toEqual([]);
    expect((await intel.get(A, indicator.id)).verdict).toBe('malicious');
  });

  it('looks up own (any scope), partners’ partners-scope and anyone’s public indicators in one call', async () => {
    await intel.upsert(A, { type: 'url', value: 'https://shared.example/', scope: 'org', confidence: 10 });
    await intel.upsert(P, {
      type: 'url',
      value: 'https://shared.example/',
      scope: 'partners',
      confidence: 70,
      source: 'partner-feed',
    });
    await intel.upsert(X, {
      type: 'url',
      value: 'https://shared.example/',
      scope: 'partners',
      confidence: 99,
    });
    await intel.upsert(X, {
      type: 'url',
      value: 'https://shared.example/',
      scope: 'partners',
      confidence: 99,
    });
    await intel.upsert(B, { type: 'url', value: 'https://shared.example/', scope: 'public', confidence: 60 });
    await intel.upsert(B, { type: 'email', value: 'scam@shared.example', scope: 'org' });

    const refs = [
      { type: 'url' as const, value: 'https://shared.example/' },
      { type: 'email' as const, value: 'scam@shared.example' },
      { type: 'url' as const, value: 'https://shared.example/' },
    ];
    const forA = await intel.lookup(A, refs);
    expect(forA.map((m) => [m.orgId, m.scope, m.confidence])).toEqual([
      [A, 'org', 10],
      [P, 'partners', 70],
      [B, 'public', 60],
    ]);
    // The partnership row was written P → A; P sees A's partners-scope ones too.
    await intel.upsert(A, { type: 'ip', value: '192.0.2.7', scope: 'partners' });
    expect((await intel.lookupRaw(P, 'ip', '192.0.2.7')).map((m) => m.orgId)).toEqual([A]);
    expect(await intel.lookupRaw(X, 'ip', '192.0.2.7')).toEqual([]);
    expect((await intel.lookup(X, refs)).map((m) => m.orgId)).toEqual([X, B]);
    expect(await intel.lookup(A, [])).toEqual([]);
  });

  it('never matches expired indicators', async () => {
    await intel.upsert(A, {
      type: 'domain',
      value: 'expiring.example.com',
      expiresAt: '2026-02-01T00:00:00Z',
    });
    expect(await intel.lookupRaw(A, 'domain', 'expiring.example.com')).toHaveLength(1);
    clock = new Date('2026-02-01T00:00:00Z');
    expect(await intel.lookupRaw(A, 'domain', 'expiring.example.com')).toHaveLength(0);
    // A refresh without an expiry keeps the stored one; a later expiry revives it.
    await intel.upsert(A, { type: 'domain', value: 'expiring.example.com' });
    expect(await intel.lookupRaw(A, 'domain', 'expiring.example.com')).toHaveLength(0);
    await intel.upsert(A, {
      type: 'domain',
      value: 'expiring.example.com',
      expiresAt: '2026-03-01T00:00:00Z',
    });
    expect(await intel.lookupRaw(A, 'domain', 'expiring.example.com')).toHaveLength(1);
  });

  it('records a resolved case’s indicators as the IndicatorSink of cases, inside the given transaction', async () => {
    const refs = [
      { type: 'phone' as const, value: '+819033334444', field: 'sender' },
      { type: 'bank_account' as const, value: hasher.hash('bank_account', 'jp:0001:123:1:1234567') },
    ];
    await db
      .transaction()
      .execute(async (trx) => {
        await intel.add(A, refs, { verdict: 'malicious', source: 'case:case_1', scope: 'partners', db: trx });
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await intel.lookup(A, refs)).toEqual([]);
    await db
      .transaction()
      .execute((trx) =>
        intel.add(A, refs, { verdict: 'malicious', source: 'case:case_1', scope: 'partners', db: trx }),
      );
    const matches = await intel.lookup(P, refs);
    expect(matches.map((m) => [m.type, m.source, m.confidence])).toEqual([
      ['phone', 'case:case_1', 90],
      ['bank_account', 'case:case_1', 90],
    ]);
  });

  it('bulk-imports into the database in batches, refreshing known values', async () => {
    const lines = ['type,value,verdict,confidence,tags'];
    for (let i = 0; i < 1200; i++) lines.push(`domain,www.d${i % 1100}.example,malicious,80,bulk`);
    lines.push('domain,not a domain,malicious,80,');
    const progress: number[] = [];
    const result = await importIndicators(intel, A, lines.join('\n'), {
      format: 'csv',
      defaults: { source: 'bulk' },
      batchSize: 500,
      onProgress: (p) => progress.push(p.processed),
    });
    expect(result).toMatchObject({ processed: 1201, imported: 1100, updated: 100, rejected: 1 });
    expect(result.rejections).toEqual([
      { line: 1202, field: 'value', message: expect.stringContaining('domain') },
    ]);
    expect(progress.at(-1)).toBe(1201);
    expect(progress.length).toBeGreaterThanOrEqual(3);
    const count = await db
      .selectFrom('indicators')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('org_id', '=', A)
      .where('source', '=', 'bulk')
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1100);
  });
});
