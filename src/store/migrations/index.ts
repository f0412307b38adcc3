import type { Migration, MigrationProvider } from 'kysely/migration';
import * as m001 from './001-initial.ts';
import * as m002 from './002-contract.ts';
import * as m003 from './003-contract-exceptions.ts';
import * as m004 from './004-case-outcome-delivery.ts';
import * as m005 from './005-outlet-scope.ts';
import * as m006 from './006-import-reports.ts';
import * as m007 from './007-decision-log-id.ts';
import * as m008 from './008-case-subject.ts';
import * as m009 from './009-contract-rings.ts';
import * as m011 from './011-decision-log-lz4.ts';

/** Every migration, in order. Static so that nothing is read from disk at run time. */
export const migrations: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      '001-initial': m001,
      '002-contract': m002,
      '003-contract-exceptions': m003,
      '004-case-outcome-delivery': m004,
      '005-outlet-scope': m005,
      '006-import-reports': m006,
      '007-decision-log-id': m007,
      '008-case-subject': m008,
      '009-contract-rings': m009,
      '011-decision-log-lz4': m011,
    };
  },
};
