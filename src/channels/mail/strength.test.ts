/**
 * Per-recipient strength (E1, E4): the thresholds of each strength, the
 * strictest of several recipients, `settings.strength` checks (with a
 * fast-check property that every accepted setting gives thresholds the
 * engine takes), the operations' permissions, and the strength applied to a
 * screening on PGlite and PostgreSQL.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailKit } from '../../../test/helpers/mail-channel.ts';
import { storeBackends, unusedIntel } from '../../../test/helpers/stores.ts';
import {
  createEngine,
  type OperationContext,
  operationIssues,
  policyDocumentSchema,
  type Verdict,
} from '../../core/index.ts';
import { createExtractTools } from '../../intel/extract-tools.ts';
import { createKeyedHasher } from '../../intel/keyed-hash.ts';
import type { Store } from '../../store/index.ts';
import { createMailChannel, type MailChannel } from './index.ts';
import { quarantineSettingsIssues } from './quarantine.ts';
import {
  DEFAULT_STRENGTH,
  recipientKey,
  STRENGTHS,
  strengthProfile,
  strengthSettingsIssues,
  strictest,
} from './strength.ts';

describe('strength thresholds', () => {
  it('defaults: low 6/12/50, standard the policy’s, high 3/6/30', () => {
    const settings = { strength: DEFAULT_STRENGTH };
    expect(strengthProfile('low', settings)).toEqual({
      name: 'low',
      thresholds: { warn: 6, hold: 12, block: 50 },
    });
    expect(strengthProfile('standard', settings)).toBeUndefined();
    expect(strengthProfile('high', settings)).toEqual({
      name: 'high',
      thresholds: { warn: 3, hold: 6, block: 30 },
    });
  });

  it('a policy may set standard and replace the others; a strength it leaves out keeps its default', () => {
    const settings = {
      strength: { standard: { warn: 5, hold: 9, block: 16 }, low: { warn: 7, hold: 14, block: 20 } },
    };
    expect(strengthProfile('standard', settings)?.thresholds).toEqual({ warn: 5, hold: 9, block: 16 });
    expect(strengthProfile('low', settings)?.thresholds).toEqual({ warn: 7, hold: 14, block: 20 });
    expect(strengthProfile('high', settings)?.thresholds).toEqual({ warn: 3, hold: 6, block: 30 });
  });

  it('the strictest recipient decides (one verdict per message); none set → standard', () => {
    expect(strictest([])).toBe('standard');
    expect(strictest(['low', 'low'])).toBe('low');
    expect(strictest(['low', 'standard'])).toBe('standard');
    expect(strictest(['low', 'high', 'standard'])).toBe('high');
  });

  it('settings.strength issues name the field, Japanese first', () => {
    expect(strengthSettingsIssues({})).toEqual([]);
    expect(strengthSettingsIssues({ strength: DEFAULT_STRENGTH })).toEqual([]);
    expect(strengthSettingsIssues({ strength: [] }).map((i) => i.path)).toEqual(['settings.strength']);
    const issues = strengthSettingsIssues({
      strength: { extreme: {}, low: { warn: 8, hold: 8, block: 7, x: 1 }, high: { warn: 0, hold: 'a' } },
    });
    expect(issues.map((i) => i.path).sort()).toEqual([
      'settings.strength.extreme',
      'settings.strength.high.block',
      'settings.strength.high.hold',
      'settings.strength.high.warn',
      'settings.strength.low.block',
      'settings.strength.low.hold',
      'settings.strength.low.x',
    ]);
    expect(issues.every((i) => typeof i.ja === 'string' && i.ja.length > 0)).toBe(true);
  });

  it('property: a strength setting without issues gives thresholds rising warn < hold < block', () => {
    const t = fc.double({ min: -10, max: 100, noNaN: true });
    fc.assert(
      fc.property(
        fc.constantFrom(...STRENGTHS),
        fc.record({ warn: t, hold: t, block: t }),
        (name, thresholds) => {
          const settings = { strength: { [name]: thresholds } };
          if (strengthSettingsIssues(settings).length > 0) return;
          const p = strengthProfile(name, settings)?.thresholds as {
            warn: number;
            hold: number;
            block: number;
          };
          expect(p.warn).toBeGreaterThan(0);
          expect(p.warn).toBeLessThan(p.hold);
          expect(p.hold).toBeLessThan(p.block);
        },
      ),
    );
  });

  it('settings.quarantine.retentionDays: 1..3650', () => {
    expect(quarantineSettingsIssues({ quarantine: { retentionDays: 30 } })).toEqual([]);
    expect(quarantineSettingsIssues({ quarantine: { retentionDays: 0 } })[0]?.path).toBe(
      'settings.quarantine.retentionDays',
    );
    expect(quarantineSettingsIssues({ quarantine: { days: 3 } })[0]?.path).toBe('settings.quarantine.days');
    expect(quarantineSettingsIssues({ quarantine: 'long' })[0]?.path).toBe('settings.quarantine');
  });

  it('a recipient is keyed by its normalised address; one that does not normalise still gets a key', () => {
    const hasher = createKeyedHasher('mail-strength-test-key-0123456789');
    expect(recipientKey(hasher, 'Taro@Example.JP')).toBe(recipientKey(hasher, 'taro@example.jp'));
    expect(recipientKey(hasher, 'root@localhost')).toMatch(/^[0-9a-f]{64}$/);
    expect(recipientKey(hasher, 'root@localhost')).not.toBe(recipientKey(hasher, 'root@example.jp'));
  });
});

describe('the mail channel’s operations (the console’s contract)', () => {
  const { mail } = mailKit();
  const ops = new Map((mail.operations ?? []).map((o) => [o.name, o]));

  it('are well formed and take the permissions of the brief', () => {
    expect(operationIssues('mail', mail.operations ?? [])).toEqual([]);
    const expected: Record<string, [string, string, string]> = {
      'quarantine-list': ['GET', 'quarantine', 'cases:read'],
      'quarantine-show': ['GET', 'quarantine/:id', 'cases:read'],
      'quarantine-release': ['POST', 'quarantine/:id/release', 'cases:resolve'],
      'quarantine-appeal': ['POST', 'quarantine/:id/appeal', 'cases:resolve'],
      'quarantine-delete': ['POST', 'quarantine/:id/delete', 'cases:resolve'],
      'quarantine-expire': ['POST', 'quarantine/expire', 'cases:resolve'],
      'labels-export': ['GET', 'labels', 'cases:read'],
      'strength-show': ['GET', 'strength', 'subscribers:read'],
      'strength-set': ['POST', 'strength', 'subscribers:write'],
    };
    for (const [name, [method, path, permission]] of Object.entries(expected)) {
      const o = ops.get(name);
      expect(o, name).toBeDefined();
      expect([o?.method ?? 'POST', o?.path, o?.permission]).toEqual([method, path, permission]);
    }
  });

  it('validate their inputs: limit 1..200, a status of the list, a reason of 1..2000 characters', () => {
    const list = ops.get('quarantine-list');
    const appeal = ops.get('quarantine-appeal');
    if (list?.input.kind !== 'query' || appeal?.input.kind !== 'json') throw new Error('unexpected inputs');
    expect(list.input.schema.parse({})).toEqual({ status: 'quarantined', limit: 50 });
    expect(list.input.schema.safeParse({ limit: '201' }).success).toBe(false);
    expect(list.input.schema.safeParse({ status: 'lost' }).success).toBe(false);
    expect(appeal.input.schema.safeParse({ reason: '' }).success).toBe(false);
    expect(appeal.input.schema.safeParse({ reason: 'x'.repeat(2001) }).success).toBe(false);
  });
});

for (const backend of storeBackends()) {
  describe(`recipient strength on ${backend.name}`, () => {
    let store: Store;
    let mail: MailChannel;
    const hasher = createKeyedHasher('mail-strength-test-key-0123456789');
    const ctx: OperationContext = {
      actor: { id: 'key_app', orgId: 'org_a', role: 'system' },
      params: {},
      signal: new AbortController().signal,
    };
    let n = 0;

    beforeAll(async () => {
      store = await backend.open();
      mail = createMailChannel(
        { db: store.db, hasher, decisions: store.decisions, intel: unusedIntel },
        { dns: 'off', authServId: 'mx.test.example' },
      );
    }, 60_000);
    afterAll(() => store?.close());

    // biome-ignore lint/suspicious/noExplicitAny: the channel's operations are erased
    const run = (name: string, input: unknown): Promise<any> => {
      const o = mail.operations?.find((x) => x.name === name);
      if (!o || o.input.kind === 'records') throw new Error(name);
      // biome-ignore lint/suspicious/noExplicitAny: as above
      return (o as any).run(o.input.schema.parse(input), ctx);
    };

    async function screen(rcptTo: string[], orgId = 'org_a'): Promise<Verdict> {
      n += 1;
      const engine = createEngine({ channels: [mail] });
      const raw = 'From: a@example.jp\r\nTo: b@example.jp\r\nSubject: hi\r\n\r\nhello\r\n';
      return engine.evaluate({
        event: {
          id: `evt_${n}`,
          orgId,
          channel: 'mail',
          receivedAt: new Date().toISOString(),
          payload: mail.schema.parse({ raw, envelope: { rcptTo } }),
        },
        policy: { version: 0, document: policyDocumentSchema.parse(mail.defaultPolicy) },
        tools: createExtractTools(hasher),
        intel: { lookup: async () => [] },
      });
    }

    it('shows standard for a recipient with none set; a set strength is shown and keyed, never stored raw', async () => {
      expect(await run('strength-show', { recipient: 'new@example.jp' })).toMatchObject({
        strength: 'standard',
      });
      const set = await run('strength-set', { recipient: 'Careful@Example.jp', strength: 'high' });
      expect(set).toMatchObject({ recipient: 'Careful@Example.jp', strength: 'high' });
      expect(await run('strength-show', { recipient: 'careful@example.jp' })).toMatchObject({
        strength: 'high',
      });
      const rows = await store.db
        .$extendTables<{ mail_recipient_strength: { recipient_key: string; strength: string } }>()
        .selectFrom('mail_recipient_strength')
        .select(['recipient_key', 'strength'])
        .execute();
      expect(JSON.stringify(rows)).not.toContain('example.jp');
    });

    it('a screening takes the strictest recipient’s thresholds; standard leaves the policy’s', async () => {
      await run('strength-set', { recipient: 'relaxed@example.jp', strength: 'low' });
      await run('strength-set', { recipient: 'strict@example.jp', strength: 'high' });
      expect((await screen(['relaxed@example.jp'])).policy.thresholds).toBe('low');
      expect((await screen(['relaxed@example.jp', 'strict@example.jp'])).policy.thresholds).toBe('high');
      expect((await screen(['relaxed@example.jp', 'nobody@example.jp'])).policy.thresholds).toBeUndefined();
      expect((await screen(['strict@example.jp'], 'org_b')).policy.thresholds).toBeUndefined();
    });

    it('a change is seen by the next screening of this process (the cache forgets it)', async () => {
      await run('strength-set', { recipient: 'changing@example.jp', strength: 'high' });
      expect((await screen(['changing@example.jp'])).policy.thresholds).toBe('high');
      await run('strength-set', { recipient: 'changing@example.jp', strength: 'low' });
      expect((await screen(['changing@example.jp'])).policy.thresholds).toBe('low');
    });
  });
}
