import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.ts';
import { decisionHash, GENESIS_HASH, storedRowHash } from './decision-hash.ts';

const verdict = {
  id: 'dec_1',
  orgId: 'org_a',
  action: 'block',
  score: 7.5,
  hits: [{ signal: 'X', evidence: ['証拠'] }],
};
const event = { text: 'こんにちは', n: [1, 2.5] };

describe('decisionHash', () => {
  it('is SHA-256 of the canonical JSON of the row', () => {
    const row = {
      seq: 1,
      id: 'dec_1',
      org_id: 'org_a',
      channel: 'message',
      event_id: 'evt_1',
      action: 'block',
      score: 7.5,
      verdict,
      event,
      created_at: '2026-03-02T09:00:00.000Z',
      prev_hash: GENESIS_HASH,
    };
    const expected = createHash('sha256').update(canonicalJson(row)).digest('hex');
    expect(
      decisionHash({
        seq: 1,
        id: 'dec_1',
        orgId: 'org_a',
        channel: 'message',
        eventId: 'evt_1',
        action: 'block',
        score: 7.5,
        verdict: canonicalJson(verdict),
        event: canonicalJson(event),
        createdAt: '2026-03-02T09:00:00.000Z',
        prevHash: GENESIS_HASH,
      }),
    ).toBe(expected);
    expect(storedRowHash({ ...row, created_at: new Date(row.created_at), hash: '' })).toBe(expected);
  });

  it('changes with any field, the previous hash included', () => {
    const base = {
      seq: 2,
      id: 'd',
      orgId: 'o',
      channel: 'c',
      eventId: 'e',
      action: 'allow',
      score: 0,
      verdict: '{}',
      event: 'null',
      createdAt: '2026-03-02T09:00:00.000Z',
      prevHash: GENESIS_HASH,
    };
    const hashes = new Set([
      decisionHash(base),
      decisionHash({ ...base, seq: 3 }),
      decisionHash({ ...base, score: 0.001 }),
      decisionHash({ ...base, event: '{}' }),
      decisionHash({ ...base, prevHash: 'f'.repeat(64) }),
    ]);
    expect(hashes.size).toBe(5);
  });
});

describe('decisionHash of optional verdict fields', () => {
  const row = (v: unknown) => ({
    seq: 1,
    id: 'dec_1',
    orgId: 'org_a',
    channel: 'transfer',
    eventId: 'evt_1',
    action: 'allow',
    score: 0,
    verdict: canonicalJson(v),
    event: canonicalJson(event),
    createdAt: '2026-03-02T09:00:00.000Z',
    prevHash: GENESIS_HASH,
  });
  const reason = { signal: 'X', ja: '上限 3 件を超えています', en: 'Over the cap of 3' };
  const customer = { ja: 'お申し込みいただけません', en: 'This cannot be applied for' };
  const notice = { code: 'transfer.resale', ja: '転売は禁止されています', en: 'Resale is prohibited' };

  it('hashes a verdict without notices as before: an absent or undefined field adds nothing', () => {
    const before = { ...verdict, reasons: [reason] };
    expect(decisionHash(row({ ...before, notices: undefined }))).toBe(decisionHash(row(before)));
    expect(decisionHash(row({ ...before, reasons: [{ ...reason, customer: undefined }] }))).toBe(
      decisionHash(row(before)),
    );
  });

  it('covers notices and customer texts, and hashes them as the database gives them back', () => {
    const plain = { ...verdict, reasons: [reason] };
    const full = { ...verdict, reasons: [{ ...reason, customer }], notices: [notice] };
    const hashes = new Set([
      decisionHash(row(plain)),
      decisionHash(row(full)),
      decisionHash(row({ ...full, notices: [{ ...notice, en: 'Resale is allowed' }] })),
      decisionHash(row({ ...full, reasons: [{ ...reason, customer: { ...customer, ja: '別の文言' } }] })),
    ]);
    expect(hashes.size).toBe(4);
    // jsonb does not keep key order: the text of what comes back hashes the same.
    const { notices: _notices, ...rest } = full;
    const reordered = { notices: [{ en: notice.en, ja: notice.ja, code: notice.code }], ...rest };
    expect(decisionHash(row(JSON.parse(JSON.stringify(reordered))))).toBe(decisionHash(row(full)));
  });
});
