import { describe, expect, it } from 'vitest';
import {
  defineSignals,
  isSignalName,
  MAX_WEIGHT,
  SignalCatalogue,
  type SignalDeclaration,
} from './signal.ts';
import { POLICY_SIGNALS } from './signals.ts';

const decl = (more: Partial<SignalDeclaration> = {}): SignalDeclaration => ({
  name: 'MSG_URL_SHORTENER',
  group: 'url',
  weight: 1,
  description: { ja: '短縮URL', en: 'Shortened URL' },
  ...more,
});

describe('isSignalName', () => {
  it.each(['MSG_URL_SHORTENER', 'MAIL_DMARC_REJECT', 'LIMIT_RAISE_ELDERLY', 'E164_X', 'A_1'])(
    'accepts %s',
    (name) => expect(isSignalName(name)).toBe(true),
  );

  it.each([
    'MSG',
    'msg_url',
    'Msg_Url',
    'MSG_',
    '_MSG',
    'MSG__URL',
    '1MSG_URL',
    'MSG-URL',
    'MSG URL',
    'MSG_URL ',
    'MSG_ÜRL',
    '',
  ])('rejects %j (near miss)', (name) => expect(isSignalName(name)).toBe(false));
});

describe('defineSignals', () => {
  it('returns the declarations frozen', () => {
    const signals = defineSignals([decl(), decl({ name: 'MSG_URGENT', group: 'text', weight: -2 })]);
    expect(signals.map((s) => s.name)).toEqual(['MSG_URL_SHORTENER', 'MSG_URGENT']);
    expect(Object.isFrozen(signals)).toBe(true);
    expect(Object.isFrozen(signals[0])).toBe(true);
  });

  it.each([
    ['a malformed name', decl({ name: 'msg_url' }), 'not SCREAMING_SNAKE'],
    ['no group', decl({ group: '' }), 'needs a group'],
    ['a NaN weight', decl({ weight: Number.NaN }), 'finite weight'],
    ['an infinite weight', decl({ weight: Number.POSITIVE_INFINITY }), 'finite weight'],
    ['a weight past the limit', decl({ weight: MAX_WEIGHT + 1 }), 'finite weight'],
    ['no Japanese description', decl({ description: { ja: '', en: 'x' } }), 'ja and en descriptions'],
    ['no English description', decl({ description: { ja: 'x', en: '' } }), 'ja and en descriptions'],
    ['a half reason', decl({ reason: { ja: 'x', en: '' } }), 'reason without ja and en'],
    ['a half customer text', decl({ customer: { ja: '', en: 'x' } }), 'customer text without ja and en'],
    ['a customer text that is not text', decl({ customer: 'x' as never }), 'customer text without ja and en'],
    ['an explainAlways that is not boolean', decl({ explainAlways: 'yes' as never }), 'explainAlways'],
    ['an unknown forced action', decl({ forceAction: 'destroy' as never }), 'unknown action destroy'],
  ])('throws on %s', (_what, bad, message) => {
    expect(() => defineSignals([bad])).toThrow(message);
  });

  it('accepts a customer text and explainAlways (near miss)', () => {
    const [s] = defineSignals([
      decl({ customer: { ja: 'お客様向け', en: 'For the customer' }, explainAlways: true }),
    ]);
    expect(s?.customer).toEqual({ ja: 'お客様向け', en: 'For the customer' });
    expect(s?.explainAlways).toBe(true);
  });

  it('accepts the limits themselves (near miss)', () => {
    expect(() =>
      defineSignals([decl({ weight: MAX_WEIGHT }), decl({ name: 'MSG_B', weight: -MAX_WEIGHT })]),
    ).not.toThrow();
  });

  it('throws on a name declared twice', () => {
    expect(() => defineSignals([decl(), decl({ weight: 2 })])).toThrow('MSG_URL_SHORTENER declared twice');
  });

  it('declares the engine’s own signals well', () => {
    expect(POLICY_SIGNALS.map((s) => s.name)).toEqual([
      'POLICY_ALLOW_LISTED',
      'POLICY_DENY_LISTED',
      'POLICY_ENRICHMENT_FAILED',
    ]);
  });
});

describe('SignalCatalogue', () => {
  it('finds declared signals by name', () => {
    const a = decl();
    const catalogue = new SignalCatalogue([a]);
    expect(catalogue.get('MSG_URL_SHORTENER')).toBe(a);
    expect(catalogue.has('MSG_URL_SHORTENER')).toBe(true);
    expect(catalogue.has('MSG_URL_SHORTENE')).toBe(false);
    expect(catalogue.get('toString')).toBeUndefined();
    expect(catalogue.all()).toEqual([a]);
  });

  it('accepts the same declaration twice (a signal family shared by channels)', () => {
    const a = decl();
    const catalogue = new SignalCatalogue([a, a]);
    expect(catalogue.all()).toHaveLength(1);
  });

  it('throws on a different declaration under a taken name', () => {
    const catalogue = new SignalCatalogue([decl()]);
    expect(() => catalogue.add(decl({ weight: 5 }))).toThrow('declared twice');
  });
});
