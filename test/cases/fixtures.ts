import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import pg from 'pg';
import type { IndicatorSink, IndicatorSinkOptions } from '../../src/cases/indicator-sink.ts';
import type { Actor, Role } from '../../src/cases/roles.ts';
import type { Action } from '../../src/core/action.ts';
import { newId } from '../../src/core/id.ts';
import type { IndicatorRef } from '../../src/core/indicator.ts';
import type { Verdict } from '../../src/core/verdict.ts';
import { openDatabase } from '../../src/store/open-store.ts';
import type { Database } from '../../src/store/schema.ts';

/** Test helpers of the cases module: a real in-memory PGlite, verdicts, actors, a clock. */

export const ORG_A = 'org_a';
export const ORG_B = 'org_b';

/**
 * A migrated database with organisations A and B: an in-memory PGlite, or,
 * when `DATABASE_URL` is set, a fresh database on that PostgreSQL server
 * (dropped again by `close`), so test files never share rows. One per test file.
 */
export async function openCaseDb(): Promise<{ db: Kysely<Database>; close: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  let db: Kysely<Database>;
  let close: () => Promise<void>;
  if (url) {
    const name = `mamoru_cases_${randomBytes(6).toString('hex')}`;
    await onServer(url, `create database ${name}`);
    const target = new URL(url);
    target.pathname = `/${name}`;
    db = (await openDatabase({ databaseUrl: target.toString() })).db;
    close = async () => {
      await db.destroy();
      await onServer(url, `drop database ${name} with (force)`);
    };
  } else {
    db = (await openDatabase({ dataDir: 'memory://' })).db;
    close = () => db.destroy();
  }
  await db
    .insertInto('organisations')
    .values([
      { id: ORG_A, name: 'Carrier A' },
      { id: ORG_B, name: 'Bank B' },
    ])
    .execute();
  return { db, close };
}

async function onServer(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

export const T0 = new Date('2026-03-02T09:00:00.000Z');

/** A settable clock for `CaseService({ now })`. */
export function clock(start: Date = T0) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    set: (at: Date) => {
      current = at.getTime();
    },
    advance: (ms: number) => {
      current += ms;
    },
  };
}

export const INDICATORS: readonly IndicatorRef[] = [
  { type: 'phone', value: '+819012345678', field: 'payee.phone' },
  { type: 'bank_account', value: 'hmac:3f9a0c', field: 'payee.account' },
];

/** A verdict as the engine makes it; `action` hold by default. */
export function verdictFixture(
  overrides: { action?: Action; orgId?: string; channel?: string; createdAt?: string; id?: string } = {},
): Verdict {
  return {
    id: overrides.id ?? newId('dec'),
    orgId: overrides.orgId ?? ORG_A,
    channel: overrides.channel ?? 'transfer',
    eventId: 'evt_fixture',
    action: overrides.action ?? 'hold',
    score: 12.5,
    hits: [],
    outcomes: [],
    reasons: Array.from({ length: 7 }, (_, i) => ({
      signal: `TRANSFER_RULE_${i}`,
      ja: `理由 ${i}`,
      en: `reason ${i}`,
    })),
    summary: { ja: '判定: 保留', en: 'Verdict: hold' },
    indicators: INDICATORS,
    policy: { id: 'transfer-default', version: 3 },
    timings: { pre: 0, detect: 1, post: 0, observe: 0, total: 1 },
    createdAt: overrides.createdAt ?? T0.toISOString(),
  };
}

export function actor(role: Role, orgId: string = ORG_A, id = `key_${role}`): Actor {
  return { id, role, orgId };
}

/** An indicator sink that records its calls and upserts through the transaction it is given, as intel does. */
export function recordingSink(options: { fail?: boolean } = {}) {
  const calls: { orgId: string; refs: readonly IndicatorRef[]; options: IndicatorSinkOptions }[] = [];
  const sink: IndicatorSink = {
    async add(orgId, refs, opts) {
      calls.push({ orgId, refs, options: opts });
      const at = new Date();
      for (const ref of refs) {
        await opts.db
          .insertInto('indicators')
          .values({
            id: newId('ind'),
            org_id: orgId,
            type: ref.type,
            value: ref.value,
            verdict: opts.verdict,
            confidence: 90,
            source: opts.source,
            scope: opts.scope,
            first_seen: at,
            last_seen: at,
            expires_at: null,
            tags: '[]',
            description: null,
            created_at: at,
            updated_at: at,
          })
          .onConflict((oc) =>
            oc
              .columns(['org_id', 'type', 'value'])
              .doUpdateSet({ source: opts.source, scope: opts.scope, last_seen: at }),
          )
          .execute();
      }
      if (options.fail) throw new Error('intel unavailable');
      return refs.length;
    },
  };
  return { sink, calls };
}
