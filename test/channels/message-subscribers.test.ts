import fc from 'fast-check';
import { Kysely, PostgresAdapter, PostgresIntrospector, PostgresQueryCompiler } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMessageChannel,
  type MessageChannel,
  type MessagePayload,
} from '../../src/channels/message/index.ts';
import {
  MAX_ALLOWED_SENDERS,
  normaliseAllowedSender,
  subscriberKey,
} from '../../src/channels/message/subscriber-store.ts';
import { SUBSCRIBER } from '../../src/channels/message/subscribers.ts';
import {
  type ChannelOperation,
  createEngine,
  type Detector,
  defineSignals,
  type Engine,
  type IndicatorMatch,
  type IndicatorRef,
  type IntelLookup,
  isMamoruError,
  type JsonOperation,
  type PolicyRef,
  policyDocumentSchema,
  type QueryOperation,
  type Verdict,
} from '../../src/core/index.ts';
import { createExtractTools } from '../../src/intel/extract-tools.ts';
import { createKeyedHasher } from '../../src/intel/keyed-hash.ts';
import type { Mamoru } from '../../src/mamoru.ts';
import { Metrics } from '../../src/metrics.ts';
import { type App, buildServer } from '../../src/server/app.ts';
import type { Store } from '../../src/store/index.ts';
import type { CoreDatabase } from '../../src/store/schema.ts';
import { mamoruBackends, type OpenedMamoru } from '../helpers/mamoru-backends.ts';
import { createKey, createOrg } from '../helpers/server.ts';
import { storeBackends, unusedIntel } from '../helpers/stores.ts';

/**
 * Issue 9 item 3 (I3): per-subscriber settings, on both backends. The
 * engine-level suite builds the real message channel on the store and adds
 * one test content detector whose score the text sets (`score=N`), with
 * every other detector off, so each threshold is checked at a known score.
 */
const hasher = createKeyedHasher('message-subscribers-test-key-0123');
const tools = createExtractTools(hasher);
const ORG = 'org_subs';
const RECIPIENT = '090-1234-5678';
const FRIEND = '080-1111-2222';
const PHISH = 'https://phish-login.example/verify';

const CONTENT = defineSignals([
  {
    name: 'MESSAGE_TEST_CONTENT',
    group: 'test',
    weight: 1,
    description: { ja: 'テスト用の内容シグナル', en: 'Test content signal' },
    customer: { ja: 'テスト用の不審な文言が含まれています', en: 'It contains a test lure' },
  },
]);
/** Fires MESSAGE_TEST_CONTENT with the factor the text names: `score=5` scores 5. */
const content: Detector<MessagePayload> = {
  name: 'test.content',
  signals: ['MESSAGE_TEST_CONTENT'],
  run: (e) => {
    const m = /score=(\d+(?:\.\d+)?)/.exec(e.payload.text);
    return m ? [{ signal: 'MESSAGE_TEST_CONTENT', factor: Number(m[1]), evidence: [m[0]] }] : [];
  },
};
/** Intel that lists the phishing URL (malicious, full confidence). */
const intel: IntelLookup = {
  lookup: async (orgId: string, refs: readonly IndicatorRef[]) =>
    refs
      .filter((r) => r.type === 'url' && r.value === PHISH)
      .map(
        (r): IndicatorMatch => ({
          id: 'ind_1',
          type: r.type,
          value: r.value,
          verdict: 'malicious',
          confidence: 100,
          source: 'test',
          scope: 'org',
          orgId,
        }),
      ),
};

const ctx = {
  actor: { id: 'key_test', orgId: ORG, role: 'admin' },
  params: {},
  signal: new AbortController().signal,
};

