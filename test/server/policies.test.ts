import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config.ts';
import type { ChannelModule, Detector, SignalDeclaration } from '../../src/core/index.ts';
import {
  extractTextIndicators,
  INTEL_SIGNALS,
  intelMatchDetectors,
  uniqueRefs,
} from '../../src/intel/index.ts';
import { Mamoru } from '../../src/mamoru.ts';
import { bearer, createOrg, startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * The policy API as a new user meets it: a policy that gives only settings
 * keeps the channel's default thresholds, weights and forced actions; what
 * GET answers, PUT takes back as it is; a dry-run says how it tried each
 * decision (re-scored, re-evaluated, or re-scored only) and which verdicts
 * would change.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const SAMPLE = {
  kind: 'sms',
  sender: '+81300000000',
  text: '【重要】お客様のアカウントが停止されました。確認はこちら https://amazon-co-jp.account-verify.example/login',
};

function client(token: string) {
  const call = (method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) =>
    server.app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload }) });
  return {
    get: (url: string) => call('GET', url),
    put: (channel: string, payload: object) => call('PUT', `/v1/policies/${channel}`, payload),
    dryRun: (channel: string, payload: object) => call('POST', `/v1/policies/${channel}/dry-run`, payload),
    screen: (channel: string, payload: object) => call('POST', `/v1/screen/${channel}`, payload),
  };
}

describe('a policy is a layer over the channel default', () => {
  it('a contract policy with only settings keeps the default thresholds, forced actions, caps and SLAs', async () => {
    const api = client((await createOrg(server, 'Carrier settings only')).token);
    const put = await api.put('contract', { document: { settings: { lineCaps: { person: { voice: 6 } } } } });
    expect(put.statusCode, put.body).toBe(200);
    const body = put.json();
    expect(body.version).toBe(1);
    expect(body.document).toEqual({ settings: { lineCaps: { person: { voice: 6 } } } });
    expect(body.effective.thresholds).toEqual({ step_up: 4, review: 6 });
    expect(body.effective.signals.CONTRACT_VELOCITY).toEqual({ forceAction: 'review' });
    expect(body.effective.groups.kyc).toEqual({ maxScore: 12 });
    expect(body.effective.caseSlaHours).toEqual({ review: 72, step_up: 24 });
    expect(body.effective.settings.lineCaps.person).toEqual({ voice: 6, data: 10 });
    expect(body.fromDefault).toEqual(expect.arrayContaining(['thresholds', 'signals', 'groups']));
    expect(body.fromDefault).not.toContain('settings.lineCaps.person.voice');
    // What runs is what GET says runs.
    const shown = (await api.get('/v1/policies/contract')).json();
    expect(shown).toMatchObject({ version: 1, document: body.document, effective: body.effective });
  });

  it('null removes a default; an unknown setting is refused naming it', async () => {
    const api = client((await createOrg(server, 'Carrier nulls')).token);
    const put = await api.put('contract', {
      document: {
        thresholds: { step_up: null },
        signals: { CONTRACT_VELOCITY: { forceAction: null, weight: 2 } },
      },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().effective.thresholds).toEqual({ review: 6 });
    expect(put.json().effective.signals.CONTRACT_VELOCITY).toEqual({ forceAction: null, weight: 2 });

    const misspelt = await api.put('contract', { document: { settings: { lineCap: 6 } } });
    expect(misspelt.statusCode).toBe(400);
    expect(misspelt.json().errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'settings.lineCap' })]),
    );
    // The message channel has settings (sender, campaign, strength): one it does not have is refused.
    const message = await api.put('message', { document: { settings: { sender: { colour: 'red' } } } });
    expect(message.statusCode).toBe(400);
    expect(message.json().errors).toEqual([
      {
        path: 'settings.sender.colour',
        message: 'unknown setting: the policy is refused',
        ja: '不明な設定です（ポリシーは受け付けられません）',
      },
    ]);
    // A top-level key no part of the message channel owns (a typo) is refused too, naming what there is.
    const typo = await api.put('message', { document: { settings: { campain: { windowMinutes: 30 } } } });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().errors).toEqual([
      expect.objectContaining({
        path: 'settings.campain',
        message: expect.stringContaining('one of sender'),
      }),
    ]);
    // A threshold below one the default keeps is refused, saying where that one comes from.
    const below = await api.put('message', { document: { thresholds: { review: 0.5 } } });
    expect(below.statusCode).toBe(400);
    expect(below.json().errors).toEqual([
      expect.objectContaining({
        path: 'thresholds.review',
        message: expect.stringContaining(
          "the default's thresholds warn=4, block=8 still apply (null removes one)",
        ),
      }),
    ]);
    expect(below.json().errors[0].message).toMatch(/^warn のしきい値（4）より大きくしてください/);
    const removed = await api.put('message', { document: { thresholds: { warn: null, review: 0.5 } } });
    expect(removed.statusCode, removed.body).toBe(200);
    expect(removed.json().effective.thresholds).toEqual({ review: 0.5, block: 8 });
    const noId = await api.put('message', { document: { id: null } });
    expect(noId.statusCode).toBe(400);
    expect(noId.json().errors[0].path).toBe('id');
  });
});

