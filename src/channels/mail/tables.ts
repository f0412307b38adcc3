/**
 * The mail channel's own tables as Kysely sees them (created by
 * `migrations/`), reached on the core's database with
 * `db.$extendTables<MailTables>()` (`MailDb`).
 */
// A type, not an interface: `$extendTables` takes a record of tables.
// biome-ignore lint/complexity/noBannedTypes: filled by the quarantine and reputation parts
export type MailTables = {};
