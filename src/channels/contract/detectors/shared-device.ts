import { NEEDS_HISTORY } from '../history.ts';
import type { ContractDetector } from './application.ts';
import { ringHits } from './ring.ts';

/**
 * Shared device (SIMの不正転売, measure P6): many distinct holders applying
 * from one device fingerprint within a short window. Fires when at least
 * `sharedDevice.minOtherHolders` other holders applied from the application's
 * device within `sharedDevice.windowDays`; HQ reviews with the ring as
 * evidence. Applications without a device fingerprint are not judged.
 */
export const sharedDevice: ContractDetector = {
  name: 'contract.shared_device',
  signals: ['CONTRACT_SHARED_DEVICE'],
  needs: NEEDS_HISTORY,
  run: (event, ctx) =>
    event.payload.deviceFingerprint === undefined ? [] : ringHits('device', event.payload, ctx),
};