describe('a stored layer that no longer resolves', () => {
  it('falls back to the default for the section at fault and keeps the rest (screening goes on)', async () => {
    const org = await createOrg(server, 'Carrier old layer');
    // Written straight into the store, as a layer stored before a check (or under an older default) would be.
    await server.mamoru.store.policies.put({
      orgId: org.orgId,
      channel: 'contract',
      document: { thresholds: { review: 3 }, settings: { lineCaps: { person: { voice: 7 } } } },
      createdBy: 'migration',
    });
    const ref = await server.mamoru.policies.current(org.orgId, 'contract');
    expect(ref.version).toBe(1);
    expect(ref.document.thresholds).toEqual({ step_up: 4, review: 6 });
    expect(ref.document.settings.lineCaps).toMatchObject({ person: { voice: 7, data: 10 } });
  });
});

describe('GET and PUT take each other’s output as it is', () => {
  it('version 0, then a stored version, round-trips verbatim: same layer, same effective policy', async () => {
    const api = client((await createOrg(server, 'Carrier round trip')).token);
    const zero = (await api.get('/v1/policies/contract')).json();
    expect(zero).toMatchObject({ version: 0, document: {} });
    expect(zero.effective.thresholds).toEqual({ step_up: 4, review: 6 });

    const first = await api.put('contract', zero);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ version: 1, document: {}, effective: zero.effective });

    await api.put('contract', {
      document: {
        thresholds: { review: 8 },
        overrides: { deny: [{ type: 'phone', value: '090-1111-2222' }] },
      },
      comment: 'HQ の方針',
    });
    const shown = (await api.get('/v1/policies/contract')).json();
    expect(shown.version).toBe(2);
    const again = await api.put('contract', shown);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().version).toBe(3);
    expect(again.json().document).toEqual(shown.document);
    expect(again.json().effective).toEqual(shown.effective);
    expect(again.json().document.overrides.deny[0].value).toBe('+819011112222');
    // One stored version read back by number round-trips too.
    const v1 = (await api.get('/v1/policies/contract/versions/1')).json();
    expect((await api.put('contract', v1)).statusCode).toBe(200);
  });

  it('show → edit document → put works; an edit in effective is refused, not silently lost', async () => {
    const api = client((await createOrg(server, 'Carrier edits')).token);
    const shown = (await api.get('/v1/policies/contract')).json();
    const edited = await api.put('contract', { ...shown, document: { thresholds: { review: 9 } } });
    expect(edited.statusCode, edited.body).toBe(200);
    expect(edited.json().effective.thresholds).toEqual({ step_up: 4, review: 9 });

    const now = (await api.get('/v1/policies/contract')).json();
    const wrong = await api.put('contract', {
      ...now,
      effective: { ...now.effective, thresholds: { step_up: 4, review: 12 } },
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors).toEqual([
      expect.objectContaining({
        path: 'effective.thresholds.review',
        message: expect.stringContaining('effective is read only'),
      }),
    ]);
    expect((await api.get('/v1/policies/contract')).json().version).toBe(now.version);

    const otherChannel = await api.put('contract', { ...now, channel: 'message' });
    expect(otherChannel.statusCode).toBe(400);
    expect(otherChannel.json().errors).toEqual([expect.objectContaining({ path: 'channel' })]);
  });

  it('the version history lists each stored layer with what it resolves to', async () => {
    const api = client((await createOrg(server, 'Carrier history')).token);
    await api.put('message', { document: { thresholds: { warn: 2 } }, comment: 'warn sooner' });
    const versions = (await api.get('/v1/policies/message/versions')).json().items;
    expect(versions).toHaveLength(1);
    expect(versions[0]).toMatchObject({
      version: 1,
      comment: 'warn sooner',
      document: { thresholds: { warn: 2 } },
      effective: { id: 'message.default', thresholds: { warn: 2, block: 8 } },
    });
  });
});