for (const backend of storeBackends()) {
  describe(`subscriber settings in screening on ${backend.name} (I3)`, () => {
    let store: Store;
    let message: MessageChannel;
    let engine: Engine;
    let policy: PolicyRef;
    let n = 0;
    const op = (name: string) => {
      const found = message.operations?.find((o) => o.name === name);
      if (!found) throw new Error(`no operation ${name}`);
      return found as JsonOperation | QueryOperation;
    };
    const run = (name: string, input: unknown) => {
      const o: ChannelOperation = op(name);
      const parsed = (o as JsonOperation).input.schema.parse(input);
      // biome-ignore lint/suspicious/noExplicitAny: each operation answers its own shape
      return (o as JsonOperation).run(parsed, ctx) as Promise<any>;
    };
    const screen = (
      text: string,
      more: Partial<MessagePayload> = {},
      ref: PolicyRef = policy,
    ): Promise<Verdict> =>
      engine.evaluate({
        event: {
          id: `evt_${++n}`,
          orgId: ORG,
          channel: 'message',
          receivedAt: '2026-01-15T00:00:00Z',
          payload: message.schema.parse({
            kind: 'sms',
            sender: '+819099998888',
            recipient: RECIPIENT,
            text,
            ...more,
          }),
        },
        policy: ref,
        tools,
        intel,
      });
    const policyWith = (settings: Record<string, unknown>): PolicyRef => ({
      version: 2,
      document: { ...policy.document, settings: { ...policy.document.settings, ...settings } },
    });

    beforeAll(async () => {
      store = await backend.open();
      const real = createMessageChannel({
        db: store.db,
        hasher,
        decisions: store.decisions,
        intel: unusedIntel,
      });
      message = { ...real, signals: [...real.signals, ...CONTENT], detectors: [...real.detectors, content] };
      engine = createEngine({ channels: [message], defaultBudgetMs: 5000 });
      // Only the intel match, the subscriber lookup and the test content on: every score below is known.
      const keep = new Set(['intel.match', 'message.subscriber', 'test.content']);
      const off = Object.fromEntries(
        engine
          .detectors('message')
          .filter((d) => !keep.has(d))
          .map((d) => [d, { enabled: false }]),
      );
      policy = {
        version: 1,
        document: policyDocumentSchema.parse({ ...real.defaultPolicy, detectors: off }),
      };
    }, 60_000);
    afterAll(() => store?.close());

    it('filters a subscriber with no row at the standard (policy) thresholds, with a short SMS label', async () => {
      const v = await screen('お知らせ score=5');
      expect(engine.problems).toEqual([]);
      expect(v.action).toBe('warn');
      expect(v.hits.map((h) => h.signal)).toEqual(['MESSAGE_TEST_CONTENT']);
      expect(v.enrichments).toEqual([
        expect.objectContaining({ enrichment: SUBSCRIBER.name, outcome: 'ok' }),
      ]);
      expect(v.policy.thresholds).toBeUndefined();
      expect(v.notices?.map((x) => x.code)).toEqual(['message.warning.sms']);
      expect([...(v.notices?.[0]?.ja ?? '')].length).toBeLessThanOrEqual(70);
      // No recipient: the defaults, filtered alike.
      const anonymous = await screen('お知らせ score=5', { recipient: undefined });
      expect(anonymous.action).toBe('warn');
      // A DM gets the long label; a block gets the filtered-folder notice.
      const dm = await screen('お知らせ score=5', { kind: 'dm' });
      expect(dm.notices?.map((x) => x.code)).toEqual(['message.warning.dm']);
      const blocked = await screen(`お知らせ score=5 ${PHISH}`);
      expect(blocked.action).toBe('block');
      expect(blocked.notices?.map((x) => x.code)).toEqual(['message.filtered']);
      expect(blocked.notices?.[0]?.ja).toContain('迷惑メッセージフォルダに移動しました');
    });

    it('answers the defaults for a recipient with no row, then stores a change (cache dropped at once)', async () => {
      const before = await run('subscriber-settings', { recipient: '+81 90 5555 6666' });
      expect(before).toMatchObject({ filtering: true, strength: 'standard', stored: false, updatedAt: null });
      expect(before.subscriberKey).toBe(subscriberKey(hasher, '09055556666'));
      // Screened first, so the defaults are cached; the write must be seen by the very next screening.
      expect((await screen('score=5', { recipient: '09055556666' })).action).toBe('warn');
      const after = await run('set-subscriber-settings', { recipient: '090-5555-6666', filtering: false });
      expect(after).toMatchObject({ filtering: false, strength: 'standard', stored: true });
      const v = await screen(`score=5 ${PHISH}`, { recipient: '09055556666' });
      expect(v.action).toBe('allow');
      expect(v.hits.map((h) => h.signal)).toEqual(['MESSAGE_FILTERING_OFF', 'MESSAGE_FILTERING_OFF']);
      expect(v.hits.flatMap((h) => h.evidence)).toEqual(
        expect.arrayContaining(['filtering=off', 'covers=MESSAGE_TEST_CONTENT', 'covers=INTEL_MATCH_URL']),
      );
      expect(v.reasons.map((r) => r.signal)).toContain('MESSAGE_FILTERING_OFF');
      expect(v.notices).toBeUndefined();
      // Turned back on: filtered again; strength untouched by a change that does not name it.
      await run('set-subscriber-settings', { recipient: '09055556666', filtering: true });
      expect((await screen('score=5', { recipient: '09055556666' })).action).toBe('warn');
    });

    it('maps strength high: a score-3 message warns (allowed at standard)', async () => {
      expect((await screen('score=3')).action).toBe('allow');
      await run('set-subscriber-settings', { recipient: '090-2222-3333', strength: 'high' });
      const v = await screen('score=3', { recipient: '09022223333' });
      expect(v.action).toBe('warn');
      expect(v.policy.thresholds).toBe('high');
      expect((await screen('score=6', { recipient: '09022223333' })).action).toBe('block');
      // The policy's settings replace the defaults of a strength.
      const strict = await screen(
        'score=3',
        { recipient: '09022223333' },
        policyWith({ strength: { high: { warn: 1, block: 2 } } }),
      );
      expect(strict.action).toBe('block');
    });

    it('maps strength low: a score-5 message stays allowed (warned at standard)', async () => {
      await run('set-subscriber-settings', { recipient: '090-4444-5555', strength: 'low' });
      const v = await screen('score=5', { recipient: '09044445555' });
      expect(v.action).toBe('allow');
      expect(v.policy.thresholds).toBe('low');
      expect((await screen('score=6', { recipient: '09044445555' })).action).toBe('warn');
      expect((await screen('score=12', { recipient: '09044445555' })).action).toBe('block');
      // A policy that sets only high keeps low's defaults.
      const only = await screen(
        'score=5',
        { recipient: '09044445555' },
        policyWith({ strength: { high: { warn: 1, block: 2 } } }),
      );
      expect(only.action).toBe('allow');
    });

    it('waives content hits for an allowed sender, never an intel URL match', async () => {
      const added = await run('allow-sender', { recipient: RECIPIENT, sender: FRIEND });
      expect(added).toEqual({ sender: '+818011112222', added: true, count: 1 });
      expect(await run('allow-sender', { recipient: RECIPIENT, sender: '+81 80 1111 2222' })).toEqual({
        sender: '+818011112222',
        added: false,
        count: 1,
      });
      const friendly = await screen('score=5', { sender: '+818011112222' });
      expect(friendly.action).toBe('allow');
      expect(friendly.hits.map((h) => h.signal)).toEqual(['MESSAGE_SENDER_ALLOWED']);
      expect(friendly.hits[0]?.evidence).toEqual(
        expect.arrayContaining(['sender=+818011112222', 'covers=MESSAGE_TEST_CONTENT']),
      );
      const hijacked = await screen(`score=5 ${PHISH}`, { sender: '080-1111-2222' });
      expect(hijacked.hits.map((h) => h.signal).sort()).toEqual([
        'INTEL_MATCH_URL',
        'MESSAGE_SENDER_ALLOWED',
      ]);
      expect(hijacked.action).toBe('block');
      // Another recipient, or another sender: nothing waived (near misses).
      expect((await screen('score=5', { sender: FRIEND, recipient: '090-9999-0000' })).action).toBe('warn');
      expect((await screen('score=5', { sender: '080-1111-3333' })).action).toBe('warn');
      // Removed: filtered again at once.
      expect(await run('remove-allowed-sender', { recipient: RECIPIENT, sender: FRIEND })).toEqual({
        sender: '+818011112222',
        removed: true,
      });
      expect((await screen('score=5', { sender: FRIEND })).action).toBe('warn');
    });

    it('lists an allow list in pages, and refuses a sender past the cap with a 409 naming the field', async () => {
      const key = subscriberKey(hasher, '090-7777-8888') as string;
      const db = store.db.$extendTables<{
        message_allowed_senders: { org_id: string; subscriber_key: string; sender: string };
      }>();
      const senders = Array.from(
        { length: MAX_ALLOWED_SENDERS },
        (_, i) => `SENDER${String(i).padStart(4, '0')}`,
      );
      await db
        .insertInto('message_allowed_senders')
        .values(senders.map((sender) => ({ org_id: ORG, subscriber_key: key, sender })))
        .execute();
      const first = await run('allowed-senders', { recipient: '09077778888', limit: '2' });
      expect(first.items.map((i: { sender: string }) => i.sender)).toEqual(['SENDER0000', 'SENDER0001']);
      const second = await run('allowed-senders', {
        recipient: '09077778888',
        limit: '2',
        cursor: first.nextCursor,
      });
      expect(second.items.map((i: { sender: string }) => i.sender)).toEqual(['SENDER0002', 'SENDER0003']);
      const error = await run('allow-sender', { recipient: '09077778888', sender: 'NEWBRAND' }).catch(
        (e) => e,
      );
      expect(isMamoruError(error) && error.code).toBe('conflict');
      expect(error.issues.map((i: { path: string }) => i.path)).toEqual(['sender']);
      // One already listed is no new entry: answered, not refused.
      expect(await run('allow-sender', { recipient: '09077778888', sender: 'sender0005' })).toMatchObject({
        added: false,
        count: MAX_ALLOWED_SENDERS,
      });
    });

    it('refuses a recipient or sender that normalises to nothing, naming the field', async () => {
      for (const [name, input, path] of [
        ['subscriber-settings', { recipient: '@' }, 'recipient'],
        ['allow-sender', { recipient: RECIPIENT, sender: '@' }, 'sender'],
      ] as const) {
        const error = await run(name, input).catch((e: unknown) => e);
        expect(isMamoruError(error) && error.code).toBe('validation_failed');
        expect(error.issues.map((i: { path: string }) => i.path)).toEqual([path]);
      }
    });

    it('does not waive and keeps the policy thresholds when the lookup fails (fail safe)', async () => {
      const broken = new Kysely<CoreDatabase>({
        dialect: {
          createAdapter: () => new PostgresAdapter(),
          createDriver: () => ({
            init: async () => {},
            acquireConnection: async () => {
              throw new Error('database down');
            },
            beginTransaction: async () => {},
            commitTransaction: async () => {},
            rollbackTransaction: async () => {},
            releaseConnection: async () => {},
            destroy: async () => {},
          }),
          createIntrospector: (db) => new PostgresIntrospector(db),
          createQueryCompiler: () => new PostgresQueryCompiler(),
        },
      });
      const real = createMessageChannel({
        db: broken,
        hasher,
        decisions: store.decisions,
        intel: unusedIntel,
      });
      const channel = {
        ...real,
        signals: [...real.signals, ...CONTENT],
        detectors: [...real.detectors, content],
      };
      const e = createEngine({ channels: [channel], defaultBudgetMs: 5000 });
      const v = await e.evaluate({
        event: {
          id: 'evt_broken',
          orgId: ORG,
          channel: 'message',
          receivedAt: '2026-01-15T00:00:00Z',
          payload: message.schema.parse({
            kind: 'sms',
            sender: FRIEND,
            recipient: '09055556666',
            text: 'score=5',
          }),
        },
        policy,
        tools,
        intel,
      });
      expect(v.enrichments).toEqual([
        expect.objectContaining({ enrichment: SUBSCRIBER.name, outcome: 'error' }),
      ]);
      expect(v.hits.map((h) => h.signal)).not.toContain('MESSAGE_FILTERING_OFF');
      expect(v.hits.map((h) => h.signal)).toContain('MESSAGE_TEST_CONTENT');
      expect(v.policy.thresholds).toBeUndefined();
    });

    it('refuses bad strength settings in a policy, naming the field', () => {
      const issues = message.settingsIssues?.({
        strength: {
          standard: { warn: 4, block: 8 },
          high: { warn: 5, block: 3 },
          low: { warn: 'x' },
          extreme: {},
        },
      });
      expect(issues?.map((i) => i.path).sort()).toEqual([
        'settings.strength.extreme',
        'settings.strength.high.block',
        'settings.strength.low.block',
        'settings.strength.low.warn',
        'settings.strength.standard',
      ]);
      expect(message.settingsIssues?.({ strength: { high: { warn: 2, block: 5 } } })).toEqual([]);
      expect(message.settingsIssues?.({ strength: 3 })?.map((i) => i.path)).toEqual(['settings.strength']);
    });
  });
}

