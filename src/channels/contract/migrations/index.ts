import type { Migration } from 'kysely/migration';
import * as m002 from './002-contract.ts';
import * as m003 from './003-contract-exceptions.ts';
import * as m004 from './004-case-outcome-delivery-contract.ts';
import * as m005 from './005-outlet-scope-contract.ts';
import * as m009 from './009-contract-rings.ts';

/**
 * The contract channel's migrations (issue 8, item 1), run by the store with
 * the core's in one name order. The names are those they had when the store
 * ran them itself, so databases made before see them as already run; the two
 * `-contract` ones are the channel's parts of core migrations 004 and 005,
 * split from them. A later migration may take any name not used yet: the
 * store runs one it has not run even when its name sorts before others.
 */
export const CONTRACT_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '002-contract': m002,
  '003-contract-exceptions': m003,
  '004-case-outcome-delivery-contract': m004,
  '005-outlet-scope-contract': m005,
  '009-contract-rings': m009,
};