/**
 * Every message detector but the intel lookup turned off: the re-run tests below are about intel
 * matches, and the message channel's own detectors (content model, URLs, senders…) would flag their
 * lures whatever the lists say.
 */
function otherDetectorsOff(): Record<string, { enabled: false }> {
  const names = server.mamoru.engine.detectors('message').filter((d) => d !== 'intel.match');
  expect(names.length).toBeGreaterThan(0);
  return Object.fromEntries(names.map((d) => [d, { enabled: false as const }]));
}

describe('dry-run says how it tried each decision', () => {
  it('weights and thresholds only: recorded hits re-scored (exact), before and after per decision', async () => {
    const api = client(server.token);
    const screened = (await api.screen('message', SAMPLE)).json();
    expect(screened.action).not.toBe('allow');
    const res = await api.dryRun('message', {
      document: { thresholds: { warn: 50, review: 60, block: 70 } },
      limit: 10,
    });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    expect(report).toMatchObject({ mode: 'rescore', reevaluate: [], rescoredOnly: { count: 0 } });
    expect(report.modes).toEqual({ rescored: report.checked, reevaluated: 0, rescored_only: 0 });
    expect(report.changes.find((c: { decisionId: string }) => c.decisionId === screened.id)).toEqual({
      decisionId: screened.id,
      createdAt: screened.createdAt,
      mode: 'rescored',
      from: { action: screened.action, score: screened.score },
      to: { action: 'allow', score: screened.score },
    });
    expect(report.summary.en).toMatch(/^\d+ decisions? checked, \d+ verdicts? would change/);
  });

  it('message: a detector the draft turns on is re-scored only (its detectors read lookups made at screening), named per decision', async () => {
    const org = await createOrg(server, 'Telco detector off');
    await server.mamoru.intel.upsert(org.orgId, {
      type: 'url',
      value: 'https://amazon-co-jp.account-verify.example/login',
      verdict: 'malicious',
      confidence: 95,
      source: 'test',
    });
    const api = client(org.token);
    const others = otherDetectorsOff();
    const off = await api.put('message', {
      document: { detectors: { ...others, 'intel.match': { enabled: false } } },
    });
    expect(off.statusCode, off.body).toBe(200);
    const screened = (await api.screen('message', SAMPLE)).json();
    expect(screened.action).toBe('allow');
    expect(screened.hits).toEqual([]);

    const shown = (await api.get('/v1/policies/message')).json();
    // The draft is the view with the detector on again: a view is taken as a draft too.
    const res = await api.dryRun('message', { ...shown, document: { detectors: others } });
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json();
    // Campaigns, subscribers' settings and verified senders are read at screening: a past
    // screening cannot be repeated faithfully, so the decision is re-scored only, and says so.
    expect(report).toMatchObject({
      checked: 1,
      mode: 'rescore_only',
      modes: { rescored: 0, reevaluated: 0, rescored_only: 1 },
      reevaluate: ['detectors.intel.match.enabled'],
      rescoredOnly: { count: 1, decisionIds: [screened.id] },
      drifted: 0,
    });
    expect(report.rescoredOnly.note.ja).toMatch(/^再採点のみ：/);
    expect(report.rescoredOnly.note.en).toMatch(/^re-scored only: /);
    expect(report.changes).toEqual([]);
  });

  it('contract: a settings change is re-scored only, said per decision in Japanese and English, and counted', async () => {
    const org = await createOrg(server, 'Carrier dry-run');
    const api = client(org.token);
    const application = {
      applicationId: 'DRY-1',
      salesChannel: { type: 'shop', shopId: 'shop-1' },
      holder: {
        type: 'person',
        identity: {
          name: '山田 花子',
          birthDate: '1985-05-05',
          address: '東京都千代田区1-1',
          documentSerial: 'D1',
        },
      },
      identityVerification: {
        method: 'ic_chip_face',
        assuranceLevel: 3,
        performedAt: new Date().toISOString(),
        documentExpiry: '2033-03-03',
      },
      lines: [{ simType: 'voice', count: 1 }],
    };
    const screened = (await api.screen('contract', application)).json();
    const report = (
      await api.dryRun('contract', { document: { settings: { lineCaps: { person: { voice: 0 } } } } })
    ).json();
    const note = {
      ja: '再採点のみ：設定の変更は再評価されていません',
      en: 're-scored only: settings changes not re-evaluated',
    };
    expect(report).toMatchObject({
      checked: 1,
      mode: 'rescore_only',
      modes: { rescored: 0, reevaluated: 0, rescored_only: 1 },
      reevaluate: ['settings.lineCaps.person.voice'],
      rescoredOnly: { count: 1, note, decisionIds: [screened.id] },
    });
    expect(report.summary.ja).toContain(note.ja);
    expect(report.summary.en).toContain(note.en);
    // The same draft without the settings change is exact: nothing is re-scored only.
    const exact = (await api.dryRun('contract', { document: { thresholds: { review: 7 } } })).json();
    expect(exact).toMatchObject({ mode: 'rescore', rescoredOnly: { count: 0 } });
  });
});