describe('recipient and sender normalisation', () => {
  it('never throws on arbitrary Unicode and answers quickly (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 400 }), (raw) => {
        const key = subscriberKey(hasher, raw);
        expect(key === undefined || /^[0-9a-f]{64}$/.test(key)).toBe(true);
        const sender = normaliseAllowedSender(raw);
        // Normalising twice changes nothing: the allow list and screening agree.
        if (sender !== undefined) expect(normaliseAllowedSender(sender)).toBe(sender);
      }),
    );
    const long = '０９０'.repeat(35_000) + '\u202e@\u0000😀';
    const t0 = performance.now();
    subscriberKey(hasher, long);
    normaliseAllowedSender(long);
    expect(performance.now() - t0).toBeLessThan(200);
  });

  it('keys a phone by E.164 and a handle case-insensitively, without @', () => {
    expect(subscriberKey(hasher, '090-1234-5678')).toBe(subscriberKey(hasher, '+81 90 1234 5678'));
    expect(subscriberKey(hasher, '０９０１２３４５６７８')).toBe(subscriberKey(hasher, '+819012345678'));
    expect(subscriberKey(hasher, '@Taro_Yamada')).toBe(subscriberKey(hasher, 'taro_yamada'));
    expect(subscriberKey(hasher, 'taro')).not.toBe(subscriberKey(hasher, 'jiro'));
    expect(subscriberKey(hasher, '  ')).toBeUndefined();
    expect(subscriberKey(hasher, '090-1234-5678')).toMatch(/^[0-9a-f]{64}$/);
    expect(normaliseAllowedSender('Amazon')).toBe('AMAZON');
    expect(normaliseAllowedSender('090-1234-5678')).toBe('+819012345678');
    expect(normaliseAllowedSender('12345')).toBe('12345');
    expect(normaliseAllowedSender(' @ ')).toBeUndefined();
  });
});

