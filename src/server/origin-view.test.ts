import { describe, expect, it } from 'vitest';
import type { Case } from '../cases/case.ts';
import type { Actor } from '../cases/roles.ts';
import type { Verdict } from '../core/index.ts';
import { caseFor, casePageFor, verdictFor } from './origin-view.ts';

const hq: Actor = { id: 'key_hq', role: 'reviewer', orgId: 'org_a' };
const shop: Actor = { id: 'key_shop', role: 'agent', orgId: 'org_a', origin: 'shop:s1' };

const capReason = {
  signal: 'TEST_CAP',
  ja: '4 回線目です（上限 3、直近 30 日の申込 2 件）',
  en: 'Line 4 (cap 3; 2 applications in the last 30 days)',
  customer: { ja: 'この回線はお申し込みいただけません', en: 'This line cannot be applied for' },
};
const plainReason = { signal: 'TEST_PLAIN', ja: '本人確認書類の再提出', en: 'Show the ID document again' };
const notice = { code: 'test.resale', ja: '転売は禁止されています', en: 'Resale is prohibited' };
const hit = {
  signal: 'TEST_CAP',
  group: 'cap',
  detector: 'test.cap',
  factor: 1,
  weight: 5,
  score: 5,
  evidence: ['app_other@shop:s2'],
  params: { count: 4, limit: 3 },
};

const verdict: Verdict = {
  id: 'dec_1',
  orgId: 'org_a',
  channel: 'test',
  eventId: 'evt_1',
  action: 'review',
  score: 5,
  hits: [hit],
  outcomes: [],
  reasons: [capReason, plainReason],
  summary: { ja: '判定: 審査', en: 'Verdict: review' },
  notices: [notice],
  indicators: [],
  policy: { id: 'p', version: 1 },
  timings: { pre: 0, detect: 0, post: 0, observe: 0, total: 0 },
  createdAt: '2026-03-02T09:00:00.000Z',
};

const aCase: Case = {
  id: 'case_1',
  orgId: 'org_a',
  decisionId: 'dec_1',
  channel: 'test',
  action: 'review',
  status: 'open',
  assignee: null,
  dueAt: '2026-03-03T09:00:00.000Z',
  summary: {
    action: 'review',
    score: 5,
    channel: 'test',
    eventId: 'evt_1',
    summary: verdict.summary,
    reasons: [capReason, plainReason],
    hits: [
      { signal: 'TEST_CAP', detector: 'test.cap', score: 5, evidence: hit.evidence, params: hit.params },
    ],
    details: { holderApplications: 2 },
    indicators: [],
    policy: { id: 'p', version: 1 },
    decidedAt: '2026-03-02T09:00:00.000Z',
  },
  createdAt: '2026-03-02T09:00:00.000Z',
  updatedAt: '2026-03-02T09:00:00.000Z',
  resolution: null,
  resolutionReason: null,
  effect: null,
  resolvedBy: null,
  resolvedAt: null,
  origin: 'shop:s1',
  outlet: 'shop:s1',
  outcomeDeliveredAt: null,
  outcomeAttempts: 0,
  subject: null,
};

describe('an origin-bound key and diagnostic texts (found by H8)', () => {
  it('sees how outcomes and enrichments went, without their messages; HQ sees them whole', () => {
    const diagnosed: Verdict = {
      ...verdict,
      outcomes: [
        {
          detector: 'test.cap',
          stage: 'detect',
          outcome: 'error',
          code: 'enrichment_failed',
          message: 'enrichment=test.history threw: holder app_other@shop:s2',
          hits: 0,
          ms: 1,
        },
      ],
      enrichments: [
        {
          enrichment: 'test.history',
          outcome: 'error',
          code: 'threw',
          message: 'holder app_other@shop:s2 on the address',
          ms: 1,
        },
      ],
    };
    const seen = verdictFor(shop, diagnosed);
    expect(JSON.stringify(seen)).not.toContain('app_other');
    expect(seen.outcomes[0]).toMatchObject({
      detector: 'test.cap',
      outcome: 'error',
      code: 'enrichment_failed',
    });
    expect(seen.enrichments?.[0]).toMatchObject({
      enrichment: 'test.history',
      outcome: 'error',
      code: 'threw',
    });
    expect(verdictFor(hq, diagnosed)).toBe(diagnosed);
  });
});

