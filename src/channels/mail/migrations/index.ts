import type { Migration } from 'kysely/migration';
import * as m014 from './014-mail.ts';

/** The mail channel's migrations (issue 11), run by the store with the core's in one name order. */
export const MAIL_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '014-mail': m014,
};
