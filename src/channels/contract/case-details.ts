import type { ContractContext, RecentApplication } from './contract-context.ts';
import type { ContractApplication } from './contract-schema.ts';
import { linesBySimType } from './contract-store-windows.ts';

/** At most this many of the holder's (and a ring's) applications are copied onto a case. */
const CASE_HISTORY = 20;

/**
 * What an HQ reviewer needs on a contract case (issue 3, P2/P6: "everything
 * a reviewer needs is on the case"), besides the rules that fired: lines held
 * and requested by SIM type, the declared purposes and the pledge, how the
 * identity was verified, the holder's recent applications and cancellations,
 * other holders on the same address or device, and an exception already
 * approved. Keys only (holder keys are HMACs); no raw identity.
 */
export function contractCaseDetails(
  app: ContractApplication,
  ctx: ContractContext | undefined,
): Readonly<Record<string, unknown>> {
  const purposes = [...new Set(app.lines.flatMap((l) => (l.purpose ? [l.purpose] : [])))];
  const requested = linesBySimType(app.lines);
  const registered = app.lines.reduce((n, l) => n + (l.registeredUser ? l.count : 0), 0);
  return {
    applicationId: app.applicationId,
    holderType: app.holder.type,
    ...(app.holder.corporation
      ? {
          corporateNumber: app.holder.corporation.corporateNumber,
          employmentVerification: app.holder.corporation.employmentVerification ?? null,
        }
      : {}),
    salesChannel: app.salesChannel,
    linesRequested: requested,
    linesHeld: ctx?.existingLines ?? null,
    linesWithRegisteredUser: registered,
    purposes,
    pledgeSigned: app.pledgeSigned,
    identityVerification: app.identityVerification
      ? {
          method: app.identityVerification.method,
          assuranceLevel: app.identityVerification.assuranceLevel,
          performedAt: app.identityVerification.performedAt,
          ...(app.identityVerification.provider ? { provider: app.identityVerification.provider } : {}),
        }
      : null,
    ...(app.addedLine ? { addedLineAuthentication: app.addedLine.authentication } : {}),
    holderKey: ctx?.keys.holder ?? null,
    holderHistory: ctx ? ctx.holderApplications.slice(0, CASE_HISTORY).map(historyEntry) : [],
    recentlyCancelled: ctx?.recentlyCancelled ?? 0,
    sameAddressHolders: ctx ? ctx.addressHolders.slice(0, CASE_HISTORY).map(historyEntry) : [],
    sameDeviceHolders: ctx ? ctx.deviceHolders.slice(0, CASE_HISTORY).map(historyEntry) : [],
    approvedException: ctx?.exception ?? null,
  };
}

function historyEntry(a: RecentApplication) {
  return {
    applicationId: a.applicationId,
    holderKey: a.holderKey,
    submittedAt: a.submittedAt,
    salesChannel: a.salesChannel,
    outlet: a.outlet,
    lines: a.lines,
    action: a.action,
  };
}