/** A channel with a setting its detector reads and no history to load: the settings re-run path. */
const SIGNALS: SignalDeclaration[] = [
  {
    name: 'LIMITTEST_OVER',
    group: 'limit',
    weight: 6,
    description: { ja: '上限超過', en: 'Over the limit' },
    reason: { ja: '{amount}円は上限{limit}円を超えます', en: '¥{amount} is over the ¥{limit} limit' },
  },
];
const overLimit: Detector<{ amount: number }> = {
  name: 'limittest.over',
  signals: ['LIMITTEST_OVER'],
  run(event, ctx) {
    const limit = Number(ctx.settings.limit);
    const { amount } = event.payload;
    if (amount <= limit) return [];
    return [
      {
        signal: 'LIMITTEST_OVER',
        evidence: [`amount=${amount}`, `limit=${limit}`],
        params: { amount, limit },
      },
    ];
  },
};
const limitChannel: ChannelModule<{ amount: number }> = {
  name: 'limittest',
  title: { ja: '上限テスト', en: 'Limit test' },
  schema: z.object({ amount: z.number().int().min(0) }),
  signals: SIGNALS,
  detectors: [overLimit],
  extract: () => [],
  defaultPolicy: { id: 'limittest.default', channel: 'limittest', thresholds: { review: 5 } },
  defaultSettings: { limit: 100 },
  example: { amount: 1 },
};

