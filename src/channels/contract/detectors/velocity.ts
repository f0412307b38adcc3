import { outletOf } from '../contract-keys.ts';
import { NEEDS_HISTORY } from '../history.ts';
import { fallbackEvidence } from '../settings.ts';
import {
  applicationEvidence,
  applicationTime,
  type ContractDetector,
  contextEvidence,
  DAY_MS,
  requestedLines,
  servicesOf,
  settingsOf,
  within,
} from './application.ts';
import { counted } from './labels.ts';

/** Other applications listed in the evidence at most. */
const SHOWN = 20;

/**
 * Velocity (SIMの不正転売, measure P6): within `velocity.windowDays` of the
 * application, across shops, agencies and online —
 * - more applications by the holder than `maxApplications` (this one included);
 * - more lines than `maxLines` in all — lines count, not applications: one
 *   application for three SIMs counts three — from the holder's other
 *   applications that were not refused (granted or still pending: lines
 *   perhaps not yet in the carrier's line import) plus this one's, when
 *   there is another application (one application's own size is the line
 *   cap's job);
 * - more distinct outlets than `maxOutlets`;
 * - cancel-and-reapply: more lines cancelled than `maxCancelledLines`.
 * Limits are per holder type (`velocity.person`, `velocity.corporation`);
 * `null` turns one off. HQ reviews; the evidence lists the applications.
 * HQ's approved exception for the application covers it while no newer
 * application has arrived.
 */
export const velocity: ContractDetector = {
  name: 'contract.velocity',
  signals: ['CONTRACT_VELOCITY'],
  needs: NEEDS_HISTORY,
  run(event, ctx) {
    const app = event.payload;
    const read = settingsOf(ctx);
    const { windowDays, maxCancelledLines, ...byHolder } = read.settings.velocity;
    const limits = byHolder[app.holder.type];
    const context = servicesOf(ctx);
    const since = new Date(applicationTime(app, ctx.now).getTime() - windowDays * DAY_MS);
    const others = within(context.holderApplications, since).filter(
      (a) => a.applicationId !== app.applicationId,
    );
    const requested = requestedLines(app);
    const asked = requested.voice + requested.data_sms + requested.data;
    const applications = others.length + 1;
    // Lines sought: every other application not refused (allowed, or waiting on a step-up or a review).
    const granted = others
      .filter((a) => a.action !== 'block' && a.action !== 'freeze')
      .reduce((n, a) => n + a.lines, 0);
    const lines = granted + asked;
    const outlets = new Set([...others.map((a) => a.outlet), outletOf(app.salesChannel)]).size;
    const cancelled = context.recentlyCancelled;
    const why: string[] = [];
    if (limits.maxApplications !== null && applications > limits.maxApplications)
      why.push(`applications=${applications} > ${limits.maxApplications}`);
    if (limits.maxLines !== null && others.length > 0 && lines > limits.maxLines)
      why.push(`lines=${lines} (sought before ${granted} + now ${asked}) > ${limits.maxLines}`);
    if (limits.maxOutlets !== null && outlets > limits.maxOutlets)
      why.push(`outlets=${outlets} > ${limits.maxOutlets}`);
    if (maxCancelledLines !== null && cancelled > maxCancelledLines)
      why.push(`cancel_and_reapply: cancelled=${cancelled} > ${maxCancelledLines}`);
    if (why.length === 0) return [];
    const evidence = [
      ...why,
      `window_days=${windowDays}`,
      `holder_type=${app.holder.type}`,
      ...others.slice(0, SHOWN).map(applicationEvidence),
      ...(others.length > SHOWN ? [`more_applications=${others.length - SHOWN}`] : []),
      ...fallbackEvidence(read, 'velocity'),
      ...contextEvidence(ctx),
    ];
    return [
      {
        signal: 'CONTRACT_VELOCITY',
        evidence,
        params: {
          windowDays,
          windowDaysEn: counted(windowDays, 'day'),
          applications,
          applicationsEn: counted(applications, 'application'),
          outlets,
          outletsEn: counted(outlets, 'outlet'),
          lines,
          linesEn: counted(lines, 'line'),
          cancelled,
          cancelledEn: counted(cancelled, 'line'),
        },
      },
    ];
  },
};
