import { describe, expect, it } from 'vitest';
import { registeredUserShared } from './registered-user-shared.ts';
import { application, context, run, signals } from './test-fixtures.ts';

const withUser = application({
  lines: [{ simType: 'voice', count: 1, registeredUser: { name: '名義 貸子', birthDate: '1993-03-03' } }],
});
const shared = (otherHolders: number) => ({ line: 0, userKey: 'f'.repeat(64), otherHolders });

describe('contract.registered_user_shared (P6)', () => {
  it('reviews a registered user who is the user of lines under two other holders', async () => {
    const hits = await run(registeredUserShared, withUser, {
      services: context({ sharedUsers: [shared(2)] }),
    });
    expect(signals(hits)).toEqual(['CONTRACT_REGISTERED_USER_SHARED']);
    expect(hits[0]!.evidence[0]).toBe('lines.0.registeredUser=ffffffffffff… other_holders=2 (at least 2)');
    expect(hits[0]!.params).toEqual({ otherHolders: 2, otherHoldersEn: '2 holders' });
  });

  it('passes a user under one other holder (a parent’s family plan) and no users (near misses)', async () => {
    expect(
      await run(registeredUserShared, withUser, { services: context({ sharedUsers: [shared(1)] }) }),
    ).toEqual([]);
    expect(await run(registeredUserShared, application(), { services: context() })).toEqual([]);
  });
});
