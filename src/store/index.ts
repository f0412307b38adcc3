/**
 * store — database access for every module: one interface (`Store`), two
 * backends speaking PostgreSQL's dialect (PGlite in process, a PostgreSQL
 * server), migrations applied at open: the core's and each registered
 * channel's (`openStore({ migrations })`). Open it with `openStore`; query
 * other tables through `store.db` (Kysely), always filtered by organisation.
 */
export { SqlApiKeyRepo } from './api-key-repo.ts';
export { canonicalJson } from './canonical-json.ts';
export { auditDecisionLog } from './decision-audit.ts';
export { decisionHash, GENESIS_HASH } from './decision-hash.ts';
export { SqlDecisionLog } from './decision-log.ts';
export { jsonText } from './json-text.ts';
export { composeMigrations, migrate, openDatabase, openStore } from './open-store.ts';
export { SqlOrganisationRepo } from './organisation-repo.ts';
export { PG_FOREIGN_KEY_VIOLATION, PG_UNIQUE_VIOLATION, pgErrorCode } from './pg-error-code.ts';
export { SqlPolicyRepo } from './policy-repo.ts';
export { runStatements } from './run-statements.ts';
export type * from './schema.ts';
export { SqlSettingsRepo } from './settings-repo.ts';
export * from './store.ts';
export { toIso } from './to-iso.ts';
