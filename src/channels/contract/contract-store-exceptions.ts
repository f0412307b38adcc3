import { type ChannelOutcome, MamoruError } from '../../core/index.ts';
import type { DecisionReader } from '../../store/store.ts';
import type { SimCounts } from './contract-context.ts';
import { SIM_TYPES, type SimType } from './contract-schema.ts';
import { linesBySimType } from './contract-store-windows.ts';
import type { ContractDb } from './tables.ts';

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
export async function recordException(
  db: ContractDb,
  decisions: DecisionReader,
  outcome: ContractOutcome,
): Promise<void> {
  // Only a review is a decision on the application's lines; an approved step-up (the customer authenticated
  // again) grants nothing.
  if (outcome.channel !== 'contract' || outcome.resolution !== 'approved' || outcome.action !== 'review')
    return;
  const application = await applicationOf(db, decisions, outcome.orgId, outcome.decisionId);
  if (!application)
    throw new MamoruError('not_found', `contract application of decision ${outcome.decisionId} not found`);
  await db
    .insertInto('contract_exceptions')
    .values({
      org_id: outcome.orgId,
      case_id: outcome.caseId,
      application_id: application.applicationId,
      holder_key: application.holderKey,
      identity_key: application.identityKey,
      lines: JSON.stringify(application.lines),
      held: JSON.stringify(application.held),
      approved_by: outcome.resolvedBy,
      approved_at: outcome.at,
      reason: outcome.reason,
    })
    .onConflict((oc) => oc.columns(['org_id', 'case_id']).doNothing())
    .execute();
}

interface ApplicationOfDecision {
  readonly applicationId: string;
  readonly holderKey: string;
  readonly identityKey: string | null;
  readonly lines: SimCounts;
  readonly held: SimCounts;
}

/**
 * The application a decision judged: its row, while that row still holds
 * this decision; else (the same application was screened again since) the
 * redacted application in the decision log, read through the log's
 * interface, with the lines held from the application's latest row.
 */
async function applicationOf(
  db: ContractDb,
  decisions: DecisionReader,
  orgId: string,
  decisionId: string,
): Promise<ApplicationOfDecision | undefined> {
  const columns = [
    'application_id',
    'holder_key',
    'identity_key',
    'voice_lines',
    'data_sms_lines',
    'data_lines',
    'held_voice',
    'held_data_sms',
    'held_data',
  ] as const;
  const held = (row: { held_voice: number; held_data_sms: number; held_data: number }): SimCounts => ({
    voice: row.held_voice,
    data_sms: row.held_data_sms,
    data: row.held_data,
  });
  const row = await db
    .selectFrom('contract_applications')
    .select(columns)
    .where('org_id', '=', orgId)
    .where('decision_id', '=', decisionId)
    .executeTakeFirst();
  if (row) {
    return {
      applicationId: row.application_id,
      holderKey: row.holder_key,
      identityKey: row.identity_key,
      lines: { voice: row.voice_lines, data_sms: row.data_sms_lines, data: row.data_lines },
      held: held(row),
    };
  }
  const logged = loggedApplication(await decisions.loggedEvent(orgId, decisionId, 'contract'));
  if (!logged) return undefined;
  const latest = await db
    .selectFrom('contract_applications')
    .select(['held_voice', 'held_data_sms', 'held_data'])
    .where('org_id', '=', orgId)
    .where('application_id', '=', logged.applicationId)
    .where('holder_key', '=', logged.holderKey)
    .orderBy('submitted_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const lines = logged.lines.filter(
    (l): l is { simType: SimType; count: number } =>
      (SIM_TYPES as readonly unknown[]).includes(l.simType) && typeof l.count === 'number',
  );
  return {
    applicationId: logged.applicationId,
    holderKey: logged.holderKey,
    identityKey: logged.identityKey,
    lines: linesBySimType(lines),
    held: latest ? held(latest) : { voice: 0, data_sms: 0, data: 0 },
  };
}

/**
 * What the exception needs of a logged (redacted) application: its id, the
 * holder's and the person's keys, and the lines asked for; undefined when
 * the event is not one.
 */
function loggedApplication(event: unknown):
  | {
      readonly applicationId: string;
      readonly holderKey: string;
      readonly identityKey: string | null;
      readonly lines: readonly { simType?: unknown; count?: unknown }[];
    }
  | undefined {
  if (!isObject(event) || !isObject(event.holder)) return undefined;
  const { applicationId, lines } = event;
  const { holderKey, identityKey } = event.holder;
  if (typeof applicationId !== 'string' || applicationId === '') return undefined;
  if (typeof holderKey !== 'string' || holderKey === '' || !Array.isArray(lines)) return undefined;
  return {
    applicationId,
    holderKey,
    identityKey: typeof identityKey === 'string' ? identityKey : null,
    lines: lines.filter(isObject),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
