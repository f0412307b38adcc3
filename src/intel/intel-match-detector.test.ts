import { describe, expect, it } from 'vitest';
import { type IndicatorMatch, type IndicatorRef, isSignalName } from '../core/index.ts';
import { intelHits, intelMatchDetectors, matchFactor } from './intel-match-detector.ts';
import { INTEL_SIGNAL_BY_TYPE, INTEL_SIGNALS } from './intel-signals.ts';

const ORG = 'org_me';
const match = (over: Partial<IndicatorMatch>): IndicatorMatch => ({
  id: 'ind_1',
  type: 'phone',
  value: '+819012345678',
  verdict: 'malicious',
  confidence: 100,
  source: 'analyst',
  scope: 'org',
  orgId: ORG,
  ...over,
});
const ref: IndicatorRef = { type: 'phone', value: '+819012345678', field: 'sender' };

describe('INTEL_SIGNALS', () => {
  it('declares one well-formed signal per indicator type, in group intel, with ja/en texts and placeholders', () => {
    expect(INTEL_SIGNALS.map((s) => s.name).sort()).toEqual(Object.values(INTEL_SIGNAL_BY_TYPE).sort());
    for (const s of INTEL_SIGNALS) {
      expect(isSignalName(s.name)).toBe(true);
      expect(s.group).toBe('intel');
      expect(s.weight).toBeGreaterThan(0);
      for (const text of [s.reason!.ja, s.reason!.en]) {
        expect(text).toContain('{value}');
        expect(text).toContain('{source}');
      }
      expect(s.reason!.en).toContain('{verdict}');
      expect(s.reason!.ja).toContain('{verdictJa}');
    }
  });
});

describe('intel.match', () => {
  it.each([
    ['malicious at full confidence', match({}), 1],
    ['malicious at 80', match({ confidence: 80 }), 0.8],
    ['suspicious at 80 counts half', match({ verdict: 'suspicious', confidence: 80 }), 0.4],
  ])('fires INTEL_MATCH_PHONE for %s', (_name, m, factor) => {
    const hits = intelHits(ORG, [ref], [m]);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatchObject({ signal: 'INTEL_MATCH_PHONE', factor });
    expect(hits[0]!.evidence).toEqual([
      'phone=+819012345678',
      'field=sender',
      `verdict=${m.verdict} confidence=${m.confidence} source=analyst scope=org id=ind_1`,
    ]);
    expect(hits[0]!.params).toMatchObject({ value: '+819012345678', source: 'analyst', verdict: m.verdict });
  });

  it.each([
    ['a benign match', [match({ verdict: 'benign' })]],
    ['zero confidence', [match({ confidence: 0 })]],
    ['no match at all', []],
    [
      'a partner’s malicious match when the organisation marked the value benign itself',
      [match({ verdict: 'benign' }), match({ id: 'ind_2', orgId: 'org_partner', scope: 'partners' })],
    ],
  ])('fires nothing for %s (near miss)', (_name, matches) => {
    expect(intelHits(ORG, [ref], matches as IndicatorMatch[])).toEqual([]);
  });

  it('uses the strongest match per value, lists the others, and names partners but not public publishers', () => {
    const hits = intelHits(
      ORG,
      [ref],
      [
        match({ id: 'ind_own', verdict: 'suspicious', confidence: 60 }),
        match({ id: 'ind_p', orgId: 'org_partner', scope: 'partners', confidence: 90, source: 'bank-x' }),
        match({ id: 'ind_pub', orgId: 'org_other', scope: 'public', confidence: 70, source: 'cert-feed' }),
        match({ id: 'ind_b', orgId: 'org_other2', scope: 'public', verdict: 'benign' }),
      ],
    );
    expect(hits).toHaveLength(1);
    expect(hits[0]!.factor).toBe(0.9);
    expect(hits[0]!.params).toMatchObject({ source: 'bank-x', verdict: 'malicious', verdictJa: '悪性' });
    const evidence = hits[0]!.evidence.join('\n');
    expect(evidence).toContain('source=bank-x scope=partners shared_by=org_partner');
    expect(evidence).toContain('source=cert-feed scope=public shared=public');
    expect(evidence).not.toContain('org_other');
    expect(evidence).not.toContain('ind_p');
    expect(evidence).toContain('id=ind_own');
    expect(evidence).not.toContain('benign');
  });

  it('fires one hit per matched value, on the signal of each type', () => {
    const card = 'a'.repeat(64);
    const hits = intelHits(
      ORG,
      [ref, { type: 'url', value: 'https://evil.example/', field: 'text' }, { type: 'card', value: card }],
      [
        match({}),
        match({ type: 'url', value: 'https://evil.example/', id: 'u' }),
        match({ type: 'domain', value: 'evil.example', id: 'd', verdict: 'suspicious' }),
        match({ type: 'card', value: card, id: 'c' }),
      ],
    );
    expect(hits.map((h) => h.signal)).toEqual([
      'INTEL_MATCH_PHONE',
      'INTEL_MATCH_URL',
      'INTEL_MATCH_DOMAIN',
      'INTEL_MATCH_CARD',
    ]);
    // A sensitive value is shown as a short hash in the reason, the full hash in the evidence.
    const cardHit = hits[3]!;
    expect(cardHit.params!.value).toBe(`${'a'.repeat(12)}…`);
    expect(cardHit.evidence[0]).toBe(`card=${card}`);
  });

  it('is one detector declaring every intel signal and reading only ctx.intel', async () => {
    const [detector] = intelMatchDetectors();
    expect(detector!.name).toBe('intel.match');
    expect([...detector!.signals].sort()).toEqual(INTEL_SIGNALS.map((s) => s.name).sort());
    const hits = await detector!.run(
      { payload: {}, id: 'e', receivedAt: '2026-01-01T00:00:00Z' },
      {
        now: new Date(),
        orgId: ORG,
        indicators: [ref],
        intel: [match({})],
        settings: {},
        hits: [],
        state: undefined,
        enriched: () => {
          throw new Error('the intel detectors need no enrichment');
        },
      },
    );
    expect(hits).toHaveLength(1);
  });

  it('clamps odd confidences into 0–1', () => {
    expect(matchFactor(match({ confidence: 150 }))).toBe(1);
    expect(matchFactor(match({ confidence: -5 }))).toBe(0);
  });
});