describe('dry-run of a settings change on a channel that can be re-run', () => {
  let mamoru: Mamoru;
  const admin = { id: 'key_admin', role: 'admin' as const, orgId: '' };
  beforeAll(async () => {
    mamoru = await Mamoru.open(loadConfig({ dataDir: 'memory://' }, {}), { channels: [limitChannel] });
    admin.orgId = (await mamoru.bootstrap({ demo: false }))!.orgId;
  });
  afterAll(async () => mamoru?.close());

  it('re-runs the detectors with the draft’s settings and lists each verdict that changes', async () => {
    const small = await mamoru.screen(admin, 'limittest', { amount: 50 });
    const large = await mamoru.screen(admin, 'limittest', { amount: 150 });
    expect([small.action, large.action]).toEqual(['allow', 'review']);

    const report = await mamoru.policies.dryRun(admin, 'limittest', { settings: { limit: 40 } });
    expect(report).toMatchObject({
      checked: 2,
      changed: 1,
      mode: 'reevaluate',
      modes: { rescored: 0, reevaluated: 2, rescored_only: 0 },
      reevaluate: ['settings.limit'],
      transitions: { 'allow->review': 1 },
      drifted: 0,
    });
    expect(report.changes).toEqual([
      {
        decisionId: small.id,
        createdAt: small.createdAt,
        mode: 'reevaluated',
        from: { action: 'allow', score: 0 },
        to: { action: 'review', score: 6 },
      },
    ]);
    // Raising the limit lets the large one through; a weight change alone is re-scored.
    const raised = await mamoru.policies.dryRun(admin, 'limittest', { settings: { limit: 200 } });
    expect(raised.changes.map((c) => [c.decisionId, c.from.action, c.to.action])).toEqual([
      [large.id, 'review', 'allow'],
    ]);
    const lighter = await mamoru.policies.dryRun(admin, 'limittest', {
      signals: { LIMITTEST_OVER: { weight: 1 } },
    });
    expect(lighter).toMatchObject({ mode: 'rescore', modes: { rescored: 2 } });
    expect(lighter.changes).toEqual([expect.objectContaining({ decisionId: large.id, mode: 'rescored' })]);
  });

  it('settings that are not the channel’s are refused', async () => {
    await expect(mamoru.policies.put(admin, 'limittest', { settings: { limt: 40 } })).rejects.toMatchObject({
      code: 'invalid_policy',
      issues: [
        {
          path: 'settings.limt',
          message: '不明な設定です（limit のいずれか）/ unknown setting (one of limit)',
        },
      ],
    });
  });
});

/** A channel with no settings at all (neither registered channel is one any more). */
const plainChannel: ChannelModule<{ amount: number }> = {
  name: 'plaintest',
  title: { ja: '設定なしテスト', en: 'No-settings test' },
  schema: z.object({ amount: z.number().int().min(0) }),
  signals: [],
  detectors: [],
  extract: () => [],
  defaultPolicy: { id: 'plaintest.default', channel: 'plaintest', thresholds: { review: 5 } },
  example: { amount: 1 },
};

describe('a channel without settings', () => {
  let mamoru: Mamoru;
  const admin = { id: 'key_admin', role: 'admin' as const, orgId: '' };
  beforeAll(async () => {
    mamoru = await Mamoru.open(loadConfig({ dataDir: 'memory://' }, {}), { channels: [plainChannel] });
    admin.orgId = (await mamoru.bootstrap({ demo: false }))!.orgId;
  });
  afterAll(async () => mamoru?.close());

  it('refuses any setting, naming it and saying the channel has none', async () => {
    await expect(
      mamoru.policies.put(admin, 'plaintest', { settings: { lineCaps: 6 } }),
    ).rejects.toMatchObject({
      code: 'invalid_policy',
      issues: [
        {
          path: 'settings.lineCaps',
          message: 'plaintest チャネルには設定がありません / the plaintest channel has no settings',
        },
      ],
    });
    // Without settings the layer is stored.
    await expect(
      mamoru.policies.put(admin, 'plaintest', { thresholds: { review: 6 } }),
    ).resolves.toMatchObject({
      version: 1,
    });
  });
});

/**
 * A channel that keeps its events whole and reads no lookups made at screening — the message
 * channel as it was when it only matched lists: the intel match alone, on a sender and a text.
 */
const noteChannel: ChannelModule<{ sender: string; text: string }> = {
  name: 'notetest',
  title: { ja: '照合テスト', en: 'Match test' },
  schema: z.object({ sender: z.string(), text: z.string() }),
  signals: INTEL_SIGNALS,
  detectors: intelMatchDetectors(),
  extract: (payload, tools) => {
    const sender = tools.indicator('phone', payload.sender, 'sender');
    return uniqueRefs([...(sender ? [sender] : []), ...extractTextIndicators(payload.text, tools, 'text')]);
  },
  defaultPolicy: {
    id: 'notetest.default',
    channel: 'notetest',
    thresholds: { warn: 3, review: 6, block: 9 },
    groups: { intel: { maxScore: 20 } },
  },
  example: { sender: '+819012345678', text: 'こんにちは' },
};

