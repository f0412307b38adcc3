import { describe, expect, it } from 'vitest';
import { corporateAuthority } from './corporate-authority.ts';
import { application, CORPORATE_HOLDER, NOW, run, signals } from './test-fixtures.ts';

const corporate = (authority?: Record<string, unknown>) =>
  application({
    holder: {
      ...CORPORATE_HOLDER,
      corporation: { ...CORPORATE_HOLDER.corporation, ...(authority ? { authority } : {}) },
    },
  });

describe('contract.corporate_authority (P4, 代理権)', () => {
  it('reviews a corporate application without proof of the representative’s authority', async () => {
    const hits = await run(corporateAuthority, corporate(), { now: NOW });
    expect(signals(hits)).toEqual(['CONTRACT_CORP_AUTHORITY_UNVERIFIED']);
    expect(hits[0]!.evidence).toContain('authority=(none)');
    expect(hits[0]!.params).toMatchObject({ problemJa: '代理権を確認した記録がありません' });
  });

  it('reviews a letter of authority or registry certificate older than 90 days', async () => {
    const old = await run(
      corporateAuthority,
      corporate({ basis: 'letter_of_authority', issuedOn: '2026-01-01' }),
      {
        now: NOW,
      },
    );
    expect(signals(old)).toEqual(['CONTRACT_CORP_AUTHORITY_UNVERIFIED']);
    expect(old[0]!.params).toMatchObject({
      problemEn: 'the letter of authority is 129 days old; it must be within 90 days',
    });
  });

  it('passes a fresh letter, the representative in person, a person holder, and a carrier that turns it off (near misses)', async () => {
    expect(
      await run(corporateAuthority, corporate({ basis: 'letter_of_authority', issuedOn: '2026-05-01' }), {
        now: NOW,
      }),
    ).toEqual([]);
    expect(
      await run(corporateAuthority, corporate({ basis: 'representative', issuedOn: '2026-02-15' }), {
        now: NOW,
      }),
    ).toEqual([]);
    expect(await run(corporateAuthority, application(), { now: NOW })).toEqual([]);
    expect(
      await run(corporateAuthority, corporate(), {
        now: NOW,
        settings: {
          corporate: { employmentMaxAgeDays: 30, authorityMaxAgeDays: 90, requireAuthority: false },
        },
      }),
    ).toEqual([]);
  });
});
