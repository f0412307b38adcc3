import { NEEDS_HISTORY } from '../history.ts';
import type { ContractDetector } from './application.ts';
import { ringHits } from './ring.ts';

/**
 * Shared address (SIMの不正転売, measure P6): many distinct holders applying
 * from one address within a short window — a resale ring gathering
 * identities. The address is keyed in its normal form, so one address
 * however written is one key (`normaliseJapaneseAddress`). Fires when at
 * least `sharedAddress.minOtherHolders` other holders (3) applied from it
 * within `sharedAddress.windowDays` (7), or — to catch a ring before it has
 * its SIMs — at the third holder (`spread.minOtherHolders` 2) when the
 * holders went to two or more shops or ask for five or more SMS-capable
 * lines in all; HQ reviews with the ring as evidence (see `ringHits`).
 */
export const sharedAddress: ContractDetector = {
  name: 'contract.shared_address',
  signals: ['CONTRACT_SHARED_ADDRESS'],
  needs: NEEDS_HISTORY,
  run: (event, ctx) => ringHits('address', event.payload, ctx),
};