describe('dry-run of a channel that keeps its events whole', () => {
  let mamoru: Mamoru;
  const admin = { id: 'key_admin', role: 'admin' as const, orgId: '' };
  // A database of its own for each test: a dry-run tries every decision of the organisation.
  beforeEach(async () => {
    mamoru = await Mamoru.open(loadConfig({ dataDir: 'memory://' }, {}), { channels: [noteChannel] });
    admin.orgId = (await mamoru.bootstrap({ demo: false }))!.orgId;
  });
  afterEach(async () => mamoru?.close());

  it('a detector the draft turns on is run again on the recorded event', async () => {
    const url = 'https://amazon-co-jp.account-verify.example/login';
    await mamoru.intel.upsert(admin.orgId, {
      type: 'url',
      value: url,
      verdict: 'malicious',
      confidence: 95,
      source: 'test',
    });
    await mamoru.policies.put(admin, 'notetest', { detectors: { 'intel.match': { enabled: false } } });
    const screened = await mamoru.screen(admin, 'notetest', {
      sender: '+81300000000',
      text: `確認はこちら ${url}`,
    });
    expect(screened.action).toBe('allow');
    expect(screened.hits).toEqual([]);

    const shown = await mamoru.policies.current(admin.orgId, 'notetest');
    // The draft is a view with the detector on again: a view is taken as a draft too.
    const report = await mamoru.policies.dryRun(admin, 'notetest', { ...shown, document: {} });
    expect(report).toMatchObject({
      mode: 'reevaluate',
      reevaluate: ['detectors.intel.match.enabled'],
      rescoredOnly: { count: 0, decisionIds: [] },
      drifted: 0,
    });
    expect(report.changes).toEqual([
      expect.objectContaining({
        decisionId: screened.id,
        mode: 'reevaluated',
        from: { action: 'allow', score: 0 },
      }),
    ]);
    expect(report.changes[0]!.to.action).not.toBe('allow');
    expect(report.changes[0]!.replayed).toBeUndefined();
  });

  it('a re-run whose own policy no longer gives the recorded verdict (intel changed since) is marked drifted', async () => {
    await mamoru.policies.put(admin, 'notetest', { signals: { INTEL_MATCH_PHONE: { enabled: false } } });
    const text = '荷物の再配達はこちら https://redelivery.drift.example/track';
    const screened = await mamoru.screen(admin, 'notetest', { sender: '+819012345678', text });
    expect(screened.action).toBe('allow');
    await mamoru.intel.upsert(admin.orgId, {
      type: 'url',
      value: 'https://redelivery.drift.example/track',
      verdict: 'malicious',
      confidence: 95,
      source: 'test',
    });
    const report = await mamoru.policies.dryRun(admin, 'notetest', {});
    expect(report.reevaluate).toEqual(['signals.INTEL_MATCH_PHONE.enabled']);
    expect(report.drifted).toBe(1);
    const change = report.changes.find((c) => c.decisionId === screened.id);
    expect(change).toMatchObject({
      mode: 'reevaluated',
      from: { action: 'allow' },
      replayed: { action: 'review' },
    });
  });
});

describe('docs/policies.md', () => {
  it('every example policy file is accepted as it is, and resolves as the page says', async () => {
    const page = await readFile(new URL('../../docs/policies.md', import.meta.url), 'utf8');
    const examples = [...page.matchAll(/<!-- policy: (\w+) -->\s*```json\n([\s\S]*?)```/g)].map((m) => ({
      channel: m[1]!,
      layer: JSON.parse(m[2]!) as Record<string, unknown>,
    }));
    expect(examples.map((e) => e.channel)).toEqual(['contract', 'contract', 'message']);
    const checked = examples.map((e) => server.mamoru.policies.checkLayer(e.channel, e.layer));
    const [small, full, message] = checked;
    expect(small!.effective.thresholds).toEqual({ step_up: 4, review: 6 });
    expect(full!.effective.thresholds).toEqual({ review: 6, block: 12 });
    expect(full!.effective.signals.CONTRACT_SHARED_ADDRESS).toEqual({ forceAction: 'review', weight: 4 });
    expect(full!.effective.signals.CONTRACT_KYC_MISSING).toEqual({ forceAction: 'block' });
    expect(full!.effective.caseSlaHours).toEqual({ review: 48, step_up: 24 });
    expect(full!.layer.overrides).toMatchObject({ deny: [{ value: '+819011112222' }] });
    expect(message!.effective.thresholds).toEqual({ warn: 2, block: 8 });
  });
});
