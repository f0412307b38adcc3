import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messageKit } from '../../../../test/helpers/message-channel.ts';
import type { IndicatorMatch, IndicatorRef, IntelLookup } from '../../../core/index.ts';

const { tools, message, engine, policy } = messageKit('message-url-test-key-0123456789');

/** Intel that lists `https://example.com/` and the domain `example.com` as malicious. */
const listed: IntelLookup = {
  async lookup(_org: string, refs: readonly IndicatorRef[]) {
    return refs
      .filter((r) => (r.type === 'url' && r.value === 'https://example.com/') || r.value === 'example.com')
      .map(
        (r, i) =>
          ({
            id: `ind_${i}`,
            type: r.type,
            value: r.value,
            verdict: 'malicious',
            confidence: 100,
            source: 'test',
            scope: 'org',
            orgId: 'org_a',
          }) as IndicatorMatch,
      );
  },
};

/** Intel that lists nothing. */
const empty: IntelLookup = { lookup: async () => [] };

const screen = (text: string, intel: IntelLookup = empty) =>
  engine.evaluate({
    event: {
      id: 'evt_url',
      orgId: 'org_a',
      channel: 'message',
      receivedAt: '2026-01-15T00:00:00Z',
      payload: message.schema.parse({ kind: 'sms', sender: '+819011112222', text }),
    },
    policy,
    tools,
    intel,
  });

const urlSignals = (v: { hits: readonly { signal: string }[] }) =>
  v.hits.map((h) => h.signal).filter((s) => s.startsWith('MESSAGE_URL_') || s.startsWith('INTEL_MATCH'));

describe('MESSAGE_URL_* through the message channel (issue 9 item 2)', () => {
  it.each([
    ['hxxps://example[.]com', true],
    ['ｅｘａｍｐｌｅ．ｃｏｍ をご確認ください', false],
    ['詳しくは exa mple.com へ', true],
  ])('extracts %s and matches intel on the de-obfuscated URL', async (text, hidden) => {
    const v = await screen(text, listed);
    const signals = urlSignals(v);
    expect(signals.some((s) => s.startsWith('INTEL_MATCH'))).toBe(true);
    expect(signals.includes('MESSAGE_URL_OBFUSCATED')).toBe(hidden);
  });

  it('a look-alike brand domain alone warns; with a hidden URL it blocks', async () => {
    const warn = await screen('お荷物の確認 https://amaz0n-co-jp.com/');
    expect(urlSignals(warn)).toContain('MESSAGE_URL_LOOKALIKE');
    expect(warn.action).not.toBe('allow');
    const block = await screen('お荷物の確認 hxxps://amaz0n-co-jp[.]com/login');
    expect(urlSignals(block)).toEqual(
      expect.arrayContaining(['MESSAGE_URL_LOOKALIKE', 'MESSAGE_URL_OBFUSCATED']),
    );
    expect(block.action).toBe('block');
  });

  it('punycode look-alikes, IP hosts, @ decoys and platforms fire their signals', async () => {
    expect(urlSignals(await screen('https://xn--mazon-3ve.com/'))).toContain('MESSAGE_URL_LOOKALIKE');
    expect(urlSignals(await screen('http://203.0.113.7/login'))).toContain('MESSAGE_URL_IP_HOST');
    expect(urlSignals(await screen('https://paypal.com@evil.example/x'))).toContain('MESSAGE_URL_USERINFO');
    expect(urlSignals(await screen('http://abc123.duckdns.org/'))).toContain('MESSAGE_URL_DYNAMIC_DNS');
    expect(urlSignals(await screen('https://foo.trycloudflare.com/'))).toContain('MESSAGE_URL_DYNAMIC_DNS');
    expect(urlSignals(await screen('https://my-shop.weebly.com/'))).toContain('MESSAGE_URL_FREE_HOSTING');
    const short = await screen('写真です https://bit.ly/3abcDEF');
    expect(urlSignals(short)).toContain('MESSAGE_URL_SHORTENER');
    expect(short.action).toBe('allow');
  });

  it('ordinary links of real companies and chat fire nothing', async () => {
    for (const text of [
      'Amazonでのご注文ありがとうございます https://www.amazon.co.jp/gp/your-account/order-history',
      '明日の集合場所はここ https://maps.google.com/?q=35.68,139.76',
      'See you at 7! The menu: https://www.example.org/restaurants/tokyo/menu.html',
    ]) {
      const v = await screen(text);
      expect(urlSignals(v)).toEqual([]);
    }
  });

  it('each signal fires once per message, however many URLs', async () => {
    const text = Array.from({ length: 20 }, (_, i) => `http://203.0.113.${i}/`).join(' ');
    const v = await screen(text);
    expect(v.hits.filter((h) => h.signal === 'MESSAGE_URL_IP_HOST')).toHaveLength(1);
    expect(v.hits.find((h) => h.signal === 'MESSAGE_URL_IP_HOST')?.evidence).toHaveLength(3);
  });

  it('arbitrary Unicode up to 100 KB never throws and stays in budget', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', minLength: 1, maxLength: 2000 }), async (s) => {
        const text = s.repeat(Math.max(1, Math.floor(100_000 / Math.max(1, s.length)))).slice(0, 100_000);
        const started = performance.now();
        const v = await screen(text);
        expect(v.outcomes.every((o) => o.detector !== 'message.url' || o.outcome === 'ok')).toBe(true);
        expect(performance.now() - started).toBeLessThan(1500);
      }),
      { numRuns: 15 },
    );
  });
});
