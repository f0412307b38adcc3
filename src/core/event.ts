/**
 * An event: one thing to judge (a line application, an SMS, a mail, a
 * transfer…). The payload is typed per channel and validated at the edge by
 * the channel's schema before it ever reaches the engine.
 */
export interface ScreenEvent<P = unknown> {
  /** Caller's id for the thing judged (idempotency and cross-reference); generated when absent. */
  readonly id: string;
  readonly orgId: string;
  readonly channel: string;
  /** ISO 8601 time the event was received. */
  readonly receivedAt: string;
  readonly payload: P;
}
