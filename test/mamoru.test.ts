import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../src/config.ts';
import type { ChannelModule, ChannelOutcome } from '../src/core/index.ts';
import { defineSignals } from '../src/core/index.ts';
import { Mamoru } from '../src/mamoru.ts';
import { freshDatabase } from './helpers/stores.ts';

/**
 * The whole flow in process: event → verdict → decision log → case →
 * resolution → outcome delivered to the owning channel, plus a label.
 */
interface Transfer {
  readonly amount: number;
}
const received: ChannelOutcome[] = [];
const transfer: ChannelModule<Transfer> = {
  name: 'demo_transfer',
  title: { ja: 'デモ振込', en: 'demo transfer' },
  schema: z.object({ amount: z.number().int().min(0) }),
  signals: defineSignals([
    {
      name: 'DEMO_LARGE_AMOUNT',
      group: 'amount',
      weight: 5,
      description: { ja: '高額の振込', en: 'Large transfer' },
      reason: { ja: '{amount}円の高額な振込です', en: 'A large transfer of ¥{amount}' },
      forceAction: 'hold',
    },
  ]),
  detectors: [
    {
      name: 'demo.large_amount',
      signals: ['DEMO_LARGE_AMOUNT'],
      run: (e) =>
        e.payload.amount >= 1_000_000
          ? [
              {
                signal: 'DEMO_LARGE_AMOUNT',
                evidence: [`amount=${e.payload.amount}`],
                params: { amount: e.payload.amount },
              },
            ]
          : [],
    },
  ],
  extract: () => [],
  defaultPolicy: { id: 'demo_transfer.default', channel: 'demo_transfer', thresholds: { block: 50 } },
  onOutcome: (outcome) => {
    received.push(outcome);
  },
  example: { amount: 1 },
};

let mamoru: Mamoru;
let orgId: string;
beforeAll(async () => {
  mamoru = await Mamoru.open(loadConfig({ dataDir: 'memory://' }, {}), { channels: [transfer] });
  orgId = (await mamoru.bootstrap({ demo: false }))!.orgId;
});
afterAll(async () => mamoru.close());

describe('the flow end to end', () => {
  it('holds a large transfer, opens a case, and tells the channel to release it when approved', async () => {
    const admin = { id: 'key_admin', role: 'admin' as const, orgId };
    const verdict = await mamoru.screen(admin, 'demo_transfer', { amount: 2_000_000 });
    expect(verdict.action).toBe('hold');
    expect(verdict.reasons[0]).toMatchObject({
      ja: '2000000円の高額な振込です',
      en: 'A large transfer of ¥2000000',
    });
    expect((await mamoru.store.decisions.get(orgId, verdict.id))?.verdict.action).toBe('hold');

    const page = await mamoru.cases.list(orgId, {});
    const opened = page.items.find((c) => c.decisionId === verdict.id);
    expect(opened).toMatchObject({ status: 'open', action: 'hold' });

    const reviewer = { id: 'key_reviewer', role: 'reviewer' as const, orgId };
    await mamoru.cases.resolve(reviewer, opened!.id, { resolution: 'approved', reason: '本人確認済み' });
    await mamoru.outcomes.drain();
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      decisionId: verdict.id,
      resolution: 'approved',
      effect: 'release',
      channel: 'demo_transfer',
    });
    const labels = await mamoru.store.db
      .selectFrom('labels')
      .selectAll()
      .where('decision_id', '=', verdict.id)
      .execute();
    expect(labels.map((l) => l.label)).toEqual(['legit']);
  });

  it('allows a small transfer and opens no case', async () => {
    const admin = { id: 'key_admin', role: 'admin' as const, orgId };
    const verdict = await mamoru.screen(admin, 'demo_transfer', { amount: 5_000 });
    expect(verdict.action).toBe('allow');
    const page = await mamoru.cases.list(orgId, {});
    expect(page.items.some((c) => c.decisionId === verdict.id)).toBe(false);
  });

  it('refuses to screen for a role without the screen permission', async () => {
    const reviewer = { id: 'key_reviewer', role: 'reviewer' as const, orgId };
    await expect(mamoru.screen(reviewer, 'demo_transfer', { amount: 1 })).rejects.toMatchObject({
      code: 'forbidden',
    });
  });
});

describe('safety at open', () => {
  it('refuses an HMAC key other than the one the database was set up with', async () => {
    const { mkdtemp, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'mamoru-key-'));
    try {
      const first = await Mamoru.open(loadConfig({ dataDir: dir, hmacKey: 'a'.repeat(64) }, {}), {
        channels: [transfer],
      });
      await first.close();
      await expect(
        Mamoru.open(loadConfig({ dataDir: dir, hmacKey: 'b'.repeat(64) }, {}), { channels: [transfer] }),
      ).rejects.toMatchObject({ code: 'conflict' });
      const same = await Mamoru.open(loadConfig({ dataDir: dir, hmacKey: 'a'.repeat(64) }, {}), {
        channels: [transfer],
      });
      await same.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stores what the channel redacts, not the raw payload', async () => {
    const redacting: ChannelModule<Transfer> = {
      ...transfer,
      name: 'demo_redacted',
      defaultPolicy: { id: 'demo_redacted.default', channel: 'demo_redacted' },
      redact: (p) => ({ amountBand: p.amount >= 1_000_000 ? 'large' : 'small' }),
    };
    const m = await Mamoru.open(loadConfig({ dataDir: 'memory://' }, {}), { channels: [redacting] });
    try {
      const org = (await m.bootstrap({ demo: false }))!.orgId;
      const v = await m.screen({ id: 'k', role: 'admin', orgId: org }, 'demo_redacted', { amount: 123_456 });
      expect((await m.store.decisions.get(org, v.id))?.event).toEqual({ amountBand: 'small' });
    } finally {
      await m.close();
    }
  });
});

describe.runIf(process.env.DATABASE_URL)('first start on a shared PostgreSQL database', () => {
  it('two servers starting at once on an empty database create one operator organisation', async () => {
    const fresh = await freshDatabase(process.env.DATABASE_URL!);
    const config = loadConfig(
      {
        dataDir: 'memory://',
        databaseUrl: fresh.url,
        demo: 'false',
        hmacKey: 'bootstrap-race-key-0123456789abcdef',
      },
      {},
    );
    const a = await Mamoru.open(config);
    const b = await Mamoru.open(config);
    try {
      const boots = await Promise.all([a.bootstrap({ demo: false }), b.bootstrap({ demo: false })]);
      expect(boots.filter((boot) => boot !== undefined)).toHaveLength(1);
      expect(await a.store.orgs.list()).toHaveLength(1);
      expect(await a.bootstrap({ demo: false })).toBeUndefined();
    } finally {
      await Promise.all([a.close(), b.close()]);
      await fresh.drop();
    }
  });
});