describe('verdictFor', () => {
  it('shows an organisation-wide key the verdict unchanged, reviewer and customer texts both', () => {
    expect(verdictFor(hq, verdict)).toBe(verdict);
  });

  it('shows an origin the customer text in place of the reviewer text, the notices, and no evidence', () => {
    const seen = verdictFor(shop, verdict);
    expect(seen.reasons).toEqual([
      { signal: 'TEST_CAP', ja: capReason.customer.ja, en: capReason.customer.en },
      plainReason,
    ]);
    expect(JSON.stringify(seen)).not.toContain('上限 3');
    expect(JSON.stringify(seen)).not.toContain('app_other');
    expect(seen.notices).toEqual([notice]);
    const { params: _params, ...bareHit } = hit;
    expect(seen.hits).toEqual([{ ...bareHit, evidence: [] }]);
    expect(seen.action).toBe('review');
    // The verdict itself (what the decision log keeps) is not changed.
    expect(verdict.reasons[0]).toBe(capReason);
  });

  it('keeps a verdict without notices without notices', () => {
    const { notices: _notices, ...bare } = verdict;
    expect(Object.hasOwn(verdictFor(shop, bare), 'notices')).toBe(false);
  });
});

describe('caseFor', () => {
  it('shows an origin the case with customer texts, no evidence and no reviewer details', () => {
    const seen = caseFor(shop, aCase);
    expect(seen.summary.reasons).toEqual([
      { signal: 'TEST_CAP', ja: capReason.customer.ja, en: capReason.customer.en },
      plainReason,
    ]);
    expect(seen.summary.hits).toEqual([{ signal: 'TEST_CAP', detector: 'test.cap', score: 5, evidence: [] }]);
    expect(Object.hasOwn(seen.summary, 'details')).toBe(false);
    expect(JSON.stringify(seen)).not.toContain('上限 3');
  });

  it('shows an organisation-wide key the case unchanged', () => {
    expect(caseFor(hq, aCase)).toBe(aCase);
    const page = { items: [aCase], nextCursor: null };
    expect(casePageFor(hq, page)).toBe(page);
    expect(casePageFor(shop, page).items[0]?.summary.reasons[0]).toEqual({
      signal: 'TEST_CAP',
      ja: capReason.customer.ja,
      en: capReason.customer.en,
    });
  });
});

describe('the summary an origin reads', () => {
  const reviewers = {
    ja: '判定: 審査（TEST_CAP により強制、スコア 5、理由 2 件）：上限を超える申込',
    en: 'Verdict: Review (forced by TEST_CAP, score 5, 2 reasons): over the cap',
  };
  it('names the action and the top reason in the customer’s words, without score or rule', () => {
    const seen = verdictFor(shop, { ...verdict, summary: reviewers });
    expect(seen.summary.ja).toBe('判定: 審査：この回線はお申し込みいただけません');
    expect(seen.summary.en).toBe('Verdict: review: This line cannot be applied for');
    const theCase = caseFor(shop, { ...aCase, summary: { ...aCase.summary, summary: reviewers } });
    expect(theCase.summary.summary).toEqual(seen.summary);
    for (const text of [seen.summary.ja, seen.summary.en, theCase.summary.summary.ja])
      expect(text).not.toMatch(/TEST_CAP|スコア|score/);
  });
  it('leaves HQ’s summary as it is', () => {
    expect(verdictFor(hq, { ...verdict, summary: reviewers }).summary).toEqual(reviewers);
  });
});
