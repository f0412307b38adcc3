import type { Migration } from 'kysely/migration';
import * as m001 from './001-initial.ts';
import * as m004 from './004-case-outcome-delivery.ts';
import * as m005 from './005-outlet-scope.ts';
import * as m006 from './006-import-reports.ts';
import * as m007 from './007-decision-log-id.ts';
import * as m008 from './008-case-subject.ts';
import * as m010 from './010-outcome-lease.ts';
import * as m011 from './011-decision-log-lz4.ts';
import * as m012 from './012-origin.ts';

/**
 * The core's migrations. Static so that nothing is read from disk at run
 * time. The numbers missing here (002, 003, 009) are a channel's, which
 * brings them itself (`openStore`'s `migrations`); all run in one name order.
 */
export const CORE_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '001-initial': m001,
  '004-case-outcome-delivery': m004,
  '005-outlet-scope': m005,
  '006-import-reports': m006,
  '007-decision-log-id': m007,
  '008-case-subject': m008,
  '010-outcome-lease': m010,
  '011-decision-log-lz4': m011,
  '012-origin': m012,
};
