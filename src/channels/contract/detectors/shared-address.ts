import type { ContractDetector } from './application.ts';
import { ringHits } from './ring.ts';

/**
 * Shared address (SIMの不正転売, measure P6): many distinct holders applying
 * from one address within a short window — a resale ring gathering
 * identities. Fires when at least `sharedAddress.minOtherHolders` other
 * holders applied from the application's address within
 * `sharedAddress.windowDays`; HQ reviews with the ring as evidence.
 */
export const sharedAddress: ContractDetector = {
  name: 'contract.shared_address',
  signals: ['CONTRACT_SHARED_ADDRESS', 'CONTRACT_EXCEPTION_APPROVED'],
  run: (event, ctx) => ringHits('address', event.payload, ctx),
};