for (const backend of mamoruBackends()) {
  describe(`subscribers' operations over HTTP on ${backend.name}`, () => {
    let opened: OpenedMamoru;
    let mamoru: Mamoru;
    let app: App;
    let token: string;
    const auth = () => ({ authorization: `Bearer ${token}` });

    beforeAll(async () => {
      opened = await backend.open();
      mamoru = opened.mamoru;
      const boot = await mamoru.bootstrap({ demo: false });
      if (!boot) throw new Error('bootstrap created nothing');
      token = boot.token;
      app = await buildServer({ mamoru, metrics: new Metrics({ defaults: false }), logger: false });
    }, 60_000);
    afterAll(async () => {
      await app?.close();
      await opened?.close();
    });

    it('answers defaults, changes settings, and names the field of a bad value', async () => {
      const get = await app.inject({
        method: 'GET',
        url: `/v1/message/subscribers/settings?recipient=${encodeURIComponent('090-1234-5678')}`,
        headers: auth(),
      });
      expect(get.statusCode).toBe(200);
      expect(get.json()).toMatchObject({ filtering: true, strength: 'standard', stored: false });
      const bad = await app.inject({
        method: 'POST',
        url: '/v1/message/subscribers/settings',
        headers: auth(),
        payload: { recipient: '090-1234-5678', strength: 'extreme' },
      });
      expect(bad.statusCode).toBe(400);
      expect(JSON.stringify(bad.json())).toContain('body.strength');
      const missing = await app.inject({
        method: 'GET',
        url: '/v1/message/subscribers/settings',
        headers: auth(),
      });
      expect(missing.statusCode).toBe(400);
      expect(JSON.stringify(missing.json())).toContain('query.recipient');
      const off = await app.inject({
        method: 'POST',
        url: '/v1/message/subscribers/settings',
        headers: auth(),
        payload: { recipient: '090-1234-5678', filtering: false },
      });
      expect(off.statusCode).toBe(200);
      expect(off.json()).toMatchObject({ filtering: false, stored: true });
    });

    it('screens for real: a listed sender is filtered by default, delivered with MESSAGE_FILTERING_OFF when off', async () => {
      const listed = await app.inject({
        method: 'POST',
        url: '/v1/indicators',
        headers: auth(),
        payload: { type: 'phone', value: '+818012340000', verdict: 'malicious', confidence: 100 },
      });
      expect(listed.statusCode).toBe(201);
      const screen = (recipient: string) =>
        app.inject({
          method: 'POST',
          url: '/v1/screen/message',
          headers: auth(),
          payload: { kind: 'sms', sender: '+818012340000', recipient, text: '明日の件、了解しました。' },
        });
      const filtered = (await screen('090-0000-1111')).json() as Verdict;
      expect(filtered.hits.map((h) => h.signal)).toContain('INTEL_MATCH_PHONE');
      expect(filtered.action).not.toBe('allow');
      const delivered = (await screen('090-1234-5678')).json() as Verdict;
      expect(delivered.action).toBe('allow');
      expect(delivered.hits.map((h) => h.signal)).toContain('MESSAGE_FILTERING_OFF');
      expect(delivered.hits.map((h) => h.signal)).not.toContain('INTEL_MATCH_PHONE');
    });

    it('stores a policy with strength settings, and refuses bad ones naming the field', async () => {
      const put = (settings: unknown) =>
        app.inject({
          method: 'PUT',
          url: '/v1/policies/message',
          headers: auth(),
          payload: { document: { settings } },
        });
      const bad = await put({ strength: { high: { warn: 5, block: 3 } } });
      expect(bad.statusCode).toBe(400);
      expect(JSON.stringify(bad.json())).toContain('settings.strength.high.block');
      const good = await put({ strength: { high: { warn: 2, block: 5 } } });
      expect(good.statusCode).toBeLessThan(300);
      await app.inject({
        method: 'POST',
        url: '/v1/message/subscribers/settings',
        headers: auth(),
        payload: { recipient: '090-3333-4444', strength: 'high' },
      });
      const res = await app.inject({
        method: 'POST',
        url: '/v1/screen/message',
        headers: auth(),
        payload: { kind: 'sms', sender: '+818012340000', recipient: '09033334444', text: '了解です' },
      });
      expect((res.json() as Verdict).policy.thresholds).toBe('high');
    });

    it('keeps allow lists per organisation and refuses a role without the permission', async () => {
      const other = await createOrg(
        { app, mamoru, token, orgId: '', close: async () => {} },
        'Other carrier',
      );
      const add = await app.inject({
        method: 'POST',
        url: '/v1/message/subscribers/allowed-senders',
        headers: auth(),
        payload: { recipient: '090-1234-5678', sender: 'MyBank' },
      });
      expect(add.statusCode).toBe(201);
      const list = (t: string) =>
        app.inject({
          method: 'GET',
          url: '/v1/message/subscribers/allowed-senders?recipient=09012345678',
          headers: { authorization: `Bearer ${t}` },
        });
      expect(
        ((await list(token)).json() as { items: { sender: string }[] }).items.map((i) => i.sender),
      ).toEqual(['MYBANK']);
      expect(((await list(other.token)).json() as { items: unknown[] }).items).toEqual([]);
      const agent = await createKey({ app, mamoru, token, orgId: '', close: async () => {} }, token, 'agent');
      expect((await list(agent)).statusCode).toBe(403);
    });
  });
}
