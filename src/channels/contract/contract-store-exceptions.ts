import { type Kysely, sql } from 'kysely';
import { type ChannelOutcome, MamoruError } from '../../core/index.ts';
import type { Database } from '../../store/schema.ts';
import type { SimCounts } from './contract-context.ts';
import { SIM_TYPES, type SimType } from './contract-schema.ts';
import { linesBySimType } from './contract-store-windows.ts';

/** A case outcome as the case queue publishes it. */
export type ContractOutcome = ChannelOutcome;

/**
 * Write the exception an approved contract case grants (P2: HQ approves an
 * exception after checking the purpose): the lines of the application the
 * case was opened on, by SIM type. Denied or expired cases, and other
 * channels' cases, write nothing. A repeated delivery writes nothing new.
 *
 * @throws MamoruError `not_found` when the decision is not a contract application of the org.
 */
export async function recordException(db: Kysely<Database>, outcome: ContractOutcome): Promise<void> {
  if (outcome.channel !== 'contract' || outcome.resolution !== 'approved') return;
  const application = await applicationOf(db, outcome.orgId, outcome.decisionId);
  if (!application)
    throw new MamoruError('not_found', `contract application of decision ${outcome.decisionId} not found`);
  await db
    .insertInto('contract_exceptions')
    .values({
      org_id: outcome.orgId,
      case_id: outcome.caseId,
      application_id: application.applicationId,
      holder_key: application.holderKey,
      lines: JSON.stringify(application.lines),
      approved_by: outcome.resolvedBy,
      approved_at: outcome.at,
      reason: outcome.reason,
    })
    .onConflict((oc) => oc.columns(['org_id', 'case_id']).doNothing())
    .execute();
}

/**
 * The application a decision judged: its row, while that row still holds
 * this decision; else (the same application id was screened again since)
 * the redacted application in the decision log.
 */
async function applicationOf(
  db: Kysely<Database>,
  orgId: string,
  decisionId: string,
): Promise<{ applicationId: string; holderKey: string; lines: SimCounts } | undefined> {
  const row = await db
    .selectFrom('contract_applications')
    .select(['application_id', 'holder_key', 'voice_lines', 'data_sms_lines', 'data_lines'])
    .where('org_id', '=', orgId)
    .where('decision_id', '=', decisionId)
    .executeTakeFirst();
  if (row) {
    return {
      applicationId: row.application_id,
      holderKey: row.holder_key,
      lines: { voice: row.voice_lines, data_sms: row.data_sms_lines, data: row.data_lines },
    };
  }
  const logged = await db
    .selectFrom('decisions')
    .select([
      sql<string | null>`event->>'applicationId'`.as('application_id'),
      sql<string | null>`event->'holder'->>'holderKey'`.as('holder_key'),
      sql<unknown>`event->'lines'`.as('lines'),
    ])
    .where('org_id', '=', orgId)
    .where('id', '=', decisionId)
    .where('channel', '=', 'contract')
    .executeTakeFirst();
  if (!logged?.application_id || !logged.holder_key || !Array.isArray(logged.lines)) return undefined;
  const lines = (logged.lines as { simType?: unknown; count?: unknown }[]).filter(
    (l): l is { simType: SimType; count: number } =>
      (SIM_TYPES as readonly unknown[]).includes(l.simType) && typeof l.count === 'number',
  );
  return { applicationId: logged.application_id, holderKey: logged.holder_key, lines: linesBySimType(lines) };
}
