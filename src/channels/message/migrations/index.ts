import type { Migration } from 'kysely/migration';
import * as m013 from './013-message.ts';

/** The message channel's migrations (issue 9), run by the store with the core's in one name order. */
export const MESSAGE_MIGRATIONS: Readonly<Record<string, Migration>> = {
  '013-message': m013,
};
