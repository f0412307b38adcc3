import { describe, expect, it } from 'vitest';
import { sharedDevice } from './shared-device.ts';
import { application, context, recent, run, signals } from './test-fixtures.ts';

const others = [
  recent({ applicationId: 'd1', holderKey: '1'.repeat(64), outlet: 'online', salesChannel: 'online' }),
  recent({ applicationId: 'd2', holderKey: '2'.repeat(64), outlet: 'online', salesChannel: 'online' }),
];
const keys = {
  holder: 'a'.repeat(64),
  identity: 'a'.repeat(64),
  address: 'b'.repeat(64),
  device: 'd'.repeat(64),
  registeredUsers: [],
};
const online = application({ salesChannel: { type: 'online' }, deviceFingerprint: 'fp-123' });

describe('contract.shared_device (P6)', () => {
  it('reviews a third holder on one device', async () => {
    const hits = await run(sharedDevice, online, { services: context({ keys, deviceHolders: others }) });
    expect(signals(hits)).toEqual(['CONTRACT_SHARED_DEVICE']);
    expect(hits[0]!.params).toMatchObject({
      windowDays: 7,
      windowDaysEn: '7 days',
      otherHolders: 2,
      otherHoldersEn: '2 holders',
      outlets: 1,
      outletsEn: '1 outlet',
    });
    expect(hits[0]!.evidence).toContain('device=dddddddddddd…');
    expect(hits[0]!.evidence).toContain('channels=online');
  });

  it('passes one other holder, and applications without a device fingerprint (near misses)', async () => {
    expect(
      await run(sharedDevice, online, { services: context({ keys, deviceHolders: others.slice(0, 1) }) }),
    ).toEqual([]);
    expect(
      await run(sharedDevice, application(), { services: context({ keys, deviceHolders: others }) }),
    ).toEqual([]);
  });

  it('follows the carrier’s window', async () => {
    const services = context({ keys, deviceHolders: others });
    expect(
      await run(sharedDevice, online, { services, settings: { sharedDevice: { windowDays: 0.5 } } }),
    ).toEqual([]);
  });
});
