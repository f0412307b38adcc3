import { describe, expect, it } from 'vitest';
import { messageKit } from '../../../test/helpers/message-channel.ts';
import {
  type IndicatorMatch,
  type IndicatorRef,
  type IntelLookup,
  policyDocumentSchema,
  type Screening,
} from '../../core/index.ts';
import { MAX_MESSAGE_TEXT } from './index.ts';

/** The message channel keeps no per-screening state and reads no enrichment: its extractor ignores the screening. */
const NO_SCREENING = {} as Screening<never, never>;

const { tools, message, engine, policy } = messageKit();

/** The default policy with only the intel lookup on: these tests are about matching lists. */
const intelOnly = {
  version: 0,
  document: policyDocumentSchema.parse({
    ...message.defaultPolicy,
    detectors: Object.fromEntries(
      message.detectors.filter((d) => d.name !== 'intel.match').map((d) => [d.name, { enabled: false }]),
    ),
  }),
};

/** An intel store in memory: entries keyed by type and value. */
function fakeIntel(entries: Partial<IndicatorMatch>[]): IntelLookup & { calls: number } {
  const lookup = {
    calls: 0,
    async lookup(_orgId: string, refs: readonly IndicatorRef[]) {
      lookup.calls++;
      return entries
        .filter((e) => refs.some((r) => r.type === e.type && r.value === e.value))
        .map(
          (e, i) =>
            ({
              id: `ind_${i}`,
              verdict: 'malicious',
              confidence: 100,
              source: 'test',
              scope: 'org',
              orgId: 'org_a',
              ...e,
            }) as IndicatorMatch,
        );
    },
  };
  return lookup;
}

const screen = (payload: unknown, intel: IntelLookup, ref = intelOnly) =>
  engine.evaluate({
    event: {
      id: 'evt_1',
      orgId: 'org_a',
      channel: 'message',
      receivedAt: '2026-01-15T00:00:00Z',
      payload: message.schema.parse(payload),
    },
    policy: ref,
    tools,
    intel,
  });

describe('message channel (I1)', () => {
  it('declares its schema, signals, detectors and a valid default policy', () => {
    expect(message.name).toBe('message');
    expect(engine.problems).toEqual([]);
    expect(engine.detectors('message')).toContain('intel.match');
    expect(policy.document.thresholds).toEqual({ warn: 4, block: 8 });
    expect(message.schema.safeParse(message.example).success).toBe(true);
  });

  it('validates at the edge, naming the field', () => {
    const bad = message.schema.safeParse({ kind: 'fax', sender: '', text: '', urls: [1] });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues.map((i: { path: PropertyKey[] }) => i.path.join('.')).sort()).toEqual([
      'kind',
      'sender',
      'text',
      'urls.0',
    ]);
    expect(message.schema.safeParse({ ...message.example, extra: 1 }).success).toBe(false);
    expect(
      message.schema.safeParse({ ...message.example, text: 'x'.repeat(MAX_MESSAGE_TEXT + 1) }).success,
    ).toBe(false);
    expect(message.schema.safeParse({ ...message.example, sentAt: 'yesterday' }).success).toBe(false);
  });

  it('extracts the sender phone, URLs with domains, e-mails, phones in the text, and the given links', () => {
    const refs = message.extract(
      {
        kind: 'sms',
        sender: '090-1111-2222',
        recipient: '080-3333-4444',
        text: '【佐川急便】不在のため持ち帰りました。https://sagawa-kx.example.jp/track?id=8821 お問い合わせ 0120-123-456 / help@sagawa-kx.example.jp',
        urls: ['https://t.example.com/abc'],
      },
      tools,
      NO_SCREENING,
    );
    expect(refs).toEqual([
      { type: 'phone', value: '+819011112222', field: 'sender' },
      { type: 'url', value: 'https://sagawa-kx.example.jp/track?id=8821', field: 'text' },
      { type: 'domain', value: 'example.jp', field: 'text' },
      { type: 'email', value: 'help@sagawa-kx.example.jp', field: 'text' },
      { type: 'phone', value: '+81120123456', field: 'text' },
      { type: 'url', value: 'https://t.example.com/abc', field: 'urls.0' },
      { type: 'domain', value: 'example.com', field: 'urls.0' },
    ]);
    expect(
      message.extract({ kind: 'dm', sender: '@taro_1', text: 'こんにちは' }, tools, NO_SCREENING),
    ).toEqual([]);
  });

  it('blocks the example smishing SMS when its URL is listed, with Japanese and English reasons', async () => {
    const intel = fakeIntel([
      {
        type: 'url',
        value: 'https://amazon-co-jp.account-verify.example/login',
        confidence: 95,
        source: 'demo',
      },
      { type: 'phone', value: '+818011112222', verdict: 'suspicious', confidence: 70, source: 'demo' },
    ]);
    const verdict = await screen(message.example, intel);
    expect(intel.calls).toBe(1);
    expect(verdict.action).toBe('block');
    expect(verdict.hits.map((h) => h.signal).sort()).toEqual(['INTEL_MATCH_PHONE', 'INTEL_MATCH_URL']);
    expect(verdict.score).toBeCloseTo(9 * 0.95 + 6 * 0.35, 3);
    const url = verdict.reasons.find((r) => r.signal === 'INTEL_MATCH_URL')!;
    expect(url.ja).toContain('https://amazon-co-jp.account-verify.example/login');
    expect(url.ja).toContain('悪性');
    expect(url.en).toContain('malicious');
  });

  it('allows the same message on lists alone when nothing is listed, or only as benign (near miss)', async () => {
    expect((await screen(message.example, fakeIntel([]))).action).toBe('allow');
    const benign = fakeIntel([
      { type: 'url', value: 'https://amazon-co-jp.account-verify.example/login', verdict: 'benign' },
    ]);
    const verdict = await screen(message.example, benign);
    expect(verdict.action).toBe('allow');
    expect(verdict.hits).toEqual([]);
  });

  it('reads the example lure without any list under the default policy', async () => {
    const verdict = await screen(message.example, fakeIntel([]), policy);
    expect(verdict.action).not.toBe('allow');
    expect(verdict.hits.some((h) => h.signal.startsWith('MESSAGE_URL_'))).toBe(true);
  });

  it('caps the intel group at 20', async () => {
    const text = Array.from({ length: 5 }, (_, i) => `https://evil${i}.example.com/`).join(' ');
    const intel = fakeIntel(
      Array.from({ length: 5 }, (_, i) => ({ type: 'url' as const, value: `https://evil${i}.example.com/` })),
    );
    const verdict = await screen({ kind: 'post', sender: '@spam', text }, intel);
    expect(verdict.hits).toHaveLength(5);
    expect(verdict.score).toBe(20);
  });
});

describe('hostile text (issue 9: bounded time on 100 KB)', () => {
  // Repetitions that once made a regex backtrack or a loop go quadratic (`ab.cd.` took 7 s in URL
  // extraction before host labels were counted): each 100 KB text must be screened well within a second.
  it.each([
    'hxxp[.]',
    'ab.cd.',
    'a@b.',
    '090-1234-',
    '1.2.3.4 ',
    'www.a.',
    'ｅｘ．',
    '¥1,000 ',
    '0120 ',
    'http //a .b ',
    'x.y@',
  ])('screens 100 KB of %j quickly', async (unit) => {
    const text = unit.repeat(Math.floor(100_000 / unit.length));
    const started = performance.now();
    const verdict = await screen({ kind: 'post', sender: '@x', text }, fakeIntel([]), policy);
    expect(verdict.action).toBeDefined();
    expect(performance.now() - started).toBeLessThan(1500);
  });
});
