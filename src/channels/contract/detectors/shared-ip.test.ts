import { describe, expect, it } from 'vitest';
import { sharedIp } from './shared-ip.ts';
import { application, context, recent, run, signals } from './test-fixtures.ts';

const others = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    recent({
      applicationId: `ip-${i}`,
      holderKey: String(i + 1).repeat(64),
      outlet: 'online',
      salesChannel: 'online',
    }),
  );
const app = application({ salesChannel: { type: 'online' }, session: { ipAddress: '203.0.113.9' } });
const keys = {
  holder: 'a'.repeat(64),
  identity: 'a'.repeat(64),
  address: 'b'.repeat(64),
  ip: 'e'.repeat(64),
  registeredUsers: [],
};

describe('contract.shared_ip (P6)', () => {
  it('reviews the fourth holder signing up from one IP within a day', async () => {
    const hits = await run(sharedIp, app, { services: context({ keys, ipHolders: others(3) }) });
    expect(signals(hits)).toEqual(['CONTRACT_SHARED_IP']);
    expect(hits[0]!.evidence).toContain('ip=eeeeeeeeeeee…');
    expect(hits[0]!.params).toMatchObject({
      otherHolders: 3,
      otherHoldersEn: '3 holders',
      windowDaysEn: '1 day',
    });
  });

  it('passes two other holders on one IP (carrier-grade NAT) and the early spread rule (near miss)', async () => {
    expect(await run(sharedIp, app, { services: context({ keys, ipHolders: others(2) }) })).toEqual([]);
  });
});
