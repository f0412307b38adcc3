import { NEEDS_HISTORY } from '../history.ts';
import type { ContractDetector } from './application.ts';
import { ringHits } from './ring.ts';

/**
 * Shared IP address (自作プログラムによる不正契約, measure P6): many distinct
 * holders signing up online from one client IP address within a short
 * window — sign-ups by program (seed 001: 生成AIを悪用した自作プログラムで
 * 携帯電話を不正契約). Fires when at least `sharedIp.minOtherHolders` other
 * holders applied from the application's `session.ipAddress` within
 * `sharedIp.windowDays`; HQ reviews with the ring as evidence. The IP is
 * kept only as a keyed hash. Mobile networks put many customers behind one
 * address (carrier-grade NAT): the default waits for the fourth holder in a
 * day.
 */
export const sharedIp: ContractDetector = {
  name: 'contract.shared_ip',
  signals: ['CONTRACT_SHARED_IP'],
  needs: NEEDS_HISTORY,
  run: (event, ctx) => ringHits('ip', event.payload, ctx),
};
